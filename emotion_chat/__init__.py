"""emotion-chat: shared runtime of the Korean emotion-aware chatbot services."""

__version__ = "0.1.0"
