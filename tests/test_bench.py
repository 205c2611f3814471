"""The build benchmark runs end to end and writes checkable results (no timing asserted)."""

import json

from plan import bench


def test_bench_writes_results_with_targets(tmp_path):
    results = bench.run("sample", tmp_path / "out", repetitions=1, work_dir=tmp_path / "work")
    written = json.loads((tmp_path / "out" / "results.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(results))
    (target,) = written["targets"]
    assert set(target) == {"name", "ratio", "limit", "met"}
    assert target["ratio"] > 0 and target["met"] == (target["ratio"] <= target["limit"])
    assert written["rows"]["outcomes"] > 1000 and written["machine"]["cores"] >= 1
    table = (tmp_path / "out" / "results.md").read_text(encoding="utf-8")
    assert "| plan build |" in table and "| plain read_csv |" in table
