"""`emotion-chat demo`: the stack on embedded defaults, then a short scripted conversation."""

from __future__ import annotations

import grpc

from emotion_chat.launch import start_service
from emotion_chat.v1 import classifier_pb2 as pb
from emotion_chat.v1 import classifier_pb2_grpc as pb_grpc

DEMO_LINES = (
    "오늘 드디어 합격 통보 받았어! 너무 좋아",
    "내일 면접인데 떨려서 잠이 안 와요",
    "친구가 내 생일을 또 잊어버렸어. 서운하다",
    "회의 중에 마이크 켜진 줄 모르고 혼잣말했어ㅋㅋ",
    "택배가 세 번째 분실됐대요. 진짜 화나네",
    "이번 주말에는 집 정리하려고",
)


def run_demo() -> int:
    print("starting the classifier (the demo model is built on first use)...", flush=True)
    classifier = start_service("classifier", ["--host", "127.0.0.1", "--port", "0",
                                              "--metrics-port", "0"], echo=True)
    try:
        with grpc.insecure_channel(classifier.target) as channel:
            stub = pb_grpc.ClassifierServiceStub(channel)
            info = stub.GetModelInfo(pb.GetModelInfoRequest(), timeout=10)
            print(f"\nmodel {info.model_name} v{info.model_version} on "
                  f"{info.execution_provider}; labels: {', '.join(info.labels)}\n")
            for line in DEMO_LINES:
                response = stub.Classify(pb.ClassifyRequest(texts=[line], top_k=2), timeout=10)
                top = response.results[0].scores
                print(f"나: {line}\n   감정: {top[0].label} ({top[0].score:.0%}), "
                      f"다음 {top[1].label} ({top[1].score:.0%}) · "
                      f"{response.timings.total_ms:.1f} ms")
    finally:
        classifier.stop()
    return 0
