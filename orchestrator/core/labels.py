"""The classifier's label space as the orchestrator knows it, and the thresholds it implies.

Read from the classifier's model info at start and again whenever a Classify answer names
another model version (a rolled-out model with other labels must not be judged with the old
thresholds). Until the classifier has answered once, the 7-label defaults apply.
"""

from __future__ import annotations

import logging

from emotion_chat.errors import UpstreamError
from emotion_chat.taxonomy import CORE_LABELS
from orchestrator.core.policy import Thresholds
from orchestrator.core.ports import ClassifierPort, ModelInfo

log = logging.getLogger(__name__)


class LabelSpace:
    def __init__(self, classifier: ClassifierPort, answer: float | None,
                 confirm: float | None) -> None:
        self._classifier = classifier
        self._answer = answer
        self._confirm = confirm
        self.info: ModelInfo | None = None
        self.thresholds = Thresholds.for_model(len(CORE_LABELS), False, answer, confirm)

    def is_current(self, model_version: str) -> bool:
        return self.info is not None and self.info.version == model_version

    async def refresh(self, deadline: float | None = None) -> bool:
        """Read the model info; False (thresholds kept) when the classifier is unreachable."""
        try:
            info = await self._classifier.model_info(deadline)
        except UpstreamError as exc:
            log.warning("classifier model info unavailable (%s); thresholds %s kept",
                        exc.message, self.thresholds)
            return False
        if info != self.info:
            self.thresholds = Thresholds.for_model(len(info.labels), info.multi_label,
                                                   self._answer, self._confirm)
            log.info("classifier %s %s: %d labels%s; answer ≥ %.2f, confirm ≥ %.2f",
                     info.name, info.version, len(info.labels),
                     " (multi-label)" if info.multi_label else "", self.thresholds.answer,
                     self.thresholds.confirm)
        self.info = info
        return True
