"""Classifiers: fine-tuning (single- and multi-label), reports, tokenizers, ONNX export."""
