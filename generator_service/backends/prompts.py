"""Prompt formats: the seed-001 chat messages and the KoGPT2-chatbot input convention."""

from __future__ import annotations

from emotion_chat.taxonomy import core_emotion
from generator_service.backends.base import GenerationInput

# KoGPT2-chatbot convention: <usr>{question}<unused1>{emotion}<sys>{answer}</s>
USER_TOKEN = "<usr>"
SYSTEM_TOKEN = "<sys>"
EMOTION_TOKEN = "<unused1>"
END_TOKEN = "</s>"
KOGPT2_SPECIAL_TOKENS = ("<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>", "<d>",
                         "</d>", *(f"<unused{i}>" for i in range(10)))


def user_message(text: str, emotion: str) -> str:
    """Seed 001: the user's turn is sent as `text ;; emotion` (plain text when unknown)."""
    return f"{text} ;; {emotion}" if emotion else text


def chat_messages(request: GenerationInput) -> list[dict[str, str]]:
    """System message, the history as alternating messages, then the new user turn."""
    messages = [{"role": "system", "content": request.persona.full_system_prompt}]
    for turn in request.history:
        if turn.role == "user":
            messages.append({"role": "user", "content": user_message(turn.text, turn.emotion)})
        else:
            messages.append({"role": "assistant", "content": turn.text})
    messages.append({"role": "user", "content": user_message(request.text, request.emotion)})
    return messages


def kogpt2_prompt(request: GenerationInput) -> str:
    """History and the new turn in the KoGPT2-chatbot format, ending with <sys> to answer.

    The persona's style tag comes first; the emotion slot carries the 7-way reply emotion
    the model was fine-tuned with (seed 002's `sentence1, sentence2, emotion` pairs).
    """
    parts = [request.persona.style_tag]
    pending_user: str | None = None
    for turn in request.history:
        if turn.role == "user":
            if pending_user is not None:
                parts.append(pending_user + END_TOKEN)
            pending_user = f"{USER_TOKEN}{turn.text}{EMOTION_TOKEN}{core_emotion(turn.emotion)}"
        else:
            parts.append(f"{pending_user or USER_TOKEN}{SYSTEM_TOKEN}{turn.text}{END_TOKEN}")
            pending_user = None
    if pending_user is not None:
        parts.append(pending_user + END_TOKEN)
    parts.append(f"{USER_TOKEN}{request.text}{EMOTION_TOKEN}{request.reply_emotion}{SYSTEM_TOKEN}")
    return "".join(parts)
