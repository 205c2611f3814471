"""Page script run times through Streamlit's AppTest, cold and warm.

Cold is the first run of a page in a fresh Python process with empty Streamlit caches, opened
directly as a shared link would (Streamlit itself is imported before the clock starts; the
app's own imports, the database check and every query are inside). Warm is the same page
run again in that process, its queries cached. Each cold measurement is its own process:

    PLAN_DATA_DIR=... PLAN_DB_PATH=... python -m plan.bench.pages PAGE_FILE WARM_RUNS APP   -> one JSON line
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from plan.serve import APP

RUN_TIMEOUT_S = 600


def measure(data_dir: Path, db_path: Path, page_file: str, warm_runs: int, app: Path = APP) -> dict:
    """One cold run and `warm_runs` warm runs of `page_file` (e.g. "pages/progress.py"; "": the app's first
    page) of `app` in a new process."""
    env = {**os.environ, "PLAN_DATA_DIR": str(data_dir), "PLAN_DB_PATH": str(db_path)}
    result = subprocess.run([sys.executable, "-m", "plan.bench.pages", page_file, str(warm_runs), str(app)],
                            cwd=APP.parent,
                            env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S * (warm_runs + 1))
    if result.returncode != 0:
        raise RuntimeError(f"{page_file} failed under AppTest:\n{result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _worker(page_file: str, warm_runs: int, app: str) -> dict:
    from streamlit.testing.v1 import AppTest

    # The url paths of the pages are their file names, so the page can be chosen before the first run.
    at = AppTest.from_file(app, default_timeout=RUN_TIMEOUT_S)
    if page_file:
        at.switch_page(page_file)
    started = time.perf_counter()
    at.run()
    cold = time.perf_counter() - started
    warm = []
    for _ in range(warm_runs):
        started = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - started)
    if at.exception:
        raise RuntimeError(f"{page_file}: {at.exception[0].message}")
    return {"cold_s": cold, "warm_s": warm}


if __name__ == "__main__":
    print(json.dumps(_worker(sys.argv[1], int(sys.argv[2]), sys.argv[3])))
