"""Korean particles (조사) that agree with the word before them: 이/가, 을/를, 은/는, 과/와,
이랑/랑, 으로/로, 아/야, 이에요/예요. A reply template writes `{who:이}` and gets "엄마가" or
"강아지가"."""

from __future__ import annotations

_HANGUL_START, _HANGUL_END = 0xAC00, 0xD7A3
_RIEUL = 8  # ㄹ as a final consonant (종성 index)

# The particle as written in templates → (after a final consonant, after a vowel).
PAIRS = {"이": ("이", "가"), "가": ("이", "가"), "을": ("을", "를"), "를": ("을", "를"),
         "은": ("은", "는"), "는": ("은", "는"), "과": ("과", "와"), "와": ("과", "와"),
         "이랑": ("이랑", "랑"), "랑": ("이랑", "랑"), "아": ("아", "야"), "야": ("아", "야"),
         "이에요": ("이에요", "예요"), "예요": ("이에요", "예요"), "이나": ("이나", "나"),
         "으로": ("으로", "로"), "로": ("으로", "로"), "이라": ("이라", "라"),
         "라": ("이라", "라"), "이가": ("이", "가"), "": ("", "")}


def final_consonant(word: str) -> int | None:
    """The final consonant index (1-27) of the last Hangul syllable; 0 for a vowel ending;
    None when the word does not end in Hangul (digits and Latin letters are read as
    vowel-final, which is right more often than not for names)."""
    if not word:
        return None
    code = ord(word[-1])
    if not _HANGUL_START <= code <= _HANGUL_END:
        return None
    return (code - _HANGUL_START) % 28


def attach(word: str, particle: str) -> str:
    """`word` followed by the form of `particle` that agrees with it."""
    if particle not in PAIRS:
        raise ValueError(f"unknown particle {particle!r}")
    after_consonant, after_vowel = PAIRS[particle]
    final = final_consonant(word)
    consonant = bool(final)
    if particle in ("으로", "로") and final == _RIEUL:
        consonant = False  # 길로, 서울로: ㄹ takes 로
    return word + (after_consonant if consonant else after_vowel)
