import json
from pathlib import Path

import pytest

from emotion_chat.errors import InvalidInputError
from emotion_chat.personas import PersonaRegistry


def test_inside_out_personas_and_default() -> None:
    personas = PersonaRegistry.load()
    assert {p.id: p.name for p in personas} == {
        "bingbong": "빙봉", "joy": "기쁨이", "anger": "버럭이", "fear": "소심이",
        "sadness": "슬픔이"}
    assert personas.resolve("").id == "bingbong"
    assert personas.resolve("버럭이").id == "anger"
    assert personas.resolve("joy").bank_path.is_file()


def test_unknown_persona_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInputError, match=r"unknown persona 'x'.*joy \(기쁨이\)"):
        PersonaRegistry.load().resolve("x")


def test_user_file_adds_and_overrides(tmp_path: Path) -> None:
    bank = {e: [f"{e} 답"] for e in ("행복", "불안", "슬픔", "당황", "상처", "분노", "중립")}
    (tmp_path / "coach.json").write_text(json.dumps(bank, ensure_ascii=False))
    (tmp_path / "personas.json").write_text(json.dumps({"default": "coach", "personas": [
        {"id": "coach", "name": "코치", "system_prompt": "너는 운동 코치야.",
         "bank": "coach.json"},
        {"id": "joy", "name": "기쁨이", "system_prompt": "바뀐 프롬프트"},
    ]}, ensure_ascii=False))
    personas = PersonaRegistry.load(tmp_path / "personas.json")
    assert personas.default == "coach"
    assert personas.resolve("코치").bank_path == tmp_path / "coach.json"
    assert personas.resolve("joy").system_prompt == "바뀐 프롬프트"
    assert len(list(personas)) == 6
