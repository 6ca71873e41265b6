"""Orchestrator settings: env `ORCHESTRATOR_*`, or the same names as flags of `serve
orchestrator`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from emotion_chat.settings import ServiceSettings
from orchestrator.core.safety.risk import Sensitivity


class OrchestratorSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="ORCHESTRATOR_")

    port: int = Field(default=50051, ge=0, le=65535)
    """gRPC port; 0 picks a free port."""

    metrics_port: int = Field(default=9091, ge=0, le=65535)
    """Prometheus /metrics HTTP port; 0 picks a free port."""

    classifier_target: str = "127.0.0.1:50052"
    """Classifier address; on Kubernetes `dns:///classifier.<ns>.svc:50052` (headless
    Service) so round_robin spreads calls over every pod."""

    generator_target: str = "127.0.0.1:50053"
    """Generator address (same forms as classifier_target)."""

    recommender_target: str | None = None
    """Recommender address: generated turns then carry songs for their emotion (`serve
    all` sets it); unset = no songs."""

    recommend_timeout_s: float = Field(default=0.5, gt=0)
    """Deadline of one Recommend call; a turn never waits longer for its songs."""

    tracks_per_turn: int = Field(default=5, ge=0, le=20)
    """Songs per generated turn (the music-recommendation chatbot's five); 0 = none."""

    classify_timeout_s: float = Field(default=2.0, gt=0)
    """Deadline of one Classify call (capped by the turn's own deadline)."""

    generate_timeout_s: float = Field(default=30.0, gt=0)
    """Deadline of one Generate call (capped by the turn's own deadline)."""

    downstream_retries: int = Field(default=3, ge=1, le=5)
    """Attempts per downstream call when it fails UNAVAILABLE (gRPC retry policy)."""

    downstream_reconnect_backoff_ms: int = Field(default=500, ge=100, le=120_000)
    """Longest wait between reconnection attempts to a dependency that went away (gRPC's own
    default grows to 120 s): a restarted classifier or generator is used again within
    about this time of SERVING."""

    downstream_tls: bool = False
    """Use TLS to the classifier and generator."""

    downstream_tls_ca_file: Path | None = None
    """CA bundle that signed the downstream servers' certificates (default: system roots)."""

    store_url: str = "memory://"
    """Conversation store: memory:// (one replica) or redis://host:port/db (replicas share
    state; rediss:// for TLS)."""

    conversation_ttl_s: int = Field(default=7 * 24 * 3600, ge=60)
    """A conversation idle this long is forgotten (refreshed by every turn)."""

    max_stored_turns: int = Field(default=200, ge=2)
    """Turns kept per conversation (user and bot messages); older ones are dropped."""

    lock_ttl_s: float = Field(default=3.0, ge=0.3, le=60)
    """Lease of a conversation's lock (Redis): renewed every third of it while the turn runs,
    so a replica that dies mid-turn frees its conversations within this time."""

    max_conversations: int = Field(default=100_000, ge=1)
    """memory:// store: conversations kept; the least recently active is evicted beyond."""

    store_timeout_s: float = Field(default=2.0, gt=0, le=30)
    """Redis store: how long one store call may take before the store counts as
    unreachable (UNAVAILABLE, NOT_SERVING until a ping answers)."""

    lock_wait_s: float = Field(default=30.0, gt=0)
    """How long a turn waits for its conversation's lock before ABORTED."""

    history_turns: int = Field(default=10, ge=0)
    """Most recent stored turns sent to the generator."""

    max_text_chars: int = Field(default=1000, ge=1)
    """Longest user message accepted, in characters."""

    personas_file: Path | None = None
    """JSON file adding or overriding personas (keep it the same as the generator's)."""

    default_persona: str | None = None
    """Persona of new conversations that name none (default: bingbong, 빙봉)."""

    answer_threshold: float | None = Field(default=None, ge=0, le=1)
    """Emotion score from which the bot answers directly (default from the classifier's model
    info: multi-label or ≤4 labels 0.8 as in the FSM bot, ≤10 labels 0.5, more 0.35)."""

    confirm_threshold: float | None = Field(default=None, ge=0, le=1)
    """Score from which (up to answer_threshold) the bot asks the user to confirm the emotion;
    below it the bot answers without assuming one (default: multi-label or ≤4 labels 0.6, ≤10
    0.3, more 0.2)."""

    rules: bool = True
    """Answer greetings and name questions per persona without model calls."""

    consistency_check: bool = True
    """Classify each reply and regenerate when its emotion contradicts the one the persona
    should answer with (the user's, or the persona's own). On by default: it raised emotion
    consistency from 0.55 to 0.86 on the project's conversation set. The reply is then sent
    whole once checked; turn it off to stream a slow LLM's tokens as they come."""

    max_regenerations: int = Field(default=3, ge=0, le=5)
    """Regenerations allowed by the consistency check (2: 0.79, 3: 0.86, 4: 0.88 on the
    conversation set; each costs one more generation and classification)."""

    http: bool = True
    """Serve the HTTP front door (REST + server-sent events, the OpenAI-compatible API and
    the Kakao skill) in the same process and event loop as gRPC."""

    http_host: str = "0.0.0.0"
    """Address of the HTTP front door."""

    http_port: int = Field(default=8080, ge=0, le=65535)
    """HTTP port; 0 picks a free port."""

    cors_origins: str = ""
    """Comma-separated origins allowed to call the HTTP API from browsers (CORS); `*` for
    any; empty = same origin only."""

    http_access_log: bool = False
    """Log one line per HTTP request."""

    public_url: str | None = None
    """This orchestrator's public base URL (https://chat.example.com), for links that leave
    it: the songs in a Kakao list card."""

    kakao_reply_budget_s: float = Field(default=3.5, gt=0, lt=5)
    """Kakao i OpenBuilder waits 5 s for a skill: a turn not done within this budget is
    answered through the callback URL (when the block has one) or from the offline bank."""

    kakao_callback_window_s: float = Field(default=55.0, gt=0, le=60)
    """A Kakao callback URL is valid for 1 minute: the final answer (retries included) is
    posted within this many seconds of the request, or dropped."""

    crisis_sensitivity: Sensitivity = Sensitivity.BALANCED
    """The crisis detector's operating point: `precise` (at most 2 % false alarms on hard
    negatives in cross-validation), `balanced` (5 %), `sensitive` (10 %); the more
    sensitive, the fewer people at risk missed (docs/crisis-safety.md has the figures)."""

    crisis_webhook_url: str | None = None
    """POST every crisis turn (suicide or self-harm risk) as JSON to this URL, for a human
    operator; unset = only counted and logged."""

    crisis_webhook_include_text: bool = True
    """Include the person's message in the crisis webhook's body."""

    crisis_webhook_token: SecretStr | None = None
    """Bearer token sent to the crisis webhook."""

    auth_tokens: SecretStr | None = None
    """Comma-separated bearer tokens accepted in `authorization` metadata (gRPC) and the
    `Authorization` header (HTTP); unset = no auth."""

    auth_tokens_file: Path | None = None
    """File with one accepted bearer token per line (e.g. a mounted secret)."""
