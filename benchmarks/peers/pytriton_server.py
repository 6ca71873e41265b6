"""Triton's dynamic batcher through PyTriton, running the same ONNX model with onnxruntime
inside the bound function and tokenising on the server, like our classifier.

Runs in its own virtualenv (PyTriton needs numpy < 2; see benchmarks/peers/venvs.py):

    TRITON_VENV/bin/python benchmarks/peers/pytriton_server.py MODEL_DIR --http-port 8000 \\
        --max-batch-size 16 --max-queue-delay-us 2000

This file imports nothing from the project, so it runs in that virtualenv as is.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
from pytriton.decorators import batch
from pytriton.model_config import DynamicBatcher, ModelConfig, Tensor
from pytriton.triton import Triton, TritonConfig
from tokenizers import Tokenizer


def build_infer(model_dir: Path, threads: int, device: str):  # type: ignore[no-untyped-def]
    config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=128)
    tokenizer.enable_padding(pad_id=int(config.get("pad_token_id") or 0))
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    providers = (["CUDAExecutionProvider", "CPUExecutionProvider"] if device == "cuda"
                 else ["CPUExecutionProvider"])
    session = ort.InferenceSession(str(model_dir / "model.onnx"), options, providers=providers)
    names = {i.name for i in session.get_inputs()}

    @batch
    def infer(text: np.ndarray) -> dict[str, np.ndarray]:
        texts = [row[0].decode("utf-8") if isinstance(row[0], bytes) else str(row[0])
                 for row in text]
        encodings = tokenizer.encode_batch(texts)
        feeds = {"input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                 "attention_mask": np.array([e.attention_mask for e in encodings],
                                            dtype=np.int64)}
        if "token_type_ids" in names:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        logits = session.run(None, feeds)[0]
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        return {"scores": (exp / exp.sum(axis=1, keepdims=True)).astype(np.float32)}

    return infer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("--http-port", type=int, default=8000)
    parser.add_argument("--grpc-port", type=int, default=8001)
    parser.add_argument("--metrics-port", type=int, default=8002)
    parser.add_argument("--max-batch-size", type=int, default=16)
    parser.add_argument("--max-queue-delay-us", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    args = parser.parse_args()
    infer = build_infer(args.model_dir, args.threads, args.device)
    config = TritonConfig(http_address="127.0.0.1", http_port=args.http_port,
                          grpc_address="127.0.0.1", grpc_port=args.grpc_port,
                          metrics_port=args.metrics_port, log_verbose=0)
    triton = Triton(config=config)
    # Started in the background Triton ignores SIGINT: stop cleanly on SIGTERM too, so its
    # work directories are removed.
    signal.signal(signal.SIGTERM, lambda *_: (triton.stop(), sys.exit(0)))
    with triton:
        triton.bind(
            model_name="classifier", infer_func=infer,
            inputs=[Tensor(name="text", dtype=bytes, shape=(1,))],
            outputs=[Tensor(name="scores", dtype=np.float32, shape=(-1,))],
            config=ModelConfig(max_batch_size=args.max_batch_size, batcher=DynamicBatcher(
                max_queue_delay_microseconds=args.max_queue_delay_us)),
            strict=False)
        print(f"READY pytriton port={args.http_port} metrics_port={args.metrics_port}",
              flush=True)
        triton.serve()


if __name__ == "__main__":
    main()
