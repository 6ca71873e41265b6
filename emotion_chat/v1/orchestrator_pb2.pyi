from emotion_chat.v1 import generator_pb2 as _generator_pb2
from emotion_chat.v1 import recommender_pb2 as _recommender_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DialogueState(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    DIALOGUE_STATE_UNSPECIFIED: _ClassVar[DialogueState]
    DIALOGUE_STATE_IDLE: _ClassVar[DialogueState]
    DIALOGUE_STATE_CONFIRM_EMOTION: _ClassVar[DialogueState]

class ReplyKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    REPLY_KIND_UNSPECIFIED: _ClassVar[ReplyKind]
    REPLY_KIND_RULE: _ClassVar[ReplyKind]
    REPLY_KIND_GENERATED: _ClassVar[ReplyKind]
    REPLY_KIND_CONFIRM_QUESTION: _ClassVar[ReplyKind]
    REPLY_KIND_FALLBACK: _ClassVar[ReplyKind]
    REPLY_KIND_CRISIS: _ClassVar[ReplyKind]
DIALOGUE_STATE_UNSPECIFIED: DialogueState
DIALOGUE_STATE_IDLE: DialogueState
DIALOGUE_STATE_CONFIRM_EMOTION: DialogueState
REPLY_KIND_UNSPECIFIED: ReplyKind
REPLY_KIND_RULE: ReplyKind
REPLY_KIND_GENERATED: ReplyKind
REPLY_KIND_CONFIRM_QUESTION: ReplyKind
REPLY_KIND_FALLBACK: ReplyKind
REPLY_KIND_CRISIS: ReplyKind

class ChatRequest(_message.Message):
    __slots__ = ("conversation_id", "text", "persona", "params", "request_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    PERSONA_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    text: str
    persona: str
    params: _generator_pb2.GenerationParams
    request_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., text: _Optional[str] = ..., persona: _Optional[str] = ..., params: _Optional[_Union[_generator_pb2.GenerationParams, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class RegenerateRequest(_message.Message):
    __slots__ = ("conversation_id", "persona", "params", "request_id")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    PERSONA_FIELD_NUMBER: _ClassVar[int]
    PARAMS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    persona: str
    params: _generator_pb2.GenerationParams
    request_id: str
    def __init__(self, conversation_id: _Optional[str] = ..., persona: _Optional[str] = ..., params: _Optional[_Union[_generator_pb2.GenerationParams, _Mapping]] = ..., request_id: _Optional[str] = ...) -> None: ...

class EmotionScore(_message.Message):
    __slots__ = ("label", "score")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    label: str
    score: float
    def __init__(self, label: _Optional[str] = ..., score: _Optional[float] = ...) -> None: ...

class DetectedEmotion(_message.Message):
    __slots__ = ("label", "score", "top")
    LABEL_FIELD_NUMBER: _ClassVar[int]
    SCORE_FIELD_NUMBER: _ClassVar[int]
    TOP_FIELD_NUMBER: _ClassVar[int]
    label: str
    score: float
    top: _containers.RepeatedCompositeFieldContainer[EmotionScore]
    def __init__(self, label: _Optional[str] = ..., score: _Optional[float] = ..., top: _Optional[_Iterable[_Union[EmotionScore, _Mapping]]] = ...) -> None: ...

class StageTimings(_message.Message):
    __slots__ = ("lock_ms", "load_ms", "classify_ms", "generate_ms", "consistency_ms", "save_ms", "total_ms", "overhead_ms", "recommend_ms")
    LOCK_MS_FIELD_NUMBER: _ClassVar[int]
    LOAD_MS_FIELD_NUMBER: _ClassVar[int]
    CLASSIFY_MS_FIELD_NUMBER: _ClassVar[int]
    GENERATE_MS_FIELD_NUMBER: _ClassVar[int]
    CONSISTENCY_MS_FIELD_NUMBER: _ClassVar[int]
    SAVE_MS_FIELD_NUMBER: _ClassVar[int]
    TOTAL_MS_FIELD_NUMBER: _ClassVar[int]
    OVERHEAD_MS_FIELD_NUMBER: _ClassVar[int]
    RECOMMEND_MS_FIELD_NUMBER: _ClassVar[int]
    lock_ms: float
    load_ms: float
    classify_ms: float
    generate_ms: float
    consistency_ms: float
    save_ms: float
    total_ms: float
    overhead_ms: float
    recommend_ms: float
    def __init__(self, lock_ms: _Optional[float] = ..., load_ms: _Optional[float] = ..., classify_ms: _Optional[float] = ..., generate_ms: _Optional[float] = ..., consistency_ms: _Optional[float] = ..., save_ms: _Optional[float] = ..., total_ms: _Optional[float] = ..., overhead_ms: _Optional[float] = ..., recommend_ms: _Optional[float] = ...) -> None: ...

class ChatResponse(_message.Message):
    __slots__ = ("conversation_id", "reply", "emotion", "persona", "kind", "state", "timings", "degraded", "generation_attempts", "reply_emotion", "emotion_consistent", "turn_index", "regenerated", "situation", "tracks", "replayed")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    REPLY_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    PERSONA_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    DEGRADED_FIELD_NUMBER: _ClassVar[int]
    GENERATION_ATTEMPTS_FIELD_NUMBER: _ClassVar[int]
    REPLY_EMOTION_FIELD_NUMBER: _ClassVar[int]
    EMOTION_CONSISTENT_FIELD_NUMBER: _ClassVar[int]
    TURN_INDEX_FIELD_NUMBER: _ClassVar[int]
    REGENERATED_FIELD_NUMBER: _ClassVar[int]
    SITUATION_FIELD_NUMBER: _ClassVar[int]
    TRACKS_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    reply: str
    emotion: DetectedEmotion
    persona: str
    kind: ReplyKind
    state: DialogueState
    timings: StageTimings
    degraded: _containers.RepeatedScalarFieldContainer[str]
    generation_attempts: int
    reply_emotion: str
    emotion_consistent: bool
    turn_index: int
    regenerated: bool
    situation: str
    tracks: _containers.RepeatedCompositeFieldContainer[_recommender_pb2.Track]
    replayed: bool
    def __init__(self, conversation_id: _Optional[str] = ..., reply: _Optional[str] = ..., emotion: _Optional[_Union[DetectedEmotion, _Mapping]] = ..., persona: _Optional[str] = ..., kind: _Optional[_Union[ReplyKind, str]] = ..., state: _Optional[_Union[DialogueState, str]] = ..., timings: _Optional[_Union[StageTimings, _Mapping]] = ..., degraded: _Optional[_Iterable[str]] = ..., generation_attempts: _Optional[int] = ..., reply_emotion: _Optional[str] = ..., emotion_consistent: _Optional[bool] = ..., turn_index: _Optional[int] = ..., regenerated: _Optional[bool] = ..., situation: _Optional[str] = ..., tracks: _Optional[_Iterable[_Union[_recommender_pb2.Track, _Mapping]]] = ..., replayed: _Optional[bool] = ...) -> None: ...

class ChatEvent(_message.Message):
    __slots__ = ("emotion", "delta", "done")
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    emotion: DetectedEmotion
    delta: str
    done: ChatResponse
    def __init__(self, emotion: _Optional[_Union[DetectedEmotion, _Mapping]] = ..., delta: _Optional[str] = ..., done: _Optional[_Union[ChatResponse, _Mapping]] = ...) -> None: ...

class GetConversationRequest(_message.Message):
    __slots__ = ("conversation_id",)
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    def __init__(self, conversation_id: _Optional[str] = ...) -> None: ...

class StoredTurn(_message.Message):
    __slots__ = ("role", "text", "emotion", "emotion_score", "persona", "kind", "created_unix_ms", "channel", "crisis")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    EMOTION_FIELD_NUMBER: _ClassVar[int]
    EMOTION_SCORE_FIELD_NUMBER: _ClassVar[int]
    PERSONA_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CREATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    CHANNEL_FIELD_NUMBER: _ClassVar[int]
    CRISIS_FIELD_NUMBER: _ClassVar[int]
    role: _generator_pb2.Role
    text: str
    emotion: str
    emotion_score: float
    persona: str
    kind: ReplyKind
    created_unix_ms: int
    channel: str
    crisis: bool
    def __init__(self, role: _Optional[_Union[_generator_pb2.Role, str]] = ..., text: _Optional[str] = ..., emotion: _Optional[str] = ..., emotion_score: _Optional[float] = ..., persona: _Optional[str] = ..., kind: _Optional[_Union[ReplyKind, str]] = ..., created_unix_ms: _Optional[int] = ..., channel: _Optional[str] = ..., crisis: _Optional[bool] = ...) -> None: ...

class Conversation(_message.Message):
    __slots__ = ("conversation_id", "turns", "state", "persona", "pending_emotion", "total_turns", "updated_unix_ms")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    TURNS_FIELD_NUMBER: _ClassVar[int]
    STATE_FIELD_NUMBER: _ClassVar[int]
    PERSONA_FIELD_NUMBER: _ClassVar[int]
    PENDING_EMOTION_FIELD_NUMBER: _ClassVar[int]
    TOTAL_TURNS_FIELD_NUMBER: _ClassVar[int]
    UPDATED_UNIX_MS_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    turns: _containers.RepeatedCompositeFieldContainer[StoredTurn]
    state: DialogueState
    persona: str
    pending_emotion: str
    total_turns: int
    updated_unix_ms: int
    def __init__(self, conversation_id: _Optional[str] = ..., turns: _Optional[_Iterable[_Union[StoredTurn, _Mapping]]] = ..., state: _Optional[_Union[DialogueState, str]] = ..., persona: _Optional[str] = ..., pending_emotion: _Optional[str] = ..., total_turns: _Optional[int] = ..., updated_unix_ms: _Optional[int] = ...) -> None: ...

class DeleteConversationRequest(_message.Message):
    __slots__ = ("conversation_id",)
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    def __init__(self, conversation_id: _Optional[str] = ...) -> None: ...

class DeleteConversationResponse(_message.Message):
    __slots__ = ("deleted",)
    DELETED_FIELD_NUMBER: _ClassVar[int]
    deleted: bool
    def __init__(self, deleted: _Optional[bool] = ...) -> None: ...
