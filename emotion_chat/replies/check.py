"""Check reply-bank files: the format, and the coverage every persona's bank must have.

    python -m emotion_chat.replies.check emotion_chat/personas/bank/*.json

Prints a table per bank (entries per situation and emotion) and every shortfall; exits 1
when a bank is malformed or short.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from emotion_chat.replies.bank import SLOT, ReplyBank, parse_entries
from emotion_chat.situations import EMOTIONS, Situation
from emotion_chat.taxonomy import CORE_LABELS

MIN_TOTAL = 400
MIN_GENERIC_PER_EMOTION = 12
MIN_PER_PAIR = 3
MAX_LENGTH = 160
# Per situation: the least number of lines; its emotions are emotion_chat.situations.EMOTIONS.
MINIMUM: dict[Situation, int] = {
    Situation.PET_LOSS: 18, Situation.PET: 12, Situation.BEREAVEMENT: 18, Situation.ILLNESS: 18,
    Situation.HEALTH: 8, Situation.ACCIDENT: 12, Situation.BREAKUP: 18, Situation.LOVE: 14,
    Situation.JOB_LOSS: 14, Situation.WORK: 20, Situation.JOB_SEARCH: 14, Situation.EXAM: 16,
    Situation.SCHOOL: 10, Situation.MONEY: 16, Situation.FRIENDS: 16, Situation.FAMILY: 16,
    Situation.LONELINESS: 12, Situation.SLEEP: 8, Situation.WEATHER: 8, Situation.FOOD: 10,
    Situation.HOBBY: 10, Situation.SUCCESS: 12, Situation.DAILY_HASSLE: 14,
}
COVERAGE = {situation: (EMOTIONS[situation], least) for situation, least in MINIMUM.items()}


def problems(path: Path) -> tuple[list[str], str]:
    """Shortfalls of one bank file, and its coverage table."""
    try:
        entries = parse_entries(json.loads(path.read_text(encoding="utf-8")), str(path))
        ReplyBank(entries)
    except (ValueError, json.JSONDecodeError) as exc:
        return [str(exc)], ""
    found: list[str] = []
    texts = Counter(e["text"] for e in entries)
    found += [f"duplicate text: {t}" for t, n in texts.items() if n > 1]
    found += [f"longer than {MAX_LENGTH} characters: {e['text']}" for e in entries
              if len(SLOT.sub("xx", e["text"])) > MAX_LENGTH]
    if len(entries) < MIN_TOTAL:
        found.append(f"{len(entries)} entries, fewer than {MIN_TOTAL}")
    rows = []
    generic = Counter(e for entry in entries if not entry["situations"]
                      for e in entry["emotions"])
    for emotion in CORE_LABELS:
        if generic[emotion] < MIN_GENERIC_PER_EMOTION:
            found.append(f"generic {emotion}: {generic[emotion]} lines, fewer than "
                         f"{MIN_GENERIC_PER_EMOTION}")
    rows.append("generic: " + ", ".join(f"{e} {generic[e]}" for e in CORE_LABELS))
    for situation, (emotions, least) in COVERAGE.items():
        lines = [e for e in entries if situation.value in e["situations"]]
        pairs = Counter(emotion for e in lines for emotion in e["emotions"])
        slotted = sum(1 for e in lines if SLOT.search(e["text"]))
        if len(lines) < least:
            found.append(f"{situation.value}: {len(lines)} lines, fewer than {least}")
        for emotion in emotions:
            if pairs[emotion] < MIN_PER_PAIR:
                found.append(f"{situation.value} × {emotion}: {pairs[emotion]} lines, fewer "
                             f"than {MIN_PER_PAIR}")
        rows.append(f"{situation.value}: {len(lines)} lines ({slotted} with slots); "
                    + ", ".join(f"{e} {pairs[e]}" for e in emotions))
    return found, "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("banks", nargs="+", type=Path)
    args = parser.parse_args(argv)
    failed = False
    for path in args.banks:
        found, table = problems(path)
        print(f"== {path}\n{table}")
        for problem in found:
            print(f"  PROBLEM: {problem}")
        failed = failed or bool(found)
        print("  OK" if not found else f"  {len(found)} problems")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
