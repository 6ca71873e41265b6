"""Making models, offline (the `train` extra: torch and transformers, imported only inside
the commands): reading labelled tables, fine-tuning and exporting classifiers, the embedded
demo models, the crisis score, labelling a corpus through a running classifier, masked-LM
pre-training and fine-tuning the KoGPT2-style generator. Nothing here is imported by a
service; tools reach the services through their gRPC clients and models through the
model-directory contract (config.json, tokenizer.json, model.onnx)."""
