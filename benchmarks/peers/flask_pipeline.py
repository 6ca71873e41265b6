"""The per-request baseline of the BERT & GPT pipeline paper's design: a threaded Flask app
whose `/predict` runs a transformers `pipeline("text-classification")` (PyTorch) on each
request.

    python -m benchmarks.peers.flask_pipeline CHECKPOINT_DIR --port 8500
"""

from __future__ import annotations

import argparse
import logging

import torch
from flask import Flask, jsonify, request
from transformers import pipeline


def create_app(checkpoint: str) -> Flask:
    classifier = pipeline("text-classification", model=checkpoint, tokenizer=checkpoint,
                          top_k=None, device=-1)
    app = Flask(__name__)

    @app.post("/predict")
    def predict():  # type: ignore[no-untyped-def]
        texts = request.get_json(force=True)["texts"]
        with torch.inference_mode():
            scores = classifier(texts, truncation=True, max_length=128)
        return jsonify(scores)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("--port", type=int, default=8500)
    args = parser.parse_args()
    app = create_app(args.checkpoint)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(f"READY flask-pipeline port={args.port} metrics_port=0", flush=True)
    app.run(host="127.0.0.1", port=args.port, threaded=True)


if __name__ == "__main__":
    main()
