"""Open pages that follow a save: one watcher thread per server process, and the Streamlit internals it uses.

A page is drawn by a script run, and Streamlit runs the script only when the browser asks (a click). So each
process runs one watcher (a daemon thread started by its first script run) that every WATCH_SECONDS
brings the local copy in step with the plan store (`store.sync`, PostgreSQL) and compares each plan
folder's CSVs (name, size, time: what the readiness check compares) with its last look. A session showing a
changed plan is asked to run again as Streamlit's own run-on-save does, with its last client state (page,
query string, widget values), so the page redraws in place; a few at a time (RERUNS_AT_ONCE). Every
replica runs its own watcher.

    follow(plan_ids)          this run's session shows these plans (none: never rerun it, e.g. the editor,
                              whose grid may hold a draft)
    start(store, folder, db)  the process's watcher, started once

Every use of Streamlit internals (not its documented API) is in this module, and tests/test_live.py fails
when Streamlit changes them. Without them, $PLAN_REFRESH_SECONDS makes pages poll on a timer instead
(`plan.ui.follow_saves`), at a cost measured in docs/benchmarks.md.
"""

import hashlib
import os
import sys
import threading
import time
from pathlib import Path

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from plan.data import database
from plan.data.store import PlanStore
from plan.ui import store

WATCH_SECONDS = 2.0
# One process runs one script at a time (the GIL): 60 pages asked at once would share the CPU and all finish
# last, so they are asked a few at a time and the first pages show the change within a second or two.
RERUNS_AT_ONCE = 2
RERUN_WAIT_S = 30.0
POLL_ENV = "PLAN_REFRESH_SECONDS"  # set: pages poll every that many seconds instead (see module doc)

_following: dict[str, frozenset[str]] = {}  # session id -> the plan ids its page shows
_waiting: set[str] = set()  # sessions to ask at the next look (busy with a run of their own at this one)
_lock = threading.Lock()


def poll_seconds() -> float | None:
    """The timer's period when $PLAN_REFRESH_SECONDS sets one, else None (the watcher)."""
    value = os.environ.get(POLL_ENV, "")
    return float(value) if value else None


def session_id() -> str | None:
    ctx = get_script_run_ctx()
    return None if ctx is None else ctx.session_id


def follow(plan_ids: tuple[str, ...]) -> None:
    """This run's session shows `plan_ids`: rerun it when one of them changes (none: never)."""
    session = session_id()
    if session is None or not Runtime.exists():  # not a server's run (AppTest has no sessions to rerun)
        return
    with _lock:
        if plan_ids:
            _following[session] = frozenset(plan_ids)
        else:
            _following.pop(session, None)
            _waiting.discard(session)


def signatures(folder: Path) -> dict[str, str]:
    """Plan id -> a digest of its CSVs' (name, size, time); no file is read."""
    by_plan: dict[str, list] = {}
    for name, size, mtime in database.csv_stats(folder):
        by_plan.setdefault(name.split("/", 1)[0], []).append((name, size, mtime))
    return {plan: hashlib.sha256(repr(stats).encode()).hexdigest() for plan, stats in by_plan.items()}


def changed(before: dict[str, str], after: dict[str, str]) -> set[str] | None:
    """The plans whose CSVs changed; None when plans came or went (every page's choices may change)."""
    if before.keys() != after.keys():
        return None
    return {plan for plan, digest in after.items() if before[plan] != digest}


def rerun_showing(plans: set[str] | None) -> list[str]:
    """Ask every connected session showing one of `plans` (None: every followed session), and those left
    waiting by an earlier look, to run again with its last client state, RERUNS_AT_ONCE at a time; forget the
    sessions that are gone. A session running a run of its own (a click) waits for the next look: asked now,
    it would be rerun with the client state from before that click. The ids asked."""
    manager = Runtime.instance()._session_mgr
    asked, running = [], []
    with _lock:
        following = dict(_following)
    for session, shown in following.items():
        info = manager.get_active_session_info(session)
        if info is None:  # disconnected (a reconnecting tab runs again, and follows again)
            with _lock:
                _following.pop(session, None)
                _waiting.discard(session)
        elif plans is None or shown & plans or session in _waiting:
            running = _until_fewer(running)
            if info.session._scriptrunner is not None:
                _waiting.add(session)
                continue
            _waiting.discard(session)
            state = ClientState()
            state.CopyFrom(info.session._client_state)
            state.fragment_id = ""  # the whole page, even if its last run was a fragment's
            info.session.request_rerun(state)
            running.append((info.session, time.monotonic() + RERUN_WAIT_S))
            asked.append(session)
    return asked


def _until_fewer(running: list[tuple]) -> list[tuple]:
    """Wait until fewer than RERUNS_AT_ONCE of the asked sessions are still running (a session has a script
    runner from the moment it is asked until its run ended), or have run longer than RERUN_WAIT_S."""
    while True:
        running = [(session, until) for session, until in running
                   if session._scriptrunner is not None and time.monotonic() < until]
        if len(running) < RERUNS_AT_ONCE:
            return running
        time.sleep(0.02)  # a poll: a run's end is not signalled to other threads


class Watcher:
    """Looks at the plan every WATCH_SECONDS; never lets an error end it (the pages show the store's banner)."""

    def __init__(self, plan_store: PlanStore, folder: Path, db_path: Path):
        self.plan_store, self.folder, self.db_path = plan_store, folder, db_path
        self.seen = signatures(folder)
        self.problem = ""

    def look(self) -> list[str]:
        """One look: sync, compare, ask the sessions that show a change to rerun; the sessions asked."""
        problem = store.sync(self.plan_store, self.folder, self.db_path)
        now = signatures(self.folder)
        plans = changed(self.seen, now)
        self.seen = now
        if problem != self.problem:  # the store went away or came back: every page's banner changes
            self.problem, plans = problem, None
        return [] if plans == set() and not _waiting else rerun_showing(plans)

    def run(self) -> None:
        while True:
            time.sleep(WATCH_SECONDS)
            if not Runtime.exists():  # the server stopped (or a test's runtime is gone): nothing left to rerun
                return
            try:
                self.look()
            except Exception as error:  # a watcher that died would silently stop every page following
                print(f"plan watcher: {type(error).__name__}: {error}", file=sys.stderr)


_watchers: dict[tuple[str, str], threading.Thread] = {}  # (folder, database) -> its watcher; not a Streamlit
# cache, which a viewer's "clear caches" would empty, starting a second watcher


def start(plan_store: PlanStore, folder: Path, db_path: Path) -> None:
    """The process's watcher of `folder` (one per folder and database), started on the first call."""
    if not Runtime.exists():  # not under AppTest, which has no sessions to rerun
        return
    key = (str(folder), str(db_path))
    with _lock:
        if key not in _watchers:
            watcher = Watcher(plan_store, folder, db_path)
            _watchers[key] = threading.Thread(target=watcher.run, name="plan-watcher", daemon=True)
            _watchers[key].start()
