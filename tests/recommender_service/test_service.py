"""The recommender over gRPC: a real server on a free port serving a synthesised catalogue."""

import grpc
import pytest
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from servers import running_recommender

from emotion_chat.v1 import recommender_pb2 as pb


@pytest.fixture(scope="module")
async def recommender(music_index_dir):
    async with running_recommender(music_index_dir) as running:
        yield running


async def test_songs_for_an_emotion_from_any_label_set(recommender) -> None:
    for label, core in (("슬픔", "슬픔"), ("공포", "불안"), ("fear", "불안"), ("기쁨", "행복"),
                        ("걱정스러운", "불안")):
        found = await recommender.stub.Recommend(pb.RecommendRequest(emotion=label, k=3))
        assert found.emotion == core and len(found.tracks) == 3
        assert all(core in t.emotions and t.mime_type == "audio/ogg" for t in found.tracks)
    default = await recommender.stub.Recommend(pb.RecommendRequest(emotion="행복"))
    assert len(default.tracks) == 4  # k=5 by default; this catalogue has 4 per emotion


async def test_no_repeats_in_a_conversation_until_the_pool_is_used_up(recommender) -> None:
    async def ids(**kw) -> list[str]:
        reply = await recommender.stub.Recommend(pb.RecommendRequest(emotion="분노", k=2, **kw))
        return [t.id for t in reply.tracks]

    first, second = await ids(conversation_id="c1"), await ids(conversation_id="c1")
    assert not set(first) & set(second)  # 4 tracks: two rounds of 2 without a repeat
    third = await ids(conversation_id="c1")  # used up: a new round
    assert len(third) == 2
    # what a caller already has is never given again while anything else is left
    assert await ids(exclude_ids=first + second[:1]) == [second[1]]


async def test_varied_across_calls(recommender) -> None:
    seen = set()
    for _ in range(8):
        reply = await recommender.stub.Recommend(pb.RecommendRequest(emotion="당황", k=2))
        seen.add(tuple(sorted(t.id for t in reply.tracks)))
    assert len(seen) > 1


async def test_similar_tracks_with_distances(recommender) -> None:
    some = (await recommender.stub.Recommend(pb.RecommendRequest(emotion="슬픔", k=1))).tracks[0]
    similar = await recommender.stub.Similar(pb.SimilarRequest(track_id=some.id, k=5))
    assert len(similar.tracks) == 5 and some.id not in [t.id for t in similar.tracks]
    distances = [t.distance for t in similar.tracks]
    assert distances == sorted(distances) and distances[0] > 0
    track = await recommender.stub.GetTrack(pb.GetTrackRequest(track_id=some.id))
    assert track.title == some.title and track.duration_s == pytest.approx(8.0, abs=0.1)


async def test_catalogue_info(recommender) -> None:
    info = await recommender.stub.GetCatalogInfo(pb.GetCatalogInfoRequest())
    assert info.size == 28 and dict(info.tracks_per_emotion)["중립"] == 4
    assert info.index_kind == "hnsw" and info.dimension == 40
    assert info.index_params["M"] == "16" and "MFCC" in info.features and info.built_at


async def test_audio_in_byte_ranges(recommender, music_catalogue_dir) -> None:
    track = (await recommender.stub.Recommend(pb.RecommendRequest(emotion="중립", k=1))).tracks[0]
    whole = (music_catalogue_dir / "audio" / f"{track.id}.ogg").read_bytes()
    head = await recommender.stub.ReadAudio(pb.ReadAudioRequest(track_id=track.id, length=100))
    assert (head.data, head.total_size, head.mime_type) == (whole[:100], len(whole),
                                                            "audio/ogg")
    tail = await recommender.stub.ReadAudio(pb.ReadAudioRequest(
        track_id=track.id, offset=len(whole) - 10))
    assert tail.data == whole[-10:]


@pytest.mark.parametrize(("call", "message_in", "code", "message"), [
    ("Recommend", pb.RecommendRequest(emotion="몽글몽글"), grpc.StatusCode.INVALID_ARGUMENT,
     "unknown emotion '몽글몽글'"),
    ("Recommend", pb.RecommendRequest(emotion="행복", k=500), grpc.StatusCode.INVALID_ARGUMENT,
     "k must be at most"),
    ("Similar", pb.SimilarRequest(track_id="nope"), grpc.StatusCode.NOT_FOUND, "no track 'nope'"),
    ("GetTrack", pb.GetTrackRequest(track_id="nope"), grpc.StatusCode.NOT_FOUND, "no track"),
    ("ReadAudio", pb.ReadAudioRequest(track_id="haengbok-001", offset=10**9),
     grpc.StatusCode.INVALID_ARGUMENT, "past the end"),
])
async def test_bad_requests_say_what_is_wrong(recommender, call, message_in, code,
                                              message) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as error:
        await getattr(recommender.stub, call)(message_in)
    assert error.value.code() == code and message in error.value.details()


async def test_reflection_lists_the_service(recommender) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(recommender.channel)
    request = reflection_pb2.ServerReflectionRequest(list_services="")
    async for reply in stub.ServerReflectionInfo(iter([request])):
        names = [s.name for s in reply.list_services_response.service]
        assert "emotion_chat.v1.RecommenderService" in names
        break
    assert recommender.metric("recommender_catalogue_tracks") == 28
