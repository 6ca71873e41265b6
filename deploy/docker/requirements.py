"""Print the requirements of pyproject.toml, one a line: the runtime dependencies, or with
`--only EXTRA...` just those extras (self-references such as `emotion-chat[recommender]`
expanded). The images install these in layers of their own before any code is copied, so a
code change rebuilds only the small last layer, and every image's first dependency layer is
the same one (the builder caches it once for all of them).

    python3 requirements.py pyproject.toml                 # [project].dependencies
    python3 requirements.py pyproject.toml --only train    # the train extra's own lines

Standard library only (tomllib: Python 3.11+), as it runs before anything is installed.
"""

from __future__ import annotations

import re
import sys
import tomllib


def extra_lines(project: dict, name: str, extra: str, seen: set[str]) -> list[str]:
    if extra in seen:
        return []
    seen.add(extra)
    lines: list[str] = []
    for requirement in project.get("optional-dependencies", {}).get(extra, []):
        own = re.fullmatch(rf"\s*{re.escape(name)}\s*\[([^\]]+)\]\s*", requirement)
        if own:
            for inner in own.group(1).split(","):
                lines += extra_lines(project, name, inner.strip(), seen)
        else:
            lines.append(requirement)
    return lines


def main(argv: list[str]) -> int:
    if not argv or (len(argv) > 1 and argv[1] != "--only") or len(argv) == 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], "rb") as handle:
        project = tomllib.load(handle)["project"]
    if len(argv) == 1:
        lines = list(project.get("dependencies", []))
    else:
        seen: set[str] = set()
        lines = []
        for extra in argv[2:]:
            if extra not in project.get("optional-dependencies", {}):
                print(f"requirements.py: no extra {extra!r}", file=sys.stderr)
                return 2
            lines += extra_lines(project, project["name"], extra, seen)
    print("\n".join(dict.fromkeys(lines)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
