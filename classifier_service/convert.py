"""Domain results ↔ emotion_chat.v1 protobuf messages."""

from __future__ import annotations

import numpy as np

from classifier_service.core import ClassifyResult, TextResult, Timings
from classifier_service.labels import LabelSpace, ProblemType
from emotion_chat.v1 import classifier_pb2 as pb

PROBLEM_TYPES = {
    ProblemType.SINGLE_LABEL: pb.PROBLEM_TYPE_SINGLE_LABEL,
    ProblemType.MULTI_LABEL: pb.PROBLEM_TYPE_MULTI_LABEL,
}


def classification(result: TextResult, labels: LabelSpace, top_k: int) -> pb.Classification:
    scores = result.scores
    order = np.argsort(-scores, kind="stable")
    if top_k:
        order = order[:top_k]
    active = labels.active(scores)
    names = labels.labels
    return pb.Classification(
        scores=[pb.LabelScore(label=names[i], score=float(scores[i]), active=bool(active[i]))
                for i in order],
        truncated=result.truncated,
        num_tokens=result.num_tokens)


def timings(t: Timings) -> pb.ClassifierTimings:
    return pb.ClassifierTimings(tokenize_ms=t.tokenize_s * 1e3, queue_ms=t.queue_s * 1e3,
                                inference_ms=t.inference_s * 1e3, total_ms=t.total_s * 1e3)


def classify_response(result: ClassifyResult, labels: LabelSpace, top_k: int, model_name: str,
                      model_version: str) -> pb.ClassifyResponse:
    return pb.ClassifyResponse(
        results=[classification(r, labels, top_k) for r in result.results],
        model_name=model_name, model_version=model_version, timings=timings(result.timings))
