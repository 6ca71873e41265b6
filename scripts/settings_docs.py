"""Write each service's settings table into README.md (between generated markers).

    python scripts/settings_docs.py           # update README.md
    python scripts/settings_docs.py --check   # exit 1 if README.md is out of date

The tables come from the pydantic-settings classes (field docstrings are the descriptions), so
the README cannot drift from the code; a test runs --check.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from pydantic_settings import BaseSettings

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
sys.path.insert(0, str(ROOT))


def services() -> dict[str, type[BaseSettings]]:
    from classifier_service.settings import ClassifierSettings
    from emotion_chat.settings import ServiceSettings
    from generator_service.settings import GeneratorSettings

    found: dict[str, type[BaseSettings]] = {"shared": ServiceSettings,
                                            "classifier": ClassifierSettings,
                                            "generator": GeneratorSettings}
    try:
        from recommender_service.settings import RecommenderSettings
    except ImportError:
        pass
    else:
        found["recommender"] = RecommenderSettings
    try:
        from orchestrator.settings import OrchestratorSettings
    except ImportError:
        return found
    found["orchestrator"] = OrchestratorSettings
    return found


def _default(value: object) -> str:
    if value is None:
        return "unset"
    if hasattr(value, "value"):
        value = value.value
    return f"`{value}`"


def table(name: str, cls: type[BaseSettings]) -> str:
    shared = set(services()["shared"].model_fields) - {"port", "metrics_port"}
    prefix = "SERVICE_" if name == "shared" else cls.model_config.get("env_prefix", "")
    rows = ["| env | flag | default | meaning |", "|---|---|---|---|"]
    for field, info in cls.model_fields.items():
        if (name != "shared" and field in shared) or (name == "shared" and field not in shared):
            continue
        description = " ".join((info.description or "").split())
        env = f"{'<PREFIX>_' if name == 'shared' else prefix}{field.upper()}"
        rows.append(f"| `{env}` | `--{field.replace('_', '-')}` | {_default(info.default)} | "
                    f"{description} |")
    return "\n".join(rows)


def render(text: str) -> str:
    for name, cls in services().items():
        pattern = re.compile(rf"(<!-- settings:{name} -->\n).*?(<!-- /settings -->)", re.S)
        text = pattern.sub(lambda m, n=name, c=cls: m[1] + table(n, c) + "\n" + m[2], text)
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    current = README.read_text(encoding="utf-8")
    wanted = render(current)
    if args.check:
        if wanted != current:
            print("README.md settings tables are stale: run python scripts/settings_docs.py")
            return 1
        return 0
    README.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
