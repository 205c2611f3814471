"""Load held while the plan changes (issue 6): viewers on a real server while an editor keeps saving
and the database is rebuilt under them. The quick run here is a smoke test with real checks, through the
command itself; the full one is `python -m plan hold --scale national` (figures in docs/benchmarks.md)."""

import json
import subprocess
import sys

from tests.conftest import REPO


def test_viewers_never_see_an_error_or_a_half_built_plan_while_an_editor_saves(tmp_path):
    done = subprocess.run([sys.executable, "-m", "plan", "hold", "--scale", "sample", "--quick", "--out",
                           str(tmp_path / "out"), "--work", str(tmp_path / "work")], cwd=REPO, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "| saves landed |" in done.stdout
    results = json.loads((tmp_path / "out" / "held.json").read_text())
    assert results["saves_landed"] >= 3 and results["saves_refused"] == 0
    assert results["viewer_runs"]["count"] > 0 and results["viewer_runs"]["errors"] == 0
    assert results["idle_open_errors"] == 0 and results["watcher_errors"] == []
    # The watcher saw the plan before and after the change (so it did see saves land), and nothing else: the
    # two totals of done activities counted in SQL, apart from the pages, before and after the toggled one.
    before, after = sorted(results["values_allowed"], key=int)
    assert int(after) == int(before) + 1 and set(results["values_seen"]) == {before, after}
    assert results["error_banners"] == [] and results["half_built_seen"] == 0
