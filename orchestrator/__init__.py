"""Orchestrator: conversation state, the dialogue policy, classify → generate chaining."""
