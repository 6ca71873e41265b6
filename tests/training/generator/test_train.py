"""`train-generator` on a tiny KoGPT2-format base: pairs → fine-tuned checkpoint → served by
the real generator service (torch and ONNX runtimes) through gRPC."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from servers import running_generator
from tiny_models import build_tiny_kogpt2

from emotion_chat.kogpt2 import END_TOKEN, SYSTEM_TOKEN
from emotion_chat.v1 import generator_pb2 as pb
from training.generator.train import (
    IGNORE,
    GeneratorConfig,
    Pair,
    encode_example,
    main,
    read_pairs,
)

PAIRS = [
    ("오늘 시험 끝났어", "고생 많았어! 이제 푹 쉬자", "행복"),
    ("드디어 합격했어", "와 정말 축하해! 노력한 보람이 있네", "기쁨"),
    ("친구가 생일 선물을 줬어", "정말 기분 좋았겠다", "행복"),
    ("주말에 여행 가", "좋겠다! 즐거운 여행 되길 바라", "행복"),
    ("칭찬을 많이 받았어", "네가 잘해서 그래. 자랑스럽다", "joy"),
    ("맛있는 거 먹었어", "뭐 먹었어? 나도 배고파진다", "행복"),
    ("내일 발표가 있어서 떨려", "충분히 준비했으니까 잘할 거야", "불안"),
    ("면접 결과가 안 나와서 초조해", "기다리는 시간이 제일 힘들지", "불안"),
    ("건강검진 결과가 걱정돼", "별일 없을 거야. 결과 나오면 같이 보자", "불안"),
    ("밤에 잠이 안 와", "걱정되는 일이 있어? 이야기해 줘", "불안"),
    ("회사에서 실수할까 봐 무서워", "누구나 실수해. 너무 겁먹지 마", "불안"),
    ("강아지가 아파서 걱정돼", "병원에 가 봤어? 빨리 나았으면 좋겠다", "불안"),
    ("키우던 고양이가 떠났어", "많이 보고 싶겠다. 마음이 아프다", "슬픔"),
    ("시험을 망쳤어", "속상하겠다. 다음에 더 잘할 수 있어", "슬픔"),
    ("친구랑 멀어졌어", "서운하겠다. 마음이 많이 쓰이지", "슬픔"),
    ("오늘 너무 외로워", "내가 옆에 있을게. 무슨 일 있었어?", "슬픔"),
    ("할머니가 보고 싶어", "할머니 생각이 많이 나는구나", "슬픔"),
    ("비가 와서 우울해", "따뜻한 차 한 잔 어때?", "슬픔"),
    ("지하철에서 넘어졌어", "헉 다친 데는 없어?", "당황"),
    ("발표하다가 말을 더듬었어", "당황했겠다. 그래도 끝까지 했잖아", "당황"),
    ("지갑을 집에 두고 왔어", "어떡해! 누구한테 빌릴 수 있어?", "당황"),
    ("갑자기 정전이 됐어", "놀랐겠다. 조심해서 움직여", "당황"),
    ("이름을 잘못 불렀어", "민망했겠다. 금방 잊을 거야", "당황"),
    ("친구가 약속을 또 잊었어", "서운했겠다. 기다린 마음이 아프지", "상처"),
    ("엄마한테 심한 말을 들었어", "많이 상처받았겠다. 괜찮아?", "상처"),
    ("동료가 내 험담을 했어", "믿었던 사람이라 더 아프겠다", "상처"),
    ("단톡방에서 나만 빼고 약속을 잡았어", "소외된 느낌이 들었겠다", "상처"),
    ("노력한 걸 아무도 몰라줘", "내가 알아. 정말 열심히 했잖아", "상처"),
    ("택배가 또 늦게 왔어", "진짜 짜증나겠다. 항의해 봤어?", "분노"),
    ("누가 새치기를 했어", "화날 만하다. 너무 무례하네", "분노"),
    ("룸메이트가 설거지를 안 해", "계속 그러면 화나지. 얘기해 봐", "분노"),
    ("상사가 일을 떠넘겼어", "정말 억울하겠다", "anger"),
    ("층간소음 때문에 못 자겠어", "정말 괴롭겠다. 관리실에 말해 봐", "분노"),
    ("오늘 점심은 김밥 먹었어", "김밥 좋지. 무슨 김밥이었어?", "중립"),
    ("지금 집에 가는 길이야", "조심히 들어가!", "중립"),
    ("내일 비 온대", "우산 챙기는 거 잊지 마", "중립"),
    ("요즘 책 읽고 있어", "무슨 책 읽어?", "중립"),
    ("주말에 청소했어", "깔끔해졌겠다", "중립"),
    ("운동 시작했어", "멋지다! 어떤 운동 해?", "중립"),
    ("새 폰 샀어", "오 어떤 폰이야?", "행복"),
]


def write_pairs(path: Path, rows: Sequence[Sequence[str]], header: str = "s1\ts2\temotion"
                ) -> Path:
    path.write_text("\n".join([header, *("\t".join(r) for r in rows)]) + "\n",
                    encoding="utf-8")
    return path


def args(pairs: Path, base: Path, out: Path, **overrides: object) -> argparse.Namespace:
    values: dict[str, object] = dict(
        pairs=str(pairs), base=str(base), out=str(out), epochs=1, batch_size=4,
        micro_batch=2, lr=3e-3, max_length=64, patience=1, seed=0, device="cpu")
    values.update(overrides)
    return argparse.Namespace(**values)


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_kogpt2(tmp_path_factory.mktemp("gen-base") / "base")


@pytest.fixture(scope="module")
def trained(base: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("gen-train")
    out = work / "tuned"
    assert main(args(write_pairs(work / "pairs.tsv", PAIRS), base, out)) == 0
    return out


def test_read_pairs_maps_emotions_to_the_core_seven(tmp_path: Path) -> None:
    pairs = read_pairs(write_pairs(tmp_path / "p.tsv", PAIRS))
    assert len(pairs) == 40
    assert pairs[1] == Pair("드디어 합격했어", "와 정말 축하해! 노력한 보람이 있네", "행복")
    assert {p.emotion for p in pairs} == {"행복", "불안", "슬픔", "당황", "상처", "분노", "중립"}


def test_shipped_pairs_are_valid() -> None:
    shipped = Path(__file__).parents[3] / "training" / "corpora" / "pairs_ko.tsv"
    assert len(read_pairs(shipped)) >= 100


def test_labels_mask_the_prompt(base: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(base)
    pair = Pair("오늘 너무 힘들어", "많이 힘들었구나", "슬픔")
    example = encode_example(tokenizer, pair, max_length=128)
    boundary = example.input_ids.index(tokenizer.convert_tokens_to_ids(SYSTEM_TOKEN)) + 1
    assert example.labels[:boundary] == [IGNORE] * boundary
    assert example.labels[boundary:] == example.input_ids[boundary:]
    assert tokenizer.decode(example.input_ids[:boundary]).replace(" ", "") == \
        "<usr>오늘너무힘들어<unused1>슬픔<sys>"
    assert tokenizer.decode(example.labels[boundary:]).strip() == f"많이 힘들었구나{END_TOKEN}"
    short = encode_example(tokenizer, pair, max_length=8)  # too long: the reply is kept
    assert len(short.input_ids) == 8 and short.labels[-1] == short.input_ids[-1]
    assert short.labels.count(IGNORE) < 8


def test_training_writes_checkpoint_and_report(trained: Path) -> None:
    assert (trained / "config.json").is_file() and (trained / "tokenizer.json").is_file()
    report = json.loads((trained / "training_report.json").read_text(encoding="utf-8"))
    assert report["split"] == {"train": 36, "validation": 4}
    assert report["config"]["learning_rate"] == 3e-3 and report["config"]["epochs"] == 1
    (epoch,) = report["history"]
    assert 0 < epoch["loss"] < 20 and report["best_epoch"] == 1
    assert report["validation_loss"] < report["initial_validation_loss"]
    assert len(report["samples"]) == 3
    assert all(s["s1"] and isinstance(s["reply"], str) for s in report["samples"])
    assert any(s["reply"] for s in report["samples"])
    # written through a temporary sibling that is gone now
    assert sorted(p.name for p in trained.parent.iterdir()) == ["pairs.tsv", "tuned"]


def test_default_config_is_seed_002() -> None:
    config = GeneratorConfig()
    assert (config.batch_size, config.epochs, config.learning_rate) == (96, 2, 5e-5)
    assert (config.micro_batch, config.accumulation_steps, config.max_length) == (8, 12, 128)


async def test_round_trip_through_the_generator_service(trained: Path) -> None:
    async with running_generator(backend="local", local_model=str(trained)) as server:
        request = pb.GenerateRequest(text="시험을 망쳤어", emotion=pb.Emotion(
            label="슬픔", score=0.9), persona="bingbong", conversation_id="train-test")
        request.params.max_new_tokens = 16
        request.params.seed = 3
        response = await server.stub.Generate(request)
    print(f"round trip reply: {response.text!r}")
    assert response.backend == "local" and response.model == str(trained)
    assert response.text.strip()


@pytest.mark.parametrize(("rows", "header", "message"), [
    ([("안녕", "안녕!", "기쁨ㅋ")], "s1\ts2\temotion", "unknown emotion '기쁨ㅋ'"),
    ([("안녕", "안녕!")], "s1\ts2", "lacks the column(s) emotion"),
    ([("안녕", "", "행복")], "s1\ts2\temotion", "row 2 has an empty s2"),
])
def test_bad_pairs_are_one_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                       rows: list[tuple[str, ...]], header: str,
                                       message: str) -> None:
    pairs = write_pairs(tmp_path / "bad.tsv", rows, header)
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_pairs(pairs)
    assert main(args(pairs, tmp_path / "no-base", tmp_path / "out")) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_bad_options_and_foreign_out_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                         ) -> None:
    pairs = write_pairs(tmp_path / "p.tsv", PAIRS[:4])
    assert main(args(pairs, tmp_path / "no-base", tmp_path / "out", lr=-1.0)) == 2
    assert "learning rate must be positive" in capsys.readouterr().err
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    assert main(args(pairs, tmp_path / "no-base", foreign)) == 2
    assert "not a generator checkpoint" in capsys.readouterr().err
    assert (foreign / "notes.txt").read_text() == "mine"
    assert main(args(pairs, tmp_path / "no-base", tmp_path / "out")) == 2
    assert "cannot load the base model" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore::Warning")  # the ONNX exporter's tracing notes
async def test_round_trip_with_the_onnx_runtime(trained: Path) -> None:
    async with running_generator(backend="local", local_model=str(trained),
                                 local_runtime="onnx") as server:
        request = pb.GenerateRequest(text="내일 발표가 있어서 떨려", emotion=pb.Emotion(
            label="불안", score=0.8), conversation_id="train-onnx")
        request.params.max_new_tokens = 16
        request.params.seed = 3
        response = await server.stub.Generate(request)
    print(f"onnx round trip reply: {response.text!r}")
    assert response.backend == "local" and response.text.strip()
