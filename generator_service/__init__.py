"""Generator service: emotion-conditioned replies in a persona's voice (bank, OpenAI-compatible
APIs, or a local KoGPT2-style causal LM)."""
