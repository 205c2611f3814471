"""Load held while the plan changes: a crowd of viewers on a real server while an editor keeps
saving and the database is rebuilt under them. No viewer may see an error or a half-built state.

    editor (own process): toggle one activity done <-> in progress, `editing.save` + rebuild, repeat
    watcher (one viewer): the overview's "activities done" total, over and over: only the two
                          values the CSV versions give may appear
    active viewers: filter changes with think time; idle viewers: open tabs

    python -m plan hold [--scale sample|national] [--seconds N] [--quick]
"""

import asyncio
import json
import multiprocessing
import random
import shutil
import time
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path

from streamlit.proto.Alert_pb2 import Alert

from plan import outlook
from plan.bench import viewers
from plan.data import database, demo
from plan.data.store import FolderStore
from plan.edit import editing
from plan.model.i18n import format_compact
from plan.model.models import ACTIVITIES, Status
from plan.serve import server
from plan.ui import PAGES

DONE_LABEL = "Actividades realizadas"  # the overview card the watcher reads (Spanish: the default language)


@dataclass(frozen=True)
class Hold:
    active: int = 10
    idle: int = 50
    seconds: float = 180.0
    save_every_s: float = 5.0
    think_s: tuple[float, float] = (3.0, 8.0)


QUICK = Hold(active=2, idle=3, seconds=12.0, save_every_s=2.0, think_s=(0.5, 1.0))


class Watcher(viewers.Viewer):
    """A viewer that also reads what the page shows: card values, error banners and warnings."""

    def __init__(self, url: str):
        super().__init__(url)
        self.cards: dict[str, str] = {}
        self.error_banners: list[str] = []
        self.warnings: list[str] = []

    def note_run_started(self) -> None:
        """The cards and warnings shown are the last run's (what a run stopped early for a rerun drew is
        replaced by the run after it); error banners add up until the caller clears them, so none goes unseen."""
        self.cards.clear()
        self.warnings.clear()

    def note_element(self, delta) -> None:
        super().note_element(delta)
        element = delta.new_element if delta.WhichOneof("type") == "new_element" else None
        if element is None:
            return
        if element.WhichOneof("type") == "metric":
            self.cards.setdefault(element.metric.label, element.metric.body)
        elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.ERROR:
            self.error_banners.append(element.alert.body[:200])
        elif element.WhichOneof("type") == "alert" and element.alert.format == Alert.WARNING:
            self.warnings.append(element.alert.body[:200])

    async def look(self) -> str | None:
        """Run the overview again, as a reload does; the first "activities done" card."""
        await self.send()
        return self.cards.get(DONE_LABEL)


def toggled_activity(data_dir: Path, among: Collection[str] | None = None) -> tuple[str, tuple]:
    """An activity in progress with no actual end, so it can go to done and back and stay valid; in one of
    the plans `among` when given."""
    for folder in sorted(p for p in data_dir.iterdir() if (p / ACTIVITIES.file_name).exists()):
        if among is not None and folder.name not in among:
            continue
        for key, row in editing.load(data_dir, folder.name, ACTIVITIES).by_key().items():
            if row.value.status is Status.IN_PROGRESS and row.value.actual_end is None:
                return folder.name, key
    raise ValueError("no activity in progress to toggle")


def _editor(data_dir: Path, db_path: Path, hold: Hold, results, among: list[str]) -> None:
    """Save a status change every `save_every_s` until the time is up; count landed and refused saves."""
    plan_id, key = toggled_activity(data_dir, among)
    history = FolderStore(data_dir)
    deadline = time.monotonic() + hold.seconds
    landed = refused = 0
    while time.monotonic() < deadline:
        version = editing.load(data_dir, plan_id, ACTIVITIES)
        status = version.by_key()[key].value.status
        target = Status.DONE if status is Status.IN_PROGRESS else Status.IN_PROGRESS
        draft = editing.apply(version, editing.Changes(changed={key: {"status": target.value}}))
        result = editing.save(data_dir, history, plan_id, ACTIVITIES, draft.raw, version.sha, "hold", db_path=db_path)
        landed, refused = (landed + 1, refused) if isinstance(result, editing.Saved) else (landed, refused + 1)
        time.sleep(hold.save_every_s)
    results.put({"saves_landed": landed, "saves_refused": refused})


# The plans the overview's default "activities done" total adds, written apart from the pages' code: each
# office's latest plan, of those only the plans with an overall target for done activities (a total's value
# covers the same plans as its target).
COUNTED_PLANS = """
    SELECT p.plan_id FROM plan p
    WHERE p.year = (SELECT max(o.year) FROM plan o WHERE o.office = p.office)
      AND EXISTS (SELECT 1 FROM targets t WHERE t.plan_id = p.plan_id AND t.year = p.year
                  AND t.metric = 'activities_done' AND t.market IS NULL AND t.sector IS NULL)
    ORDER BY p.plan_id
"""


def _done_counts(db_path: Path) -> tuple[list[str], set[str]]:
    """The plans the watched total adds, and the two totals the watcher may see (before and after the
    toggle of an activity in one of them), as shown."""
    with database.reader(db_path) as con:
        counted = [plan_id for (plan_id,) in con.execute(COUNTED_PLANS).fetchall()]
        done = con.execute("SELECT count(*) FROM activities WHERE status = 'done' AND list_contains($plans, plan_id)",
                           {"plans": counted}).fetchone()[0]
    return counted, {format_compact(done, "es"), format_compact(done + 1, "es")}


async def _watch(url: str, deadline: float, seen: list[str | None], errors: list[str]) -> list[str]:
    watcher = Watcher(url)
    try:
        await watcher.open("")
        while time.monotonic() < deadline:
            seen.append(await watcher.look())
            await asyncio.sleep(0.5)
    except viewers.ViewerError as error:
        errors.append(str(error))
    finally:
        await watcher.close()
    return watcher.error_banners


async def _crowd(url: str, hold: Hold, seed: int) -> dict:
    rng = random.Random(seed)
    pages = ["" if path == "overview" else path for _file, path, _icon in PAGES]
    crowd = viewers.Crowd(active=hold.active, idle=hold.idle, seconds=hold.seconds, think_s=hold.think_s)
    idle = [viewers.Viewer(url) for _ in range(hold.idle)]
    active = [viewers.Viewer(url) for _ in range(hold.active)]
    try:
        _, idle_errors = await viewers.open_all(idle, pages, concurrency=5)
        latencies, errors, seen, watch_errors = [], [], [], []
        deadline = time.monotonic() + hold.seconds
        runs = [viewers.keep_busy(viewer, pages[index % len(pages)], deadline, crowd, random.Random(rng.random()),
                               latencies, errors) for index, viewer in enumerate(active)]
        *_, banners = await asyncio.gather(*runs, _watch(url, deadline, seen, watch_errors))
    finally:
        await asyncio.gather(*(viewer.close() for viewer in idle + active), return_exceptions=True)
    return {"viewer_runs": viewers.summary(latencies, errors), "idle_open_errors": len(idle_errors),
            "watcher_looks": len(seen), "watcher_errors": watch_errors, "seen": seen, "error_banners": banners}


def run(data_dir: Path, db_path: Path, log_path: Path, hold: Hold = Hold(), seed: int = 0) -> dict:
    """The whole scenario; the figures and `lost`-style counts a test or the docs can check."""
    database.ensure(data_dir, db_path, derive=outlook.derive)
    counted, allowed = _done_counts(db_path)
    # fork, not spawn: spawn re-runs the parent's __main__, which under AppTest can be app.py itself
    results = multiprocessing.get_context("fork").Queue()
    with server.serve(data_dir, db_path, log_path) as running:
        editor = multiprocessing.get_context("fork").Process(target=_editor,
                                                             args=(data_dir, db_path, hold, results, counted))
        editor.start()
        crowd = asyncio.run(_crowd(running.url, hold, seed))
        editor.join(timeout=hold.seconds + 120)
    saves = results.get(timeout=10)
    odd = sorted({value for value in crowd["seen"] if value not in allowed}, key=str)
    return {"active": hold.active, "idle": hold.idle, "seconds": hold.seconds, "save_every_s": hold.save_every_s,
            **saves, "viewer_runs": crowd["viewer_runs"], "idle_open_errors": crowd["idle_open_errors"],
            "watcher_looks": crowd["watcher_looks"], "watcher_errors": crowd["watcher_errors"],
            "error_banners": crowd["error_banners"], "values_allowed": sorted(allowed),
            "values_seen": dict(Counter(str(value) for value in crowd["seen"])), "values_odd": odd,
            "half_built_seen": len(odd) + len(crowd["error_banners"])}


def run_demo(scale: str, work: Path, out: Path, hold: Hold) -> dict:
    """`run` on a private copy of the `scale` demo (the editor changes it), results written to `out`."""
    source = work / f"demo-{scale}"
    demo.write_demo(source, scale)
    data_dir = work / f"hold-{scale}"
    shutil.rmtree(data_dir, ignore_errors=True)
    shutil.copytree(source, data_dir, ignore=shutil.ignore_patterns(".*"))
    results = {"scale": scale, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
               **run(data_dir, work / f"hold-{scale}.duckdb", work / f"hold-{scale}.log", hold)}
    out.mkdir(parents=True, exist_ok=True)
    (out / "held.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


def markdown(results: dict) -> str:
    runs = results["viewer_runs"]
    return "\n".join([
        f"Load held at `{results['scale']}`, {results['date']}: {results['active']} active + {results['idle']} idle "
        f"viewers for {results['seconds']:.0f} s while an editor saved every {results['save_every_s']:.0f} s "
        "(each save rebuilds the database).", "",
        "| saves landed | refused | viewer runs | p50 s | p95 s | errors | watcher looks | values seen "
        "| half-built seen |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        f"| {results['saves_landed']} | {results['saves_refused']} | {runs['count']} | {runs['p50_s']} | "
        f"{runs['p95_s']} | {runs['errors'] + results['idle_open_errors'] + len(results['watcher_errors'])} | "
        f"{results['watcher_looks']} | {', '.join(f'{k}: {v}' for k, v in results['values_seen'].items())} | "
        f"{results['half_built_seen']} |", ""])
