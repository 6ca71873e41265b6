"""Generation backends behind one interface (`base.GenerationBackend`), chosen by config."""

from __future__ import annotations

from emotion_chat.personas import PersonaRegistry
from generator_service.backends.base import GenerationBackend
from generator_service.settings import GeneratorSettings


def build_backend(settings: GeneratorSettings, personas: PersonaRegistry) -> GenerationBackend:
    if settings.backend == "openai":
        from generator_service.backends.openai_chat import OpenAIChatBackend, resolve_api_key

        secret = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
        return OpenAIChatBackend(
            base_url=settings.openai_base_url, model=settings.openai_model,
            api_key=resolve_api_key(secret, settings.openai_api_key_file),
            timeout_s=settings.openai_timeout_s, max_retries=settings.openai_max_retries,
            max_tokens_param=settings.openai_max_tokens_param)
    if settings.backend == "local":
        from generator_service.backends.local_lm import LocalCausalLMBackend

        return LocalCausalLMBackend(
            settings.local_model, runtime=settings.local_runtime, device=settings.local_device,
            max_concurrency=settings.max_concurrency, max_waiting=settings.max_waiting,
            threads=settings.local_threads)
    from generator_service.backends.bank import BankBackend

    return BankBackend(personas)
