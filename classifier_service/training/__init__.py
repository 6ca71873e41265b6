"""Model tooling (needs the `train` extra): data preparation, fine-tuning, ONNX export."""
