"""Open pages that follow a save (`plan.ui.live`): the Streamlit internals it relies on are still there, the
watcher asks only the sessions showing a changed plan to rerun (with their own client state), forgets the
sessions that are gone, survives an unreachable store; and against a real server, an open page that sends
nothing gets the new figure after a hand edit of the CSVs."""

import asyncio
import dataclasses
import inspect
import os
import time
from pathlib import Path

import pytest
from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime import Runtime
from streamlit.runtime.app_session import AppSession
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext
from streamlit.runtime.session_manager import ActiveSessionInfo, SessionManager

from plan.bench import held
from plan.bench.live import Listener
from plan.data.store import FolderStore
from plan.data.store_base import StoreUnavailable
from plan.serve.server import serve
from plan.ui import live
from tests.conftest import copy_sample

ATACAMA, ALIANZA = "prochile-atacama-2021", "alianza-pacifico-2020"
SEEN_WITHIN_S = 60  # how long the real-server test waits for the rerun (the benchmark measures the delay)


def test_the_streamlit_internals_the_watcher_uses_are_still_there():
    """Names and signatures `plan.ui.live` uses beyond Streamlit's documented API: this fails, rather than the
    pages silently no longer following, when an upgrade changes them (then see $PLAN_REFRESH_SECONDS)."""
    assert callable(Runtime.instance) and callable(Runtime.exists)
    assert "self._session_mgr =" in inspect.getsource(Runtime.__init__)
    assert list(inspect.signature(SessionManager.get_active_session_info).parameters) == ["self", "session_id"]
    assert "session" in {field.name for field in dataclasses.fields(ActiveSessionInfo)}
    assert list(inspect.signature(AppSession.request_rerun).parameters) == ["self", "client_state"]
    assert "self._client_state = ClientState()" in inspect.getsource(AppSession.__init__)
    # a session has a script runner from the request until its run ended (the watcher's waves wait on it)
    assert "self._scriptrunner = None" in inspect.getsource(AppSession._handle_scriptrunner_event_on_event_loop)
    assert "self._scriptrunner = ScriptRunner(" in inspect.getsource(AppSession._create_scriptrunner)
    # run-on-save reruns with the session's last client state, as the watcher does
    assert "self.request_rerun(self._client_state)" in inspect.getsource(AppSession._on_source_file_changed)
    assert "session_id" in {field.name for field in dataclasses.fields(ScriptRunContext)}
    assert {"fragment_id", "query_string", "widget_states", "page_script_hash"} <= set(
        ClientState.DESCRIPTOR.fields_by_name)


class FakeSession:
    def __init__(self, query_string: str):
        self._client_state = ClientState(query_string=query_string, fragment_id="a-fragment")
        self.reruns: list[ClientState] = []
        self._scriptrunner = None  # its runs end at once

    def request_rerun(self, client_state: ClientState) -> None:
        self.reruns.append(client_state)


class FakeRuntime:
    """Streamlit's runtime as `plan.ui.live` sees it: sessions by id, None once disconnected."""

    def __init__(self):
        self.sessions: dict[str, FakeSession | None] = {}
        self._session_mgr = self

    def get_active_session_info(self, session_id: str):
        session = self.sessions.get(session_id)
        return None if session is None else ActiveSessionInfo(client=None, session=session)

    def exists(self) -> bool:
        return True

    def instance(self):
        return self


def _open(monkeypatch, runtime: FakeRuntime, session: str, plans: tuple[str, ...], query: str = "") -> FakeSession:
    """A session whose run showed `plans`, as `ui.follow_saves` registers it."""
    runtime.sessions[session] = FakeSession(query)
    monkeypatch.setattr(live, "session_id", lambda: session)
    live.follow(plans)
    return runtime.sessions[session]


def _hand_edit(path: Path) -> None:
    """A person's edit of a CSV: new content, a later time."""
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    later = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(later, later))


@pytest.fixture
def runtime(monkeypatch) -> FakeRuntime:
    """A fake Streamlit runtime in place of the real one, and the watcher's registries emptied."""
    fake = FakeRuntime()
    monkeypatch.setattr(live, "Runtime", fake)
    monkeypatch.setattr(live, "_following", {})
    monkeypatch.setattr(live, "_waiting", set())
    return fake


def test_a_hand_edit_asks_only_the_sessions_showing_that_plan_to_rerun_with_their_own_state(
        runtime, tmp_path, monkeypatch):
    data = copy_sample(tmp_path / "data")
    watcher = live.Watcher(FolderStore(data), data, tmp_path / "plan.duckdb")
    atacama = _open(monkeypatch, runtime, "atacama", (ATACAMA,), "office=ProChile+Atacama&lang=en")
    both = _open(monkeypatch, runtime, "both", (ATACAMA, ALIANZA))
    alianza = _open(monkeypatch, runtime, "alianza", (ALIANZA,))
    editor = _open(monkeypatch, runtime, "editor", (ATACAMA,))
    live.follow(())  # the same session's next run is the editor's: its grid may hold a draft
    _open(monkeypatch, runtime, "gone", (ATACAMA,))
    runtime.sessions["gone"] = None  # the tab was closed

    assert watcher.look() == []  # nothing changed yet
    _hand_edit(data / ATACAMA / "activities.csv")
    assert sorted(watcher.look()) == ["atacama", "both"]

    assert [state.query_string for state in atacama.reruns] == ["office=ProChile+Atacama&lang=en"]
    assert [state.fragment_id for state in atacama.reruns] == [""]  # the whole page, not the last fragment
    assert len(both.reruns) == 1 and alianza.reruns == [] and editor.reruns == []
    assert set(live._following) == {"atacama", "both", "alianza"}  # the closed tab forgotten
    assert watcher.look() == []  # asked once per change


class AwayStore(FolderStore):
    """A PostgreSQL store as the watcher sees it once the server is gone."""

    kind = "postgresql"

    def token(self) -> str:
        raise StoreUnavailable("connection refused")


def test_an_unreachable_store_leaves_the_watcher_running_and_every_page_shows_the_banner(
        runtime, tmp_path, monkeypatch):
    data = copy_sample(tmp_path / "data")
    watcher = live.Watcher(AwayStore(data), data, tmp_path / "plan.duckdb")
    atacama = _open(monkeypatch, runtime, "atacama", (ATACAMA,))
    alianza = _open(monkeypatch, runtime, "alianza", (ALIANZA,))
    assert sorted(watcher.look()) == ["alianza", "atacama"]  # the banner is new on every page
    assert watcher.look() == []  # still away: nothing new to show
    assert len(atacama.reruns) == len(alianza.reruns) == 1


def test_an_open_page_that_sends_nothing_shows_a_hand_edit_of_the_csvs(tmp_path):
    data = copy_sample(tmp_path / "data")
    path = data / ATACAMA / "activities.csv"
    with serve(data, tmp_path / "plan.duckdb", tmp_path / "server.log") as running:
        async def scenario() -> list:
            page = Listener(running.url)
            try:
                await page.open("")
                before = page.cards[held.DONE_LABEL]
                listening = asyncio.create_task(page.listen())
                lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
                lines = [line.replace(",in_progress,", ",done,", 1) if line.startswith("ATA-21-21,") else line
                         for line in lines]  # in progress in the sample, no end date: done is valid
                path.write_text("".join(lines), encoding="utf-8")
                deadline = time.monotonic() + SEEN_WITHIN_S
                while not page.shown and time.monotonic() < deadline:
                    await asyncio.sleep(0.2)  # a poll of what the page has read
                listening.cancel()
                return [before, *(card for _, card in page.shown)]
            finally:
                await page.close()

        seen = asyncio.run(scenario())
    assert len(seen) == 2 and int(seen[1]) == int(seen[0]) + 1, seen


class SlowSession(FakeSession):
    """A session whose run, once asked for, ends after the watcher has looked at it `looks` times."""

    def __init__(self, name: str, events: list, looks: int):
        super().__init__("")
        self.name, self.events, self.looks, self.left = name, events, looks, 0

    def request_rerun(self, client_state: ClientState) -> None:
        self.events.append(("asked", self.name))
        self.left = self.looks

    @property
    def _scriptrunner(self):
        if self.left == 0:
            return None
        self.left -= 1
        if self.left == 0:
            self.events.append(("ended", self.name))
            return None
        return object()

    @_scriptrunner.setter
    def _scriptrunner(self, value) -> None:  # FakeSession's own: its runs end at once
        pass


def test_sessions_are_asked_a_few_at_a_time_each_after_an_earlier_run_ended(runtime, monkeypatch):
    monkeypatch.setattr(live, "RERUNS_AT_ONCE", 2)
    events: list = []
    for name in ("first", "second", "third", "fourth"):
        _open(monkeypatch, runtime, name, (ATACAMA,))
        runtime.sessions[name] = SlowSession(name, events, looks=3)
    assert live.rerun_showing({ATACAMA}) == ["first", "second", "third", "fourth"]
    asked = [name for kind, name in events if kind == "asked"]
    assert asked == ["first", "second", "third", "fourth"]
    # two run at once: the third is asked only after one of the first two ended, the fourth after another
    assert events.index(("asked", "third")) > min(events.index(("ended", "first")), events.index(("ended", "second")))
    ended_before_fourth = [name for kind, name in events[:events.index(("asked", "fourth"))] if kind == "ended"]
    assert len(ended_before_fourth) >= 2


def test_a_session_busy_with_its_own_run_is_asked_at_the_next_look_not_under_its_click(runtime, tmp_path, monkeypatch):
    data = copy_sample(tmp_path / "data")
    watcher = live.Watcher(FolderStore(data), data, tmp_path / "plan.duckdb")
    clicked = _open(monkeypatch, runtime, "clicked", (ATACAMA,))
    idle = _open(monkeypatch, runtime, "idle", (ATACAMA,))
    clicked._scriptrunner = object()  # running the filter change just clicked
    _hand_edit(data / ATACAMA / "activities.csv")
    assert watcher.look() == ["idle"]
    assert watcher.look() == []  # still running its own run: still waiting
    clicked._scriptrunner = None  # that run ended (with the state of the click)
    assert watcher.look() == ["clicked"]
    assert len(clicked.reruns) == len(idle.reruns) == 1 and watcher.look() == []
