import random

import torch

from training.demo import DATASET, LABELS
from training.demo.distill import NgramTeacher, Recipe, augment, char_ngrams
from training.tables import read_table, split


def test_char_ngrams_mark_word_boundaries() -> None:
    assert char_ngrams("슬퍼", 2) == ["<", "슬", "퍼", ">", "<슬", "슬퍼", "퍼>"]


def test_augment_drops_words_but_never_empties_text() -> None:
    rng = random.Random(0)
    text = "오늘 시험 끝나서 너무 행복해"
    variants = [augment(text, rng, word_drop=0.5, char_drop=0.2) for _ in range(50)]
    assert all(v.strip() for v in variants)
    assert any(v != text for v in variants)


def test_teacher_beats_chance_on_held_out_split() -> None:
    torch.manual_seed(0)
    data, _ = read_table(DATASET)
    train, _validation, test = split(data, seed=0)
    label2id = {label: i for i, label in enumerate(LABELS)}
    teacher = NgramTeacher(train.texts, [label2id[y] for y in train.labels], len(LABELS),
                           Recipe(teacher_iters=100))
    probabilities = teacher.probabilities(test.texts)
    assert torch.allclose(probabilities.sum(-1), torch.ones(len(test.texts)), atol=1e-4)
    predicted = probabilities.argmax(-1).tolist()
    accuracy = sum(p == label2id[y] for p, y in zip(predicted, test.labels, strict=True))
    assert accuracy / len(test.texts) > 0.5  # random is 1/7
