"""Hugging Face checkpoint → ONNX model dir for the classifier (`emotion-chat export`).

1. Weights: PyTorch checkpoints go straight to optimum-onnx; TensorFlow-only checkpoints
   (e.g. `burningfalls/my-fine-tuned-bert`) are first converted with transformers'
   `from_tf=True` (needs `tensorflow`).
2. optimum-onnx exports the `text-classification` graph with tokenizer and config.
3. Optional: ONNX Runtime's transformer optimiser (fused attention/LayerNorm/GELU), fp16
   conversion (for the CUDA provider), int8 dynamic quantisation (for CPU).
4. Verification: PyTorch and the served ONNX path (our tokenizer + session) classify sample
   Korean sentences; the max abs logit difference is printed and checked.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SAMPLE_TEXTS = (
    "오늘 시험 끝나서 너무 행복해!",
    "내일 발표가 있는데 잘할 수 있을지 걱정돼요.",
    "친구가 내 생일을 잊어버려서 서운했어.",
    "지하철에서 넘어져서 너무 창피했어ㅠㅠ",
    "택배가 또 분실됐대요. 진짜 화나네요.",
    "주말에 도서관에 가서 책을 빌릴 거야.",
    "할머니가 돌아가신 지 벌써 일 년이 지났네. 아직도 많이 보고 싶어.",
)
# Tolerances for the logit check, by precision of the exported graph.
TOLERANCE = {"fp32": 1e-3, "fp16": 5e-2, "int8": 1.0}


@dataclass(frozen=True)
class ExportReport:
    out_dir: Path
    max_abs_diff: float
    precision: str
    same_top_label: bool


Progress = Callable[[str], None]


def _has_pytorch_weights(src: str) -> bool:
    path = Path(src)
    if not path.is_dir():
        return True  # hub id: let transformers/optimum decide
    return any((path / f).exists() for f in ("model.safetensors", "pytorch_model.bin",
                                              "model.safetensors.index.json",
                                              "pytorch_model.bin.index.json"))


def _tf_to_pytorch(src: str, work: Path, progress: Progress) -> str:
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    progress(f"converting TensorFlow weights of {src} to PyTorch")
    try:
        model = AutoModelForSequenceClassification.from_pretrained(src, from_tf=True)
    except ImportError as exc:
        raise SystemExit(f"{src} has TensorFlow weights only: pip install tensorflow") from exc
    out = work / "pytorch"
    model.save_pretrained(out)
    AutoTokenizer.from_pretrained(src).save_pretrained(out)
    return str(out)


def _optimize(model_path: Path, config: dict[str, object], fp16: bool) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    optimized = optimize_model(
        str(model_path), model_type="bert",
        num_heads=int(config.get("num_attention_heads", 0)),  # type: ignore[call-overload]
        hidden_size=int(config.get("hidden_size", 0)),  # type: ignore[call-overload]
        opt_level=1, use_gpu=fp16)
    if fp16:
        optimized.convert_float_to_float16(keep_io_types=True)
    optimized.save_model_to_file(str(model_path))


def _quantize_int8(model_path: Path, optimized: bool) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    tmp = model_path.with_suffix(".fp32.onnx")
    model_path.rename(tmp)
    extra = {"DefaultTensorType": onnx.TensorProto.FLOAT} if optimized else {}
    quantize_dynamic(str(tmp), str(model_path), weight_type=QuantType.QInt8,
                     extra_options=extra)
    tmp.unlink()


def verify(pytorch_src: str, onnx_dir: Path, texts: Sequence[str] = SAMPLE_TEXTS
           ) -> tuple[float, bool]:
    """Max abs logit difference PyTorch vs. the served ONNX path, and top-label agreement."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from classifier_service.model import ClassifierModel

    tokenizer = AutoTokenizer.from_pretrained(pytorch_src)
    model = AutoModelForSequenceClassification.from_pretrained(pytorch_src).eval()
    with torch.no_grad():
        inputs = tokenizer(list(texts), padding=True, truncation=True, max_length=128,
                           return_tensors="pt")
        expected = model(**inputs).logits.float().numpy()
    served = ClassifierModel.load(onnx_dir, device="cpu")
    actual = served.session.run(served.encoder.pad(served.encoder.encode(list(texts))))
    diff = float(np.abs(expected - actual).max())
    same_top = bool((expected.argmax(-1) == actual.argmax(-1)).all())
    return diff, same_top


def export(src: str, out_dir: Path, *, optimize: bool = False, fp16: bool = False,
           int8: bool = False, opset: int | None = None, model_version: str | None = None,
           progress: Progress = print) -> ExportReport:
    if fp16 and int8:
        raise ValueError("choose fp16 (GPU) or int8 (CPU), not both")
    from optimum.exporters.onnx import main_export

    out_dir = Path(out_dir)
    steps = 3 + int(optimize or fp16) + int(int8)
    step = 0

    def stage(text: str) -> None:
        nonlocal step
        step += 1
        progress(f"[{step}/{steps}] {text}")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        stage(f"loading {src}")
        source = src if _has_pytorch_weights(src) else _tf_to_pytorch(src, work, progress)
        stage("exporting to ONNX with optimum-onnx (task text-classification)")
        staging = work / "onnx"
        main_export(source, staging, task="text-classification", opset=opset,
                    do_validation=False)
        config_path = staging / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        if model_version:
            config["model_version"] = model_version
            config_path.write_text(json.dumps(config, ensure_ascii=False, indent=2),
                                   encoding="utf-8")
        if not (staging / "tokenizer.json").is_file():
            raise SystemExit(f"{src} has no fast tokenizer (tokenizer.json); the server "
                             "tokenises with the Rust tokenizers library and needs one")
        if optimize or fp16:
            stage("optimising with the ONNX Runtime transformer optimiser"
                  + (" and converting to fp16" if fp16 else ""))
            _optimize(staging / "model.onnx", config, fp16)
        if int8:
            stage("quantising weights to int8 (dynamic)")
            _quantize_int8(staging / "model.onnx", optimized=optimize)
        stage("verifying ONNX against PyTorch on sample Korean text")
        diff, same_top = verify(source, staging)
        precision = "fp16" if fp16 else "int8" if int8 else "fp32"
        progress(f"max abs logit difference {diff:.3g} ({precision}); "
                 f"top label {'identical' if same_top else 'DIFFERS'} on "
                 f"{len(SAMPLE_TEXTS)} sample sentences")
        if diff > TOLERANCE[precision]:
            raise SystemExit(f"exported model differs from PyTorch by {diff:.3g} "
                             f"(tolerance {TOLERANCE[precision]} for {precision})")
        if out_dir.exists():
            shutil.rmtree(out_dir)
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        shutil.copytree(staging, out_dir)
    return ExportReport(out_dir, diff, precision, same_top)
