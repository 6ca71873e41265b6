"""The transport-free chat core: domain types, the dialogue policy, the ports it needs from
the models, and `ChatCore`, which runs one turn for every front door."""

from orchestrator.core.chat import ChatCore
from orchestrator.core.stream import TurnStream

__all__ = ["ChatCore", "TurnStream"]
