"""`python -m plan bench --quick` at sample scale runs end to end and writes checkable results.

A smoke test of the machinery (AppTest workers, a real server, the websocket viewers): the
structure is asserted, never a timing (CI machines are shared and noisy).
"""

import json
import subprocess
import sys
from pathlib import Path

from plan.bench.suite import LIMITS, page_files

REPO = Path(__file__).resolve().parent.parent


def test_quick_bench_writes_every_figure_and_target(tmp_path):
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, "-m", "plan", "bench", "--scale", "sample", "--quick", "--out", str(out),
                             "--work", str(tmp_path / "work")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    written = json.loads((out / "results.json").read_text(encoding="utf-8"))

    names = [name for name, _, _ in page_files()]
    assert set(written["pages"]) == set(names)
    for by_scale in written["pages"].values():
        for kind in ("cold", "warm"):
            assert by_scale["sample"][kind]["median_s"] > 0
    assert written["memory"]["sample"]["peak_rss_mib"] > 0
    viewers = written["viewers"]
    for figures in (viewers["single_viewer"]["filter_change"], viewers["under_load"], viewers["burst"]):
        assert {"p50_s", "p95_s", "errors", "count"} <= set(figures) and figures["count"] > 0
    assert viewers["burst"]["served"] == viewers["crowd"]["burst"]
    assert written["machine"]["cores"] >= 1 and written["build"]["plan build"]["median_s"] > 0

    targets = {target["name"]: target for target in written["targets"]}
    assert len(targets) == 1 + 2 * len(names) + 3
    for name in names:
        assert f"warm page {name}: sample / sample" in targets and f"cold page {name}: sample / sample" in targets
    for target in targets.values():
        assert set(target) == {"name", "ratio", "limit", "met"}
        assert target["met"] == (target["ratio"] is not None and target["ratio"] <= target["limit"])
    assert targets["build / plain read_csv"]["limit"] == LIMITS["build"]
    # The errors target is a count, not a timing: the machinery itself must run clean.
    assert targets["viewers: errors (any run, burst load not served)"]["ratio"] == 0

    table = (out / "results.md").read_text(encoding="utf-8")
    assert "| plan build |" in table and "| target | ratio | limit | met |" in table
    assert table in result.stdout
