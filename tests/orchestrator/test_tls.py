"""TLS on the public service and to the downstream services; mutual TLS."""

import ssl

import grpc
import httpx
import pytest
from certs import make_certs
from servers import running_classifier, running_generator, running_orchestrator

from emotion_chat.v1 import orchestrator_pb2 as pb
from emotion_chat.v1 import orchestrator_pb2_grpc as pb_grpc


@pytest.fixture(scope="module")
def certs(tmp_path_factory):
    return make_certs(tmp_path_factory.mktemp("certs"))


async def test_tls_everywhere(tiny_model_dir, certs) -> None:
    tls = {"tls_cert_file": certs.server_cert, "tls_key_file": certs.server_key}
    async with running_classifier(tiny_model_dir, **tls) as classifier, \
            running_generator(**tls) as generator, \
            running_orchestrator(f"127.0.0.1:{classifier.runner.port}",
                                 f"127.0.0.1:{generator.runner.port}", downstream_tls=True,
                                 downstream_tls_ca_file=certs.ca, answer_threshold=0.0,
                                 confirm_threshold=0.0, **tls) as orch:
        target = f"127.0.0.1:{orch.runner.port}"
        credentials = grpc.ssl_channel_credentials(certs.ca.read_bytes())
        async with grpc.aio.secure_channel(target, credentials) as channel:
            reply = await pb_grpc.ChatServiceStub(channel).Chat(
                pb.ChatRequest(conversation_id="tls", text="보안 연결 잘 되니?"), timeout=10)
        assert reply.reply and not reply.degraded  # the downstream TLS calls worked too
        async with httpx.AsyncClient(base_url=orch.http_url.replace("http:", "https:"),
                                     verify=ssl.create_default_context(
                                         cafile=str(certs.ca))) as https:
            turn = await https.post("/v1/conversations/tls/messages",
                                    json={"text": "HTTP도 암호화되니?"})
            assert turn.status_code == 200 and turn.json()["turn_index"] == 1
        async with httpx.AsyncClient(base_url=orch.http_url) as plain_http:
            with pytest.raises(httpx.HTTPError):
                await plain_http.get("/healthz")
        async with grpc.aio.insecure_channel(target) as plain:
            with pytest.raises(grpc.aio.AioRpcError) as raised:
                await pb_grpc.ChatServiceStub(plain).Chat(
                    pb.ChatRequest(conversation_id="tls", text="평문"), timeout=3)
            assert raised.value.code() == grpc.StatusCode.UNAVAILABLE


async def test_mutual_tls_requires_a_client_certificate(tiny_model_dir, certs) -> None:
    async with running_generator(tls_cert_file=certs.server_cert, tls_key_file=certs.server_key,
                                 tls_client_ca_file=certs.ca) as generator:
        from emotion_chat.v1 import generator_pb2 as gen_pb
        from emotion_chat.v1 import generator_pb2_grpc as gen_grpc

        target = f"127.0.0.1:{generator.runner.port}"
        anonymous = grpc.ssl_channel_credentials(certs.ca.read_bytes())
        async with grpc.aio.secure_channel(target, anonymous) as channel:
            with pytest.raises(grpc.aio.AioRpcError):
                await gen_grpc.GeneratorServiceStub(channel).ListPersonas(
                    gen_pb.ListPersonasRequest(), timeout=3)
        identified = grpc.ssl_channel_credentials(certs.ca.read_bytes(),
                                                  certs.client_key.read_bytes(),
                                                  certs.client_cert.read_bytes())
        async with grpc.aio.secure_channel(target, identified) as channel:
            listed = await gen_grpc.GeneratorServiceStub(channel).ListPersonas(
                gen_pb.ListPersonasRequest(), timeout=3)
            assert listed.default_persona == "bingbong"
