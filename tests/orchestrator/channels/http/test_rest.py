"""The HTTP front door, black-box: a real orchestrator (gRPC + HTTP in one process) with a
real classifier and generator, driven with httpx and a gRPC stub."""

import uuid

import grpc
import httpx
import pytest
from servers import running_orchestrator
from sse import events

from emotion_chat.v1 import orchestrator_pb2 as pb


def cid() -> str:
    return f"h-{uuid.uuid4().hex[:10]}"


@pytest.fixture
async def http(orch):
    async with httpx.AsyncClient(base_url=orch.http_url, timeout=20) as client:
        yield client


async def test_a_turn_as_json(http, orch) -> None:
    c = cid()
    response = await http.post(f"/v1/conversations/{c}/messages",
                               json={"text": "오늘 너무 행복해", "persona": "기쁨이"})
    assert response.status_code == 200 and response.headers["content-type"] == \
        "application/json"
    turn = response.json()
    assert turn["conversation_id"] == c and turn["reply"] and turn["persona"] == "joy"
    assert turn["kind"] == "generated" and turn["state"] == "idle" and turn["turn_index"] == 0
    assert turn["emotion"]["label"] and len(turn["emotion"]["top"]) == 3
    assert turn["timings"]["classify_ms"] > 0 and turn["timings"]["total_ms"] > 0
    assert orch.metric("orchestrator_turns_total", {
        "persona": "joy", "emotion": turn["emotion"]["label"], "kind": "generated",
        "channel": "http"}) == 1


async def test_grpc_and_http_turns_share_one_conversation(http, orch) -> None:
    c = cid()
    by_grpc = await orch.stub.Chat(pb.ChatRequest(conversation_id=c, text="시험 망쳤어"))
    by_http = (await http.post(f"/v1/conversations/{c}/messages",
                               json={"text": "그래도 다음엔 잘할 거야"})).json()
    assert (by_grpc.turn_index, by_http["turn_index"]) == (0, 1)
    stored = (await http.get(f"/v1/conversations/{c}")).json()
    assert [t["text"] for t in stored["turns"]] == [
        "시험 망쳤어", by_grpc.reply, "그래도 다음엔 잘할 거야", by_http["reply"]]
    assert [t["channel"] for t in stored["turns"][::2]] == ["grpc", "http"]
    assert stored["total_turns"] == 2
    over_grpc = await orch.stub.GetConversation(pb.GetConversationRequest(conversation_id=c))
    assert [t.text for t in over_grpc.turns] == [t["text"] for t in stored["turns"]]


async def test_server_sent_events_come_in_order(http) -> None:
    c = cid()
    async with http.stream("POST", f"/v1/conversations/{c}/messages",
                           json={"text": "친구랑 싸워서 속상해"},
                           headers={"accept": "text/event-stream"}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        received = [event async for event in events(response)]
    names = [name for name, _ in received]
    assert names[0] == "emotion" and names[-1] == "result"
    assert set(names[1:-1]) == {"delta"} and len(names) > 3
    result = received[-1][1]
    assert "".join(d["text"] for _, d in received[1:-1]).strip() == result["reply"]
    assert received[0][1]["label"] == result["emotion"]["label"]


async def test_regenerate_replaces_the_last_reply(http) -> None:
    c = cid()
    first = (await http.post(f"/v1/conversations/{c}/messages",
                             json={"text": "회사 일이 너무 많아서 지쳐"})).json()
    again = await http.post(f"/v1/conversations/{c}/regenerate")
    assert again.status_code == 200
    regenerated = again.json()
    assert regenerated["regenerated"] and regenerated["reply"] != first["reply"]
    assert regenerated["turn_index"] == 0
    stored = (await http.get(f"/v1/conversations/{c}")).json()
    assert [t["text"] for t in stored["turns"]] == ["회사 일이 너무 많아서 지쳐",
                                                    regenerated["reply"]]
    async with http.stream("POST", f"/v1/conversations/{c}/regenerate", json={},
                           headers={"accept": "text/event-stream"}) as response:
        names = [name async for name, _ in events(response)]
    assert names[0] == "emotion" and names[-1] == "result"
    missing = await http.post(f"/v1/conversations/{cid()}/regenerate")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"


async def test_delete_erases_the_conversation(http) -> None:
    c = cid()
    await http.post(f"/v1/conversations/{c}/messages", json={"text": "비밀 얘기 하나 할게"})
    deleted = await http.delete(f"/v1/conversations/{c}")
    assert deleted.status_code == 200 and deleted.json() == {"deleted": True}
    gone = await http.get(f"/v1/conversations/{c}")
    assert gone.status_code == 404
    assert gone.json() == {"error": {"code": "not_found",
                                     "message": f"no conversation '{c}'"}}
    assert (await http.delete(f"/v1/conversations/{c}")).json() == {"deleted": False}


@pytest.mark.parametrize(("body", "message"), [
    (b'{"text": ', "the request body is not valid JSON"),
    (b'[1, 2]', "Input should be a valid dictionary"),
    (b'{"txt": "hi"}', "text is required"),
    (b'{"text": 5}', "text: Input should be a valid string"),
    (b'{"text": "   "}', "text is empty"),
    (b'{"text": "hi", "persona": "joker"}', "unknown persona 'joker'"),
    (b'{"text": "hi", "params": {"temperature": 5}}', "params.temperature 5.0 is outside"),
    (b'{"text": "hi", "request_id": "\\u0000"}', "request_id must be"),
])
async def test_bad_input_is_400_says_what_is_wrong_and_stores_nothing(http, body,
                                                                      message) -> None:
    c = cid()
    for accept in ("application/json", "text/event-stream"):
        response = await http.post(f"/v1/conversations/{c}/messages", content=body,
                                   headers={"content-type": "application/json",
                                            "accept": accept})
        assert response.status_code == 400, response.text
        error = response.json()["error"]
        assert error["code"] == "invalid_argument" and message in error["message"]
    assert (await http.get(f"/v1/conversations/{c}")).status_code == 404


async def test_bad_conversation_ids_and_routes(http) -> None:
    bad = await http.post("/v1/conversations/a%20b/messages", json={"text": "hi"})
    assert bad.status_code == 400 and "conversation_id must be" in bad.json()["error"]["message"]
    unknown = await http.get("/v1/nowhere")
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    wrong_method = await http.put(f"/v1/conversations/{cid()}/messages", json={"text": "x"})
    assert wrong_method.status_code == 405


async def test_personas_health_and_docs(http) -> None:
    personas = (await http.get("/v1/personas")).json()
    assert personas["default"] == "bingbong" and len(personas["personas"]) == 5
    assert (await http.get("/healthz")).json() == {"status": "ok"}
    assert (await http.get("/readyz")).json() == {"status": "serving"}
    spec = (await http.get("/openapi.json")).json()
    assert "/v1/conversations/{conversation_id}/messages" in spec["paths"]
    assert "/v1/chat/completions" in spec["paths"] and "/kakao/skill" in spec["paths"]
    page = (await http.get("/docs")).text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    asset = await http.get("/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000


async def test_bearer_tokens_guard_both_doors(downstream) -> None:
    async with running_orchestrator(*downstream, auth_tokens="s3cret") as orch, \
            httpx.AsyncClient(base_url=orch.http_url) as http:
        c = cid()
        refused = await http.post(f"/v1/conversations/{c}/messages", json={"text": "안녕"})
        assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"
        assert refused.json()["error"]["code"] == "unauthenticated"
        wrong = await http.get("/v1/personas", headers={"authorization": "Bearer nope"})
        assert wrong.status_code == 401
        ok = await http.post(f"/v1/conversations/{c}/messages", json={"text": "안녕"},
                             headers={"authorization": "Bearer s3cret"})
        assert ok.status_code == 200
        assert (await http.get("/healthz")).status_code == 200  # probes stay open
        kakao = await http.post("/kakao/skill", json={})
        assert kakao.status_code == 401
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await orch.stub.Chat(pb.ChatRequest(conversation_id=c, text="안녕"))
        assert raised.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_cors_origins(downstream) -> None:
    async with running_orchestrator(*downstream, cors_origins="https://chat.example") as orch, \
            httpx.AsyncClient(base_url=orch.http_url) as http:
        preflight = await http.options(
            f"/v1/conversations/{cid()}/messages",
            headers={"origin": "https://chat.example", "access-control-request-method": "POST",
                     "access-control-request-headers": "content-type"})
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "https://chat.example"
        other = await http.get("/v1/personas", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers


async def test_an_idempotency_key_makes_a_retried_post_answer_the_stored_turn(http, orch
                                                                            ) -> None:
    c = cid()
    url = f"/v1/conversations/{c}/messages"
    key = {"Idempotency-Key": f"k-{uuid.uuid4().hex}"}
    first = (await http.post(url, json={"text": "내일 면접이야"}, headers=key)).json()
    again = (await http.post(url, json={"text": "내일 면접이야"}, headers=key)).json()
    assert (again["reply"], again["turn_index"], again["replayed"]) == \
        (first["reply"], 0, True) and not first["replayed"]
    reused = await http.post(url, json={"text": "다른 말"}, headers=key)
    assert reused.status_code == 409 and "already used" in reused.json()["error"]["message"]
    by_grpc = await orch.stub.Chat(pb.ChatRequest(conversation_id=c, text="내일 면접이야",
                                                  request_id=key["Idempotency-Key"]))
    assert by_grpc.replayed and by_grpc.reply == first["reply"]
    stored = (await http.get(f"/v1/conversations/{c}")).json()
    assert stored["total_turns"] == 1 and len(stored["turns"]) == 2
