"""The KoGPT2-style generator: its tokenizer and fine-tuning on dialogue pairs."""
