"""What the hosted deployment costs: a save until every page shows it, and a crowd opening the link on replicas.

    save_visible(data_dir, db_path)   an editor's save (checked, stored, history) until the database the pages
                                      read holds it: the replica that saved; and, for another replica, the copy
                                      and the rebuild its next sync does (plus up to SYNC_SECONDS of waiting)
    burst(data_dir, db_path, ...)     30 first loads of the overview at once: one process, then 2 replicas
                                      behind HAProxy, side by side in one run
"""

import asyncio
import shutil
import time
from pathlib import Path

from plan import outlook
from plan.bench import viewers
from plan.bench.held import toggled_activity
from plan.data import database
from plan.data.store import FolderStore
from plan.edit import editing
from plan.model.models import ACTIVITIES, Status
from plan.serve import server
from plan.serve.replicas import replicas
from plan.ui.store import SYNC_SECONDS

BURST = 30


def _toggle(data_dir: Path, store: FolderStore, db_path: Path, plan_id: str, key: tuple) -> editing.Saved:
    version = editing.load(data_dir, plan_id, ACTIVITIES)
    status = version.by_key()[key].value.status
    new = Status.DONE if status is Status.IN_PROGRESS else Status.IN_PROGRESS
    draft = editing.apply(version, editing.Changes(changed={key: {"status": new.value}}))
    result = editing.save(data_dir, store, plan_id, ACTIVITIES, draft.raw, version.sha, "bench", db_path=db_path)
    if not isinstance(result, editing.Saved) or result.unfinished:
        raise RuntimeError(f"the benchmark's save did not land: {result}")
    return result


def save_visible(data_dir: Path, db_path: Path, repetitions: int) -> dict:
    """Seconds from a save until the pages' database holds it (this replica), and for another replica the
    copy-and-rebuild of one plan its sync does; a whole rebuild measured beside them."""
    database.ensure(data_dir, db_path, derive=outlook.derive)
    store = FolderStore(data_dir)
    plan_id, key = toggled_activity(data_dir)
    other = db_path.with_name("other-replica.duckdb")
    shutil.copyfile(db_path, other)
    saving, following, whole = [], [], []
    for _ in range(repetitions):
        started = time.perf_counter()
        _toggle(data_dir, store, db_path, plan_id, key)
        with database.reader(db_path) as con:  # what the next page run opens
            con.execute("SELECT count(*) FROM activities").fetchall()
        saving.append(time.perf_counter() - started)
        started = time.perf_counter()
        database.refresh(data_dir, other, {plan_id}, derive=outlook.derive)
        following.append(time.perf_counter() - started)
        started = time.perf_counter()
        database.build(data_dir, other, derive=outlook.derive)
        whole.append(time.perf_counter() - started)
    other.unlink(missing_ok=True)
    following_s = viewers.median(following)
    return {"this_replica_s": viewers.median(saving), "other_replica_rebuild_s": following_s,
            "other_replica_worst_s": round(following_s + SYNC_SECONDS, 3), "whole_build_s": viewers.median(whole)}


def burst(data_dir: Path, db_path: Path, work: Path, repetitions: int, log) -> dict:
    """p95 of 30 simultaneous first loads of the overview: one process against 2 replicas behind HAProxy,
    alternating, each on freshly started servers whose databases are already built."""
    database.ensure(data_dir, db_path, derive=outlook.derive)
    runs: dict[str, list[dict]] = {"one process": [], "2 replicas": []}
    for repetition in range(repetitions):
        folder = work / f"burst-{repetition}"
        for index in (1, 2):
            (folder / f"replica{index}").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(db_path, folder / f"replica{index}" / "plan.duckdb")
        with server.serve(data_dir, folder / "replica1" / "plan.duckdb", folder / "one.log") as one:
            runs["one process"].append(asyncio.run(viewers.first_loads(one.url, BURST)))
        with replicas(2, data_dir, folder) as served:
            runs["2 replicas"].append(asyncio.run(viewers.first_loads(served.url, BURST)))
        log(f"burst {repetition + 1}/{repetitions}: p95 one process {runs['one process'][-1]['p95_s']} s, "
            f"2 replicas {runs['2 replicas'][-1]['p95_s']} s")
    result = {name: {"p95_s": viewers.median([run["p95_s"] for run in found]),
                     "p50_s": viewers.median([run["p50_s"] for run in found]),
                     "errors": sum(run["errors"] for run in found)} for name, found in runs.items()}
    result["ratio"] = round(result["2 replicas"]["p95_s"] / result["one process"]["p95_s"], 2)
    return result
