"""Input checks shared by the services; failures are InvalidInputError (INVALID_ARGUMENT)."""

from __future__ import annotations

from emotion_chat.errors import InvalidInputError

_CONTROL_CHARS = frozenset({chr(c) for c in range(32)} - {"\t", "\n", "\r"} | {"\x7f"})


def check_text(text: object, where: str, max_chars: int) -> str:
    """A non-blank string of at most max_chars characters without control characters."""
    if not isinstance(text, str):
        raise InvalidInputError(f"{where} must be a string, got {type(text).__name__}")
    if not text.strip():
        raise InvalidInputError(f"{where} is empty")
    if len(text) > max_chars:
        raise InvalidInputError(f"{where} has {len(text)} characters, more than the limit "
                                f"of {max_chars}")
    bad = _CONTROL_CHARS.intersection(text)
    if bad:
        codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(bad))
        raise InvalidInputError(f"{where} contains control characters ({codes}); "
                                "send plain text")
    return text
