"""Black-box: `emotion-chat serve generator` with defaults answers Korean text offline."""

import grpc

from emotion_chat.v1 import generator_pb2 as pb
from emotion_chat.v1 import generator_pb2_grpc as pb_grpc
from emotion_chat_cli.launch import start_service


def test_serve_generator_defaults_offline() -> None:
    process = start_service("generator", ["--host", "127.0.0.1", "--port", "0",
                                          "--metrics-port", "0"], timeout=60)
    try:
        with grpc.insecure_channel(process.target) as channel:
            stub = pb_grpc.GeneratorServiceStub(channel)
            request = pb.GenerateRequest(text="요즘 너무 외로워", persona="기쁨이",
                                         emotion=pb.Emotion(label="슬픔", score=0.9))
            response = stub.Generate(request, timeout=10)
            assert response.backend == "bank" and response.persona == "joy"
            streamed = "".join(e.delta for e in stub.GenerateStream(request, timeout=10)
                               if not e.HasField("done"))
            assert streamed.strip()
    finally:
        assert process.stop() == 0
