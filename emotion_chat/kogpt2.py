"""The KoGPT2-chatbot text format, shared by the generator's local backend (which prompts a
model with it) and the training tooling (which fine-tunes a model on it), so that a model is
served with exactly the format it learnt.

One exchange: `<usr>{user text}<unused1>{emotion}<sys>{reply}</s>`; a prompt ends with
`<sys>`, and the model writes the reply up to `</s>`. The emotion slot carries one of the
seven core emotions (the masking-BERT paper's `sentence1, sentence2, emotion` pairs; the
music-recommendation chatbot's emotion token).
"""

from __future__ import annotations

USER_TOKEN = "<usr>"
SYSTEM_TOKEN = "<sys>"
EMOTION_TOKEN = "<unused1>"
END_TOKEN = "</s>"
SPECIAL_TOKENS = ("<s>", "</s>", "<usr>", "<pad>", "<sys>", "<unk>", "<mask>", "<d>", "</d>",
                  *(f"<unused{i}>" for i in range(10)))
"""skt/kogpt2-base-v2's special tokens, in its vocabulary order (bos 0, eos 1, pad 3)."""


def user_turn(text: str, emotion: str) -> str:
    """The user's side of an exchange (no reply yet)."""
    return f"{USER_TOKEN}{text}{EMOTION_TOKEN}{emotion}"


def prompt_end(text: str, emotion: str) -> str:
    """The last exchange of a prompt: the model answers after `<sys>`."""
    return f"{user_turn(text, emotion)}{SYSTEM_TOKEN}"


def exchange(text: str, emotion: str, reply: str) -> str:
    """A whole exchange, as a training example (or a past turn in a prompt)."""
    return f"{prompt_end(text, emotion)}{reply}{END_TOKEN}"
