import json
from pathlib import Path

from benchmarks.classifier_suite import SuiteResult
from benchmarks.report import ratios, write


def sample() -> SuiteResult:
    row = {"throughput": 40.0, "p50_ms": 700.0, "p90_ms": 900.0, "p95_ms": 950.0,
           "p99_ms": 1500.0, "errors": 0.0}
    return SuiteResult(
        ceiling={1: 36.0, 8: 30.0},
        closed={"ours": {1: {**row, "throughput": 34.0}, 32: row},
                "triton": {1: {**row, "throughput": 28.0}, 32: {**row, "throughput": 32.0}},
                "baseline": {32: {**row, "throughput": 13.0}}},
        equal_rate={"ours": {"throughput": 22, "p50_ms": 40, "p99_ms": 120, "errors": 0},
                    "triton": {"throughput": 22, "p50_ms": 60, "p99_ms": 240, "errors": 0}},
        rate=22.4)


def test_ratios_compare_at_concurrency_32() -> None:
    r = ratios(sample())
    assert r == {"level": 32, "ours_over_ceiling": 1.11, "ours_over_triton": 1.25,
                 "ours_over_baseline": 3.08, "p99_ours_over_triton_at_equal_rate": 0.5}


def test_write_produces_json_markdown_and_plots(tmp_path: Path) -> None:
    files = write(sample(), {"Orchestrator end to end": [{"concurrency": 1, "p50": 1.5}]},
                  tmp_path, "test report", {"quick": True})
    names = sorted(p.name for p in files)
    assert names == ["latency_equal_rate.png", "report.md", "results.json",
                     "throughput_latency.png"]
    data = json.loads((tmp_path / "results.json").read_text())
    assert data["ratios"]["ours_over_triton"] == 1.25
    report = (tmp_path / "report.md").read_text()
    assert "| ours (gRPC classifier) | 34.0 (1500) | 40.0 (1500) |" in report
    assert "Orchestrator end to end" in report
    assert (tmp_path / "throughput_latency.png").stat().st_size > 10_000
