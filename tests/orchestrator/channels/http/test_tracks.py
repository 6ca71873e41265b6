"""Songs through the HTTP front door: in the turn, similar ones, and the audio with range
requests, against a real recommender serving a synthesised catalogue."""

import httpx
import pytest
from servers import running_orchestrator, running_recommender

from emotion_chat.v1 import orchestrator_pb2 as pb


@pytest.fixture(scope="module")
async def music(downstream, music_index_dir):
    async with running_recommender(music_index_dir) as recommender, \
            running_orchestrator(*downstream, answer_threshold=0.0, confirm_threshold=0.0,
                                 recommender_target=recommender.target) as orch, \
            httpx.AsyncClient(base_url=orch.http_url) as http:
        yield orch, recommender, http


async def test_a_turn_carries_songs_with_their_audio_urls(music) -> None:
    orch, _, http = music
    turn = (await http.post("/v1/conversations/m-1/messages",
                            json={"text": "시험 합격했어 너무 좋아"})).json()
    assert turn["kind"] == "generated" and len(turn["tracks"]) == 4  # 4 per emotion here
    core = turn["emotion"]["core"]
    assert all(core in t["emotions"] for t in turn["tracks"])
    assert turn["tracks"][0]["audio_url"] == f"/v1/tracks/{turn['tracks'][0]['id']}/audio"
    assert "recommend_ms" in turn["timings"]
    grpc_turn = await orch.stub.Chat(pb.ChatRequest(conversation_id="m-2", text="비 와서 우울해"))
    assert len(grpc_turn.tracks) == 4 and grpc_turn.tracks[0].mime_type == "audio/ogg"


async def test_similar_songs(music) -> None:
    _, _, http = music
    track = (await http.post("/v1/conversations/m-3/messages",
                             json={"text": "택배 또 분실됨 짜증나"})).json()["tracks"][0]
    similar = await http.get(f"/v1/tracks/{track['id']}/similar", params={"k": 3})
    assert similar.status_code == 200
    tracks = similar.json()["tracks"]
    assert len(tracks) == 3 and track["id"] not in [t["id"] for t in tracks]
    assert [t["distance"] for t in tracks] == sorted(t["distance"] for t in tracks)
    missing = await http.get("/v1/tracks/nope/similar")
    assert missing.status_code == 404 and "no track 'nope'" in missing.json()["error"]["message"]


async def test_audio_with_range_requests(music, music_catalogue_dir) -> None:
    _, _, http = music
    whole = (music_catalogue_dir / "audio" / "seulpeum-001.ogg").read_bytes()
    full = await http.get("/v1/tracks/seulpeum-001/audio")
    assert full.status_code == 200 and full.content == whole
    assert full.headers["content-type"] == "audio/ogg" and full.headers["accept-ranges"] == "bytes"
    part = await http.get("/v1/tracks/seulpeum-001/audio", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == whole[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole)}"
    open_ended = await http.get("/v1/tracks/seulpeum-001/audio", headers={"Range": "bytes=-50"})
    assert open_ended.status_code == 206 and open_ended.content == whole[-50:]
    beyond = await http.get("/v1/tracks/seulpeum-001/audio",
                            headers={"Range": f"bytes={len(whole) + 5}-"})
    assert beyond.status_code == 416 and beyond.headers["content-range"] == f"bytes */{len(whole)}"


async def test_without_a_recommender_there_are_no_songs(orch) -> None:
    async with httpx.AsyncClient(base_url=orch.http_url) as http:
        turn = (await http.post("/v1/conversations/m-4/messages",
                                json={"text": "오늘 기분 좋아"})).json()
        assert turn["tracks"] == []
        similar = await http.get("/v1/tracks/haengbok-001/similar")
        assert similar.status_code == 409 and "no recommender" in similar.text


async def test_the_recommender_down_flags_the_turn(downstream, music_index_dir) -> None:
    async with running_recommender(music_index_dir) as recommender:
        target = recommender.target
    async with running_orchestrator(*downstream, answer_threshold=0.0, confirm_threshold=0.0,
                                    recommender_target=target, downstream_retries=1) as orch:
        reply = await orch.stub.Chat(pb.ChatRequest(conversation_id="m-5", text="행복해"))
    assert reply.kind == pb.REPLY_KIND_GENERATED and reply.reply
    assert list(reply.degraded) == ["recommender_unavailable"] and not reply.tracks
