"""Train a KoGPT2-style tokenizer on shipped Korean text (tests and benchmarks; needs
transformers). Special tokens take KoGPT2's ids: <s>=0, </s>=1, <usr>=2, <pad>=3, <sys>=4,
<unk>=5, <mask>=6, <d>=7, </d>=8, <unused0..9>=9..18; SentencePiece-style ▁ word marks."""

from __future__ import annotations

import json
from collections.abc import Iterable

from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers
from tokenizers.trainers import BpeTrainer
from transformers import PreTrainedTokenizerFast

from emotion_chat.kogpt2 import SPECIAL_TOKENS as KOGPT2_SPECIAL_TOKENS
from emotion_chat.personas import BANK_DIR
from emotion_chat.replies.bank import SLOT


def shipped_korean_text() -> list[str]:
    """The demo dataset's sentences and every reply bank's replies."""
    from training.demo import DATASET
    from training.tables import read_table

    texts = list(read_table(DATASET)[0].texts)
    for bank in sorted(BANK_DIR.glob("*.json")):
        entries = json.loads(bank.read_text(encoding="utf-8"))["replies"]
        texts.extend(SLOT.sub("", entry["text"]) for entry in entries)
    return texts


def train_kogpt2_tokenizer(texts: Iterable[str], vocab_size: int = 4000
                           ) -> PreTrainedTokenizerFast:
    tokenizer = Tokenizer(models.BPE(unk_token="<unk>"))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Metaspace()
    tokenizer.decoder = decoders.Metaspace()
    trainer = BpeTrainer(vocab_size=vocab_size, special_tokens=list(KOGPT2_SPECIAL_TOKENS),
                         min_frequency=1)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, bos_token="</s>",
                                   eos_token="</s>", unk_token="<unk>", pad_token="<pad>",
                                   mask_token="<mask>")
