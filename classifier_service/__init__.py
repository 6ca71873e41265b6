"""Batching gRPC emotion classifier: a BERT-family model exported to ONNX, served without torch."""
