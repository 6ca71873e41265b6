"""Model tooling: `export`, `train`, `demo-model` (torch and transformers are imported only
inside these commands)."""

from __future__ import annotations

import argparse
from pathlib import Path


def _export(args: argparse.Namespace) -> int:
    from classifier_service.training.export import export

    export(args.src, args.out_dir, optimize=args.optimize, fp16=args.fp16, int8=args.int8,
           opset=args.opset, model_version=args.model_version)
    print(f"exported to {args.out_dir}; serve with: emotion-chat serve classifier "
          f"--model {args.out_dir}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from classifier_service.training.recipe import train
    from classifier_service.training.trainer import TrainConfig

    config = TrainConfig(max_length=args.max_length, learning_rate=args.lr,
                         batch_size=args.batch_size, max_epochs=args.epochs,
                         patience=args.patience, seed=args.seed, device=args.device)
    train(args.data, args.base, args.out, config, args.text_column, args.label_column)
    return 0


def _demo_model(args: argparse.Namespace) -> int:
    from classifier_service.demo import default_demo_dir
    from classifier_service.demo.build import build_once

    build_once(args.out or default_demo_dir(), force=args.force)
    return 0


def _train_crisis(args: argparse.Namespace) -> int:
    from training.crisis import main

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
    train.add_argument("--label-column", default="label")
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

    demo_model = commands.add_parser("demo-model", help="build the embedded demo model")
    demo_model.add_argument("--out", type=Path, default=None,
                            help="default: the data home's models/demo-bert-ko-7")
    demo_model.add_argument("--force", action="store_true", help="rebuild even if present")
    demo_model.set_defaults(func=_demo_model)
