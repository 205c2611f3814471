"""Open pages that follow a save, the options side by side in one run: what idle open pages cost the server,
and how long a save takes to reach them without any input.

    measure(data_dir, db_path, work, quick, log)

Each option runs on its own freshly started server over the same data: `watcher` (the product's default,
`plan.ui.live`: one thread per process that reruns only the sessions showing a changed plan), `timer N s`
($PLAN_REFRESH_SECONDS: every open page runs a fragment every N seconds), and as the floor `none` (a timer of
a day: pages that never follow, so no save is made). For each: PAGES overview pages are opened and left idle
(each a websocket that only reads), the server's CPU time (/proc/<pid>/stat, utime + stime) is read over
IDLE_WINDOW_S, then an editor's save toggles an activity the overview's first card counts, and every page's
delay is the time from the save until a run it did not ask for finished showing the new count.
"""

import asyncio
import os
import statistics
import time
from pathlib import Path

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from plan import outlook
from plan.bench import held, scaleout, viewers
from plan.data import database
from plan.data.store import FolderStore
from plan.serve import server
from plan.ui.live import POLL_ENV

PAGES, QUICK_PAGES = 60, 3
IDLE_WINDOW_S, QUICK_IDLE_WINDOW_S = 30.0, 4.0
SEEN_WITHIN_S = 60.0  # a page that shows nothing new by then counts as missed
FLOOR = "none (floor)"
OPTIONS = {"watcher": {}, **{f"timer {n} s": {POLL_ENV: str(n)} for n in (5, 10, 15)}, FLOOR: {POLL_ENV: "86400"}}
QUICK_OPTIONS = ("watcher", "timer 5 s")
CHOSEN = "watcher"


class Listener(held.Watcher):
    """An open page that, once loaded, sends nothing but what a browser's timer would (a `run_every` fragment's
    ticks: the browser asks for them) and reads the runs that follow, noting what full runs show."""

    def __init__(self, url: str):
        super().__init__(url)
        self.shown: list[tuple[float, str | None]] = []  # (when a full run finished, its first card)
        self.timers: dict[str, asyncio.Task] = {}  # fragment id -> its ticks

    async def send(self, message=None, page_name: str = "") -> None:
        if self.connection is not None and not isinstance(self.connection, _Timed):
            self.connection = _Timed(self.connection, self)
        await super().send(message, page_name)

    def timer(self, forward: ForwardMsg) -> None:
        """Start or stop a fragment's ticks as Streamlit's frontend does on these messages."""
        if forward.WhichOneof("type") == "auto_rerun" and forward.auto_rerun.fragment_id not in self.timers:
            fragment = forward.auto_rerun.fragment_id
            self.timers[fragment] = asyncio.create_task(self._tick(fragment, forward.auto_rerun.interval))
        elif forward.WhichOneof("type") == "stop_auto_rerun":
            for fragment in forward.stop_auto_rerun.fragment_ids:
                self.timers.pop(fragment, asyncio.create_task(asyncio.sleep(0))).cancel()

    async def _tick(self, fragment: str, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            message = BackMsg()
            message.rerun_script.fragment_id = fragment
            message.rerun_script.is_auto_rerun = True
            message.rerun_script.query_string = self.query_string
            message.rerun_script.page_script_hash = self.page_hash
            await self.connection.send(message.SerializeToString())

    async def close(self) -> None:
        for task in self.timers.values():
            task.cancel()
        await super().close()

    async def listen(self) -> None:
        self.cards.clear()
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.connection.recv())
            kind = forward.WhichOneof("type")
            if kind == "delta":
                self.note_element(forward.delta)
            elif kind == "script_finished" and forward.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                self.shown.append((time.monotonic(), self.cards.get(held.DONE_LABEL)))
                self.cards.clear()


class _Timed:
    """A viewer's websocket that shows every message it receives to the listener's `timer` first."""

    def __init__(self, connection, listener: Listener):
        self.connection, self.listener = connection, listener

    async def recv(self):
        data = await self.connection.recv()
        forward = ForwardMsg()
        forward.ParseFromString(data)
        self.listener.timer(forward)
        return data

    async def send(self, data) -> None:
        await self.connection.send(data)

    async def close(self) -> None:
        await self.connection.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _one(running: server.Server, data_dir: Path, db_path: Path, pages: int, window: float,
               toggled: tuple[str, tuple] | None) -> dict:
    """One option's server: idle cost, then (unless `toggled` is None) the save of that activity and its delays."""
    listeners = [Listener(running.url) for _ in range(pages)]
    tasks = []
    try:
        _, errors = await viewers.open_all(listeners, [""] * pages, concurrency=5)
        before = {listener.cards.get(held.DONE_LABEL) for listener in listeners}
        tasks = [asyncio.create_task(listener.listen()) for listener in listeners]
        await asyncio.sleep(3)  # the runs a URL-bound widget may still ask for after a first load
        used, started = cpu_seconds(running.pid), time.monotonic()
        await asyncio.sleep(window)
        idle = (cpu_seconds(running.pid) - used) / (time.monotonic() - started)
        delays = [] if toggled is None else await _save_seen(listeners, data_dir, db_path, toggled, before)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.gather(*(listener.close() for listener in listeners), return_exceptions=True)
    follows = toggled is not None
    return {"pages": pages, "open_errors": len(errors), "idle_core_share": round(idle, 4),
            "seen": len(delays), "missed": pages - len(delays) if follows else None,
            "delay_p50_s": _round(statistics.median(delays)) if delays else None,
            "delay_max_s": _round(max(delays)) if delays else None}


async def _save_seen(listeners: list[Listener], data_dir: Path, db_path: Path, toggled: tuple[str, tuple],
                     before: set) -> list[float]:
    """An editor's save toggling an activity the first card counts (done <-> in progress); seconds from the save
    until each page's first unasked run showing a new count (pages that saw none within SEEN_WITHIN_S left out)."""
    plan_id, key = toggled
    saved = time.monotonic()
    await asyncio.to_thread(scaleout._toggle, data_dir, FolderStore(data_dir), db_path, plan_id, key)
    deadline, found = saved + SEEN_WITHIN_S, []
    while time.monotonic() < deadline:
        found = [[when - saved for when, card in listener.shown if when > saved and card not in before]
                 for listener in listeners]
        if all(found):
            break
        await asyncio.sleep(0.2)  # a poll of what the listeners have read
    return [times[0] for times in found if times]


def _round(value: float) -> float:
    return round(value, 3)


def measure(data_dir: Path, db_path: Path, work: Path, quick: bool, log) -> dict:
    """Every option on its own server over `data_dir` (the database built first); results by option."""
    database.ensure(data_dir, db_path, derive=outlook.derive)
    pages, window = (QUICK_PAGES, QUICK_IDLE_WINDOW_S) if quick else (PAGES, IDLE_WINDOW_S)
    toggled = held.toggled_activity(data_dir, held._done_counts(db_path)[0])  # each save flips it back or forth
    results = {}
    for name in QUICK_OPTIONS if quick else OPTIONS:
        log_path = work / f"live-{name.split(' (')[0].replace(' ', '-')}.log"
        with server.serve(data_dir, db_path, log_path, OPTIONS[name]) as running:
            results[name] = asyncio.run(_one(running, data_dir, db_path, pages, window,
                                              None if name == FLOOR else toggled))
        log(f"live, {name}: {pages} idle pages {results[name]['idle_core_share']:.1%} of a core, save shown in "
            f"p50 {results[name]['delay_p50_s']} s, max {results[name]['delay_max_s']} s, "
            f"missed {results[name]['missed']}")
    return {"chosen": CHOSEN, "idle_window_s": window, "load_average": _load(), "options": results}


def _load() -> list[float]:
    """The machine's 1, 5 and 15 minute load averages when the measurement ended (others may share it)."""
    return [float(value) for value in Path("/proc/loadavg").read_text().split()[:3]]
