"""Prompt formats: the BERT & GPT pipeline paper's chat messages and the KoGPT2-chatbot input
convention."""

from __future__ import annotations

from emotion_chat.kogpt2 import END_TOKEN, SYSTEM_TOKEN, USER_TOKEN, prompt_end, user_turn
from emotion_chat.situations import NAMES, SENSITIVE, situation_of
from emotion_chat.taxonomy import core_emotion
from generator_service.backends.base import GenerationInput


def user_message(text: str, emotion: str) -> str:
    """As in the BERT & GPT pipeline paper, the user's turn is sent as `text ;; emotion`
    (plain text when unknown)."""
    return f"{text} ;; {emotion}" if emotion else text


def system_prompt(request: GenerationInput) -> str:
    """The persona's prompt, the BERT & GPT pipeline paper's `;;` scheme, and what the
    conversation is about."""
    parts = [request.persona.full_system_prompt]
    situation = situation_of(request.situation)
    if situation is not None:
        parts.append(f"지금 이야기의 주제: {NAMES[situation]}.")
    if request.sensitive or situation in SENSITIVE:
        parts.append("마음이 힘든 상황이니 농담이나 장난스러운 말투 없이 다정하게 공감해 줘.")
    return "\n".join(parts)


def chat_messages(request: GenerationInput) -> list[dict[str, str]]:
    """System message, the history as alternating messages, then the new user turn."""
    messages = [{"role": "system", "content": system_prompt(request)}]
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
    the model was fine-tuned with (the masking-BERT paper's `sentence1, sentence2, emotion` pairs).
    """
    parts = [request.persona.style_tag]
    pending_user: str | None = None
    for turn in request.history:
        if turn.role == "user":
            if pending_user is not None:
                parts.append(pending_user + END_TOKEN)
            pending_user = user_turn(turn.text, core_emotion(turn.emotion))
        else:
            parts.append(f"{pending_user or USER_TOKEN}{SYSTEM_TOKEN}{turn.text}{END_TOKEN}")
            pending_user = None
    if pending_user is not None:
        parts.append(pending_user + END_TOKEN)
    parts.append(prompt_end(request.text, request.reply_emotion))
    return "".join(parts)
