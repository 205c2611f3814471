"""Simulated viewers of a running dashboard, speaking Streamlit's own websocket protocol.

A browser tab is one websocket on `/_stcore/stream`: it sends `BackMsg.rerun_script` (the
URL's query string, the page, the widget values) and receives `ForwardMsg`s until
`script_finished`. A viewer here does the same without rendering, so one process can drive
dozens of sessions against a server on 127.0.0.1, and a latency is what a person waits for:
from sending the change to the end of the script run.

    Viewer.open(page)      first load of a shared link (new session)
    Viewer.choose(key, v)  a filter change: the sidebar widget `key` set to option `v`
    crowd(...)             1 viewer alone, then active viewers with think time beside idle
                           sessions, then a burst of new viewers; every loop bounded in time

This module drives Streamlit from outside (its protobufs); the app's code does not use it.
"""

import asyncio
import itertools
import math
import random
import statistics
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection, connect

RUN_TIMEOUT_S = 120.0  # one script run; longer counts as an error
FILTER_KEYS = ("office", "year", "market")  # sidebar multiselects a viewer changes (plan.ui widget keys)
DRAWING = ("delta", "page_config_changed", "navigation", "logo")  # what a recording keeps of a run


class ViewerError(Exception):
    """A run that failed as a person would see it: exception shown, connection lost, timeout."""


@dataclass
class Viewer:
    """One browser tab: its websocket, the page it is on and the widgets the server drew."""

    url: str
    connection: ClientConnection | None = None
    page_hash: str = ""
    widgets: dict[str, str] = field(default_factory=dict)  # widget key -> widget id
    options: dict[str, list[str]] = field(default_factory=dict)  # multiselect key -> shown options
    choices: dict[str, str] = field(default_factory=dict)  # filter key -> chosen option
    cached: set[str] = field(default_factory=set)  # hashes of messages the "browser" keeps, as a real one does
    query_string: str = ""
    recorded: list[bytes] | None = None  # when a list: every message that draws the page, as received

    async def open(self, page: str) -> float:
        """Connect and load `page` (its url path) as a shared link does; the seconds it took."""
        started = time.perf_counter()
        self.connection = await connect(self.url.replace("http", "ws", 1) + "/_stcore/stream",
                                        subprotocols=["streamlit"], max_size=None, open_timeout=RUN_TIMEOUT_S)
        await self.send(page_name=page)
        return time.perf_counter() - started

    async def choose(self, key: str, option: str | None) -> float:
        """Set the multiselect `key` to `[option]` (None: clear it), as a click does; the seconds
        until the page finished. Like a browser, send every chosen filter and keep them in the URL
        (bound widgets are written to the URL by the browser, not the server)."""
        if option is None:
            self.choices.pop(key, None)
        else:
            self.choices[key] = option
        message = BackMsg()
        for chosen_key, chosen in self.choices.items():
            state = message.rerun_script.widget_states.widgets.add()
            state.id = self.widgets[chosen_key]
            state.string_array_value.data.append(chosen)
        self.query_string = urlencode(self.choices)
        started = time.perf_counter()
        await self.send(message)
        return time.perf_counter() - started

    async def close(self) -> None:
        if self.connection is not None:
            await self.connection.close()

    async def send(self, message: BackMsg | None = None, page_name: str = "") -> None:
        message = message or BackMsg()
        client = message.rerun_script
        client.query_string = self.query_string
        client.page_script_hash = self.page_hash
        client.page_name = page_name
        client.cached_message_hashes.extend(self.cached)
        try:
            await self.connection.send(message.SerializeToString())
            await asyncio.wait_for(self._until_finished(), RUN_TIMEOUT_S)
        except ViewerError:
            raise
        except Exception as error:  # a lost connection (websockets' ConnectionClosed), a timeout, a protocol error
            raise ViewerError(f"{type(error).__name__}: {error}") from error

    async def _until_finished(self) -> None:
        while not self._take(await self.connection.recv()):
            pass

    async def settle(self, quiet_s: float = 1.0) -> None:
        """Read what the server sends unasked (a run it started because the plan changed, `plan.ui.live`, or
        the rest of a run the last `send` took for its own) until nothing has come for `quiet_s` and no run
        is open: an open tab shows the last run, whoever asked for it. Without this, a run's messages left on
        the socket would make the next `send` take that run's end for its own."""
        while True:
            try:
                raw = await asyncio.wait_for(self.connection.recv(), quiet_s)  # cancelling recv loses nothing
            except TimeoutError:
                return
            if self._take(raw) is None:  # a run started
                await asyncio.wait_for(self._until_finished(), RUN_TIMEOUT_S)

    def _take(self, raw: bytes) -> bool | None:
        """Note one message from the server: True when it ends a run (not one stopped early for a rerun),
        None when it starts one."""
        forward = ForwardMsg()
        forward.ParseFromString(raw)
        if forward.metadata.cacheable and forward.hash:
            self.cached.add(forward.hash)
        kind = forward.WhichOneof("type")
        if self.recorded is not None and kind in DRAWING:
            self.recorded.append(forward.SerializeToString())
        if kind == "new_session":  # sent as each run starts
            self.note_run_started()
            return None
        if kind == "delta":
            self.note_element(forward.delta)
        elif kind == "navigation":
            self.page_hash = forward.navigation.page_script_hash
        elif kind == "script_finished":
            if forward.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise ViewerError("the script did not compile")
            return forward.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN
        return False

    def note_run_started(self) -> None:
        """A run began: what the page shows is redrawn from here."""

    def note_element(self, delta) -> None:
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind == "exception":
            raise ViewerError(f"exception shown: {element.exception.type}: {element.exception.message[:200]}")
        widget = getattr(element, kind)
        widget_id = getattr(widget, "id", "")
        if widget_id.startswith("$$ID-"):
            key = widget_id.split("-", 2)[2]
            self.widgets[key] = widget_id
            if kind == "multiselect":
                self.options[key] = list(widget.options)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile (share in 0..1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summary(latencies: list[float], errors: list[str]) -> dict:
    return {"count": len(latencies), "p50_s": _round(percentile(latencies, 0.5)),
            "p95_s": _round(percentile(latencies, 0.95)), "max_s": _round(max(latencies, default=None)),
            "errors": len(errors), "error_samples": sorted(set(errors))[:5]}


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


async def first_loads(url: str, burst: int, warm: int = 0) -> dict:
    """`warm` first loads of the home page one after the other (the caches a server has filled by the time a
    link is shared), then `burst` at once; the burst's latencies summarized."""
    for _ in range(warm):
        viewer = Viewer(url)
        try:
            await viewer.open("")
        finally:
            await viewer.close()
    opened = [Viewer(url) for _ in range(burst)]
    try:
        latencies, errors = await open_all(opened, [""] * burst, concurrency=None)
    finally:
        await asyncio.gather(*(viewer.close() for viewer in opened), return_exceptions=True)
    return summary(latencies, errors)


def _ratio(top: float | None, bottom: float | None) -> float | None:
    return None if not top or not bottom else round(top / bottom, 2)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


@dataclass(frozen=True)
class Crowd:
    """How many viewers, for how long. Think time is a person reading the page between changes."""

    active: int = 10
    idle: int = 50
    burst: int = 30
    seconds: float = 60.0  # the active phase
    think_s: tuple[float, float] = (3.0, 8.0)
    choices_per_page: int = 6  # filter changes in the single-viewer baseline, per page


def _change(viewer: Viewer, rng: random.Random, index: int) -> tuple[str, str | None]:
    """The `index`-th filter change a person might make: one office, one year or one market (in
    turn), every fourth time clearing it instead."""
    key = FILTER_KEYS[index % len(FILTER_KEYS)]
    options = viewer.options.get(key, [])
    return key, rng.choice(options[:8]) if options and index % 4 != 3 else None


async def _alone(url: str, pages: list[str], crowd: Crowd, rng: random.Random) -> dict:
    """One viewer with the server to itself: every page, the same kind of changes, twice (the
    first pass fills the caches the crowd will also find filled); the second pass is the baseline."""
    first, warm, errors = [], [], []
    for page in pages:
        viewer = Viewer(url)
        try:
            await viewer.open(page)
            changes = [_change(viewer, rng, index) for index in range(crowd.choices_per_page)]
            for timings in (first, warm):
                for key, option in changes:
                    timings.append(await viewer.choose(key, option))
        except ViewerError as error:
            errors.append(str(error))
        finally:
            await viewer.close()
    return {"first_pass": summary(first, []), "filter_change": summary(warm, errors)}


async def keep_busy(viewer: Viewer, page: str, deadline: float, crowd: Crowd, rng: random.Random,
                  latencies: list[float], errors: list[str]) -> None:
    """An active viewer: open `page`, then change a filter after each think time until `deadline`."""
    try:
        await viewer.open(page)
        for index in itertools.count():
            await asyncio.sleep(rng.uniform(*crowd.think_s))
            if time.monotonic() >= deadline:
                break
            latencies.append(await viewer.choose(*_change(viewer, rng, index)))
    except ViewerError as error:
        errors.append(str(error))


async def open_all(viewers: list[Viewer], pages: list[str], concurrency: int | None) -> tuple[list[float], list[str]]:
    """Open every viewer (at most `concurrency` at once; None: all at once); first-load times and errors."""
    gate = asyncio.Semaphore(concurrency or len(viewers) or 1)
    times, errors = [], []

    async def one(index: int, viewer: Viewer) -> None:
        async with gate:
            try:
                times.append(await viewer.open(pages[index % len(pages)]))
            except ViewerError as error:
                errors.append(str(error))

    await asyncio.gather(*(one(index, viewer) for index, viewer in enumerate(viewers)))
    return times, errors


async def run_crowd(url: str, pages: list[str], crowd: Crowd, seed: int = 0) -> dict:
    """The whole scenario against the server at `url`; latencies in seconds, errors counted."""
    rng = random.Random(seed)
    started = time.monotonic()
    alone = await _alone(url, pages, crowd, rng)
    idle = [Viewer(url) for _ in range(crowd.idle)]
    burst = [Viewer(url) for _ in range(crowd.burst)]
    active = [Viewer(url) for _ in range(crowd.active)]
    try:
        _, idle_errors = await open_all(idle, pages, concurrency=5)
        latencies, errors = [], []
        deadline = time.monotonic() + crowd.seconds
        await asyncio.gather(*(keep_busy(viewer, pages[index % len(pages)], deadline, crowd,
                                       random.Random(rng.random()), latencies, errors)
                               for index, viewer in enumerate(active)))
        burst_times, burst_errors = await open_all(burst, pages, concurrency=None)
    finally:
        await asyncio.gather(*(viewer.close() for viewer in idle + burst + active), return_exceptions=True)
    single = alone["filter_change"]
    loaded = summary(latencies, errors)
    return {
        "crowd": {"active": crowd.active, "idle": crowd.idle, "burst": crowd.burst, "active_seconds": crowd.seconds,
                  "think_s": list(crowd.think_s)},
        "single_viewer": alone,
        "under_load": loaded,
        "idle_open_errors": len(idle_errors),
        "burst": summary(burst_times, burst_errors) | {"served": len(burst_times)},
        # Like for like: the crowd's p95 against one viewer's p95. The first target compared it with one viewer's
        # p50, a tail with a median: one viewer alone was already over its limit (p95 4.4x p50), since filter
        # changes differ in cost by themselves; kept as a figure, beside the viewer's own spread.
        "p95_over_single": _ratio(loaded["p95_s"], single["p95_s"]),
        "p95_over_single_p50": _ratio(loaded["p95_s"], single["p50_s"]),
        "single_p95_over_p50": _ratio(single["p95_s"], single["p50_s"]),
        "elapsed_s": round(time.monotonic() - started, 1),
        "mean_run_s": round(statistics.mean(latencies), 4) if latencies else None,
    }
