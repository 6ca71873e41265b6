from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class Track(_message.Message):
    __slots__ = ("id", "title", "artist", "emotions", "duration_s", "licence", "mime_type", "distance")
    ID_FIELD_NUMBER: _ClassVar[int]
    TITLE_FIELD_NUMBER: _ClassVar[int]
    ARTIST_FIELD_NUMBER: _ClassVar[int]
    EMOTIONS_FIELD_NUMBER: _ClassVar[int]
    DURATION_S_FIELD_NUMBER: _ClassVar[int]
    LICENCE_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    DISTANCE_FIELD_NUMBER: _ClassVar[int]
    id: str
    title: str
    artist: str
    emotions: _containers.RepeatedScalarFieldContainer[str]
    duration_s: float
    licence: str
    mime_type: str
    distance: float
    def __init__(self, id: _Optional[str] = ..., title: _Optional[str] = ..., artist: _Optional[str] = ..., emotions: _Optional[_Iterable[str]] = ..., duration_s: _Optional[float] = ..., licence: _Optional[str] = ..., mime_type: _Optional[str] = ..., distance: _Optional[float] = ...) -> None: ...

class RecommendRequest(_message.Message):
    __slots__ = ("emotion", "k", "conversation_id", "exclude_ids")
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    EXCLUDE_IDS_FIELD_NUMBER: _ClassVar[int]
    emotion: str
    k: int
    conversation_id: str
    exclude_ids: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, emotion: _Optional[str] = ..., k: _Optional[int] = ..., conversation_id: _Optional[str] = ..., exclude_ids: _Optional[_Iterable[str]] = ...) -> None: ...

class RecommendResponse(_message.Message):
    __slots__ = ("tracks", "emotion")
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    tracks: _containers.RepeatedCompositeFieldContainer[Track]
    emotion: str
    def __init__(self, tracks: _Optional[_Iterable[_Union[Track, _Mapping]]] = ..., emotion: _Optional[str] = ...) -> None: ...

class SimilarRequest(_message.Message):
    __slots__ = ("track_id", "k")
    TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    K_FIELD_NUMBER: _ClassVar[int]
    track_id: str
    k: int
    def __init__(self, track_id: _Optional[str] = ..., k: _Optional[int] = ...) -> None: ...

class SimilarResponse(_message.Message):
    __slots__ = ("tracks",)
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    tracks: _containers.RepeatedCompositeFieldContainer[Track]
    def __init__(self, tracks: _Optional[_Iterable[_Union[Track, _Mapping]]] = ...) -> None: ...

class GetTrackRequest(_message.Message):
    __slots__ = ("track_id",)
    TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    track_id: str
    def __init__(self, track_id: _Optional[str] = ...) -> None: ...

class GetCatalogInfoRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class CatalogInfo(_message.Message):
    __slots__ = ("size", "tracks_per_emotion", "index_kind", "index_params", "dimension", "features", "built_at")
    class TracksPerEmotionEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class IndexParamsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    SIZE_FIELD_NUMBER: _ClassVar[int]
    TRACKS_PER_EMOTION_FIELD_NUMBER: _ClassVar[int]
    INDEX_KIND_FIELD_NUMBER: _ClassVar[int]
    INDEX_PARAMS_FIELD_NUMBER: _ClassVar[int]
    DIMENSION_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    BUILT_AT_FIELD_NUMBER: _ClassVar[int]
    size: int
    tracks_per_emotion: _containers.ScalarMap[str, int]
    index_kind: str
    index_params: _containers.ScalarMap[str, str]
    dimension: int
    features: str
    built_at: str
    def __init__(self, size: _Optional[int] = ..., tracks_per_emotion: _Optional[_Mapping[str, int]] = ..., index_kind: _Optional[str] = ..., index_params: _Optional[_Mapping[str, str]] = ..., dimension: _Optional[int] = ..., features: _Optional[str] = ..., built_at: _Optional[str] = ...) -> None: ...

class ReadAudioRequest(_message.Message):
    __slots__ = ("track_id", "offset", "length")
    TRACK_ID_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    LENGTH_FIELD_NUMBER: _ClassVar[int]
    track_id: str
    offset: int
    length: int
    def __init__(self, track_id: _Optional[str] = ..., offset: _Optional[int] = ..., length: _Optional[int] = ...) -> None: ...

class AudioChunk(_message.Message):
    __slots__ = ("data", "offset", "total_size", "mime_type")
    DATA_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    TOTAL_SIZE_FIELD_NUMBER: _ClassVar[int]
    MIME_TYPE_FIELD_NUMBER: _ClassVar[int]
    data: bytes
    offset: int
    total_size: int
    mime_type: str
    def __init__(self, data: _Optional[bytes] = ..., offset: _Optional[int] = ..., total_size: _Optional[int] = ..., mime_type: _Optional[str] = ...) -> None: ...
