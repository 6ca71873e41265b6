"""Benchmark report: results.json, report.md (tables and ratios) and PNG plots."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from benchmarks.classifier_suite import SuiteResult

SYSTEM_NAMES = {"ours": "ours (gRPC classifier)", "triton": "Triton dynamic batcher (PyTriton)",
                "baseline": "per-request Flask + transformers pipeline"}
TARGET_LEVEL = 32


def ratios(result: SuiteResult) -> dict[str, float | None]:
    """ours vs the others at concurrency 32 (or the highest level measured)."""
    ours = result.closed.get("ours", {})
    if not ours:
        return {}
    level = TARGET_LEVEL if TARGET_LEVEL in ours else max(ours)
    mine = ours[level]["throughput"]

    def versus(system: str, key: str = "throughput") -> float | None:
        other = result.closed.get(system, {}).get(level)
        return round(mine / other[key], 2) if other and other[key] else None

    p99_ratio = None
    if "ours" in result.equal_rate and "triton" in result.equal_rate:
        p99_ratio = round(result.equal_rate["ours"]["p99_ms"]
                          / result.equal_rate["triton"]["p99_ms"], 2)
    best_ceiling = max(result.ceiling.values()) if result.ceiling else None
    return {
        "level": level,
        "ours_over_ceiling": round(mine / best_ceiling, 2) if best_ceiling else None,
        "ours_over_triton": versus("triton"),
        "ours_over_baseline": versus("baseline"),
        "p99_ours_over_triton_at_equal_rate": p99_ratio,
    }


def markdown(result: SuiteResult, extra: dict[str, Any], title: str) -> str:
    lines = [f"# {title}", ""]
    if result.ceiling:
        lines += ["## Ceiling: bare tokenisation + session.run, one process", "",
                  "| batch size | texts/s |", "|---|---|"]
        lines += [f"| {b} | {v:.1f} |" for b, v in result.ceiling.items()]
        lines.append("")
    if result.closed:
        levels = sorted({lvl for s in result.closed.values() for lvl in s})
        lines += ["## Closed loop, 1 text per request (median of rounds)", "",
                  "| system | " + " | ".join(f"c={lvl} texts/s (p99 ms)" for lvl in levels) + " |",
                  "|---|" + "---|" * len(levels)]
        for system, by_level in result.closed.items():
            cells = [f"{by_level[lvl]['throughput']:.1f} ({by_level[lvl]['p99_ms']:.0f})"
                     if lvl in by_level else "–" for lvl in levels]
            lines.append(f"| {SYSTEM_NAMES.get(system, system)} | " + " | ".join(cells) + " |")
        lines.append("")
    if result.multi_text:
        lines += [f"Ours with {result.multi_text['texts_per_request']} texts per request: "
                  f"{result.multi_text['throughput']:.1f} texts/s.", ""]
    if result.equal_rate:
        lines += [f"## Equal throughput: Poisson arrivals at {result.rate} requests/s", "",
                  "| system | achieved texts/s | p50 ms | p99 ms | errors |",
                  "|---|---|---|---|---|"]
        for system, row in result.equal_rate.items():
            lines.append(f"| {SYSTEM_NAMES.get(system, system)} | {row['throughput']:.1f} | "
                         f"{row['p50_ms']:.0f} | {row['p99_ms']:.0f} | {row['errors']:.0f} |")
        lines.append("")
    r = ratios(result)
    if r:
        lines += [f"## Ratios at concurrency {r['level']}", "",
                  f"- ours / ceiling (best batch size): {r['ours_over_ceiling']}",
                  f"- ours / Triton: {r['ours_over_triton']}",
                  f"- ours / per-request baseline: {r['ours_over_baseline']}",
                  f"- p99 ours / Triton at equal throughput: "
                  f"{r['p99_ours_over_triton_at_equal_rate']}", ""]
    for name, rows in extra.items():
        if not rows:
            continue
        keys = list(rows[0])
        lines += [f"## {name}", "", "| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
        for row in rows:
            lines.append("| " + " | ".join(_cell(row[k]) for k in keys) + " |")
        lines.append("")
    if result.errors:
        lines += ["## Not measured", ""] + [f"- {e}" for e in result.errors] + [""]
    return "\n".join(lines)


def _cell(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def plots(result: SuiteResult, out_dir: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    written = []
    if result.closed:
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
        for system, by_level in result.closed.items():
            levels = sorted(by_level)
            label = SYSTEM_NAMES.get(system, system)
            left.plot(levels, [by_level[lvl]["throughput"] for lvl in levels], marker="o",
                      label=label)
            right.plot(levels, [by_level[lvl]["p99_ms"] for lvl in levels], marker="o",
                       label=label)
        if result.ceiling:
            left.axhline(max(result.ceiling.values()), linestyle="--", color="grey",
                         label="ceiling (bare session.run)")
        left.set(xscale="log", xlabel="concurrency", ylabel="texts/s",
                 title="Throughput vs concurrency")
        right.set(xscale="log", yscale="log", xlabel="concurrency", ylabel="p99 latency (ms)",
                  title="p99 latency vs concurrency")
        left.legend(fontsize=7)
        fig.tight_layout()
        path = out_dir / "throughput_latency.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    if result.equal_rate:
        fig, ax = plt.subplots(figsize=(6, 4))
        systems = list(result.equal_rate)
        for i, pct in enumerate(("p50_ms", "p99_ms")):
            ax.bar([j + i * 0.4 for j in range(len(systems))],
                   [result.equal_rate[s][pct] for s in systems], width=0.4,
                   label=pct.replace("_ms", ""))
        ax.set_xticks([j + 0.2 for j in range(len(systems))],
                      [SYSTEM_NAMES.get(s, s).split(" (")[0] for s in systems], fontsize=7)
        ax.set(ylabel="ms", title=f"Latency at {result.rate} requests/s (Poisson)")
        ax.legend()
        fig.tight_layout()
        path = out_dir / "latency_equal_rate.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        written.append(path)
    return written


def write(result: SuiteResult, extra: dict[str, Any], out_dir: Path, title: str,
          meta: dict[str, Any]) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {"meta": meta, "classifier": asdict(result), "ratios": ratios(result), **extra}
    (out_dir / "results.json").write_text(json.dumps(data, ensure_ascii=False, indent=2),
                                          encoding="utf-8")
    (out_dir / "report.md").write_text(markdown(result, extra, title), encoding="utf-8")
    return [out_dir / "results.json", out_dir / "report.md", *plots(result, out_dir)]
