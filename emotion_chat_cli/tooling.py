"""Model tooling: `export`, `train`, `demo-model`, `train-crisis`, `label`, `pretrain`,
`train-generator` (torch and transformers are imported only inside these commands; the
code lives in training/)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _export(args: argparse.Namespace) -> int:
    from training.classifier.export import export

    export(args.src, args.out_dir, optimize=args.optimize, fp16=args.fp16, int8=args.int8,
           opset=args.opset, model_version=args.model_version)
    print(f"exported to {args.out_dir}; serve with: emotion-chat serve classifier "
          f"--model {args.out_dir}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from training.classifier.recipe import train
    from training.classifier.trainer import TrainConfig

    config = TrainConfig(max_length=args.max_length, learning_rate=args.lr,
                         batch_size=args.batch_size, max_epochs=args.epochs,
                         patience=args.patience, seed=args.seed, device=args.device)
    try:
        train(args.data, args.base, args.out, config, args.text_column, args.label_column,
              args.problem_type, args.label_columns.split(",") if args.label_columns else None,
              args.label_separator)
    except ValueError as exc:
        print(f"emotion-chat train: {exc}", file=sys.stderr)
        return 2
    return 0


def _demo_model(args: argparse.Namespace) -> int:
    if args.inside_out:
        from training.demo import inside_out

        inside_out.build(args.out or inside_out.default_dir())
        return 0
    from classifier_service.demo import default_demo_dir
    from training.demo.build import build_once

    build_once(args.out or default_demo_dir(), force=args.force)
    return 0


def _train_crisis(args: argparse.Namespace) -> int:
    from training.crisis import main

    return main(args)


def _label(args: argparse.Namespace) -> int:
    from training.label import main

    return main(args)


def _train_generator(args: argparse.Namespace) -> int:
    from training.generator.train import main

    return main(args)


def _without_training(args: argparse.Namespace) -> int:
    print("emotion-chat pretrain: needs the training package (the model-builder image or a "
          "source checkout with the train extra)", file=sys.stderr)
    return 2


def _pretrain(args: argparse.Namespace) -> int:
    from training.pretrain import main

    return main(args)


def add_tooling(commands: argparse._SubParsersAction) -> None:
    export = commands.add_parser(
        "export", help="Hugging Face checkpoint (dir or hub id) → ONNX model dir")
    export.add_argument("src", help="local checkpoint dir or hub id (e.g. klue/bert-base)")
    export.add_argument("out_dir", type=Path)
    export.add_argument("--optimize", action="store_true",
                        help="ONNX Runtime transformer optimiser (fused attention etc.)")
    export.add_argument("--fp16", action="store_true", help="fp16 weights (CUDA provider)")
    export.add_argument("--int8", action="store_true", help="int8 dynamic quantisation (CPU)")
    export.add_argument("--opset", type=int, default=None)
    export.add_argument("--model-version", default=None, help="stored in config.json")
    export.set_defaults(func=_export)

    train = commands.add_parser("train", help="fine-tune a BERT-family checkpoint on a table")
    train.add_argument("--data", type=Path, required=True, help="CSV, TSV or XLSX file")
    train.add_argument("--out", type=Path, required=True, help="output checkpoint dir")
    train.add_argument("--base", default="klue/bert-base", help="checkpoint to start from")
    train.add_argument("--text-column", default="sentence")
    train.add_argument("--label-column", default="label",
                       help="the label column (multi-label: labels joined by "
                            "--label-separator; default there: labels)")
    train.add_argument("--problem-type", default="single_label",
                       choices=("single_label", "multi_label"),
                       help="multi_label: sigmoid per label, BCE, per-label thresholds tuned "
                            "on validation (config.json label_thresholds)")
    train.add_argument("--label-columns", default=None,
                       help="multi-label: one 0/1 column per label, comma-separated names")
    train.add_argument("--label-separator", default="|",
                       help="multi-label: separator inside the label column")
    train.add_argument("--epochs", type=int, default=10)
    train.add_argument("--lr", type=float, default=2e-5)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--max-length", type=int, default=128)
    train.add_argument("--patience", type=int, default=2,
                       help="epochs without better validation accuracy before stopping")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", default="auto", help="auto, cpu or cuda")
    train.set_defaults(func=_train)

    crisis = commands.add_parser(
        "train-crisis", help="train the crisis risk scorer on labelled tables (text, label)")
    crisis.add_argument("data", nargs="+", type=Path, help="TSV tables: text, label")
    crisis.add_argument("--everyday", nargs="*", type=Path, default=[],
                        help="tables of ordinary messages (text or sentence column), all "
                             "no risk: the emotion tables")
    crisis.add_argument("--out", type=Path, default=None,
                        help="default: the scorer shipped with the orchestrator")
    crisis.add_argument("--classifier", default=None, metavar="HOST:PORT",
                        help="a running classifier: its calm readings veto POSSIBLE risks in "
                             "the cross-validation, as in the chat")
    crisis.set_defaults(func=_train_crisis)

    label = commands.add_parser(
        "label", help="label a dialogue corpus through a running classifier → (s1, s2, "
                      "emotion) pairs for train-generator")
    label.add_argument("corpus", type=Path, help="CSV, TSV, XLSX or JSONL: utterance, "
                                                 "dialogue id, turn")
    label.add_argument("--classifier", required=True, metavar="HOST:PORT")
    label.add_argument("--out", type=Path, required=True, help="the pairs TSV")
    label.add_argument("--text-column", default="utterance")
    label.add_argument("--dialogue-column", default="dialogue_id")
    label.add_argument("--turn-column", default="turn")
    label.add_argument("--checkpoint", type=Path, default=None,
                       help="labels so far (resumable; default: OUT.labels.jsonl)")
    label.set_defaults(func=_label)

    pretrain = commands.add_parser(
        "pretrain", help="continued masked-LM pre-training with emotion-word or random "
                         "masking (the masking-BERT paper), before train")
    try:  # the tooling package is in the model-builder image and a checkout, not a service's
        from training.pretrain import add_arguments as pretrain_arguments
    except ImportError:
        pretrain.add_argument("args", nargs=argparse.REMAINDER)
        pretrain.set_defaults(func=_without_training)
    else:
        pretrain_arguments(pretrain)
        pretrain.set_defaults(func=_pretrain)

    generator = commands.add_parser(
        "train-generator", help="fine-tune a KoGPT2-style model on (s1, s2, emotion) pairs in "
                                "the KoGPT2-chatbot format (the masking-BERT paper's "
                                "hyper-parameters)")
    generator.add_argument("pairs", type=Path, help="TSV/CSV: s1, s2, emotion")
    generator.add_argument("--base", default="skt/kogpt2-base-v2",
                           help="hub id or local dir")
    generator.add_argument("--out", type=Path, required=True)
    generator.add_argument("--epochs", type=int, default=None, help="default 2")
    generator.add_argument("--batch-size", type=int, default=None,
                           help="default 96 (gradient accumulation over micro-batches)")
    generator.add_argument("--micro-batch", type=int, default=None, help="default 8")
    generator.add_argument("--lr", type=float, default=None, help="default 5e-5")
    generator.add_argument("--max-length", type=int, default=None, help="default 128")
    generator.add_argument("--patience", type=int, default=None,
                           help="epochs without a better validation loss; default 1")
    generator.add_argument("--seed", type=int, default=None)
    generator.add_argument("--device", default=None, help="auto, cpu or cuda")
    generator.set_defaults(func=_train_generator)

    demo_model = commands.add_parser("demo-model", help="build the embedded demo model")
    demo_model.add_argument("--out", type=Path, default=None,
                            help="default: the data home's models/demo-bert-ko-7")
    demo_model.add_argument("--force", action="store_true", help="rebuild even if present")
    demo_model.add_argument("--inside-out", action="store_true",
                            help="the Inside Out 4-emotion multi-label model instead "
                                 "(default dir: the data home's models/"
                                 "demo-bert-ko-insideout-4)")
    demo_model.set_defaults(func=_demo_model)
