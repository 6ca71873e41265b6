"""Dynamic batching of texts: a bounded queue, length-grouped batches under a token budget."""

from classifier_service.batching.batcher import BatchOutcome, BatchPolicy, DynamicBatcher
from classifier_service.batching.items import Priority, QueuedText

__all__ = ["BatchOutcome", "BatchPolicy", "DynamicBatcher", "Priority", "QueuedText"]
