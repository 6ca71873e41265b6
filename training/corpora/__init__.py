"""Small Korean corpora written for this project, to run the training commands on.

`dialogues_ko.jsonl`: 60 everyday dialogues (365 utterances: dialogue_id, turn, utterance)
for `emotion-chat label`; `pairs_ko.tsv`: 420 (s1, s2, emotion) pairs for
`emotion-chat train-generator`. They are for tests and demonstrations of the commands, far
too small to train a useful model.
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
DIALOGUES = HERE / "dialogues_ko.jsonl"
PAIRS = HERE / "pairs_ko.tsv"
