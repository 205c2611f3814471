"""Replicas behind a real load balancer (Debian's HAProxy) sharing the PostgreSQL plan store: a save made
through one is served by the others, a tab stays on its replica, the store going away and coming back, and a
replica killed in the middle of a save."""

import asyncio
import multiprocessing
import os
import re
import time
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy

from plan.bench.held import Watcher
from plan.cli import main
from plan.data.store_postgres import PostgresStore
from plan.edit import editing
from plan.model.models import ACTIVITIES
from plan.serve.replicas import replicas

ATACAMA = "prochile-atacama-2021"
SEEN_WITHIN_S = 60  # how long a test waits for a change to show (the benchmark measures the real delay)


def look(url: str) -> tuple[str | None, list[str]]:
    """The overview's first "activities done" card and its warnings, as a new tab on `url` sees them."""
    async def one():
        watcher = Watcher(url)
        try:
            await watcher.open("")
            return watcher.cards.get("Actividades realizadas"), list(watcher.warnings)
        finally:
            await watcher.close()

    return asyncio.run(one())


def until(url: str, wanted) -> tuple[str | None, list[str]]:
    """Look again until `wanted(card, warnings)`, for at most SEEN_WITHIN_S; the last look."""
    deadline = time.monotonic() + SEEN_WITHIN_S
    seen = look(url)
    while not wanted(*seen) and time.monotonic() < deadline:
        time.sleep(0.5)  # a poll: the condition is what the test waits for
        seen = look(url)
    return seen


def save_done(copy, store: PostgresStore, note: str):
    """ATA-21-21 (in progress in the sample) saved as done through `store`, as a replica's editor page does."""
    store.materialize(copy)
    version = editing.load(copy, ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-21",): {"status": "done", "notes": note}}))
    return editing.save(copy, store, ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana")


@pytest.fixture
def served(sample_dir, store_url, tmp_path):
    assert main(["store", "push", str(sample_dir), "--url", store_url]) == 0
    with replicas(2, sample_dir, tmp_path / "replicas", {"PLAN_STORE_URL": store_url}) as running:
        yield running


def test_a_save_through_one_replica_is_served_by_every_replica(served, store_url, tmp_path):
    # The overview's first card: Atacama's activities done (issue 23: a total counts plans with a target).
    assert all(look(server.url)[0] == "13" for server in served.servers)
    store = PostgresStore.from_url(store_url)
    try:
        assert isinstance(save_done(tmp_path / "editor-copy", store, "por la réplica 1"), editing.Saved)
    finally:
        store.close()
    for url in [server.url for server in served.servers] + [served.url]:
        assert until(url, lambda card, warnings: card == "14") == ("14", [])


def test_a_tab_stays_on_its_replica_and_new_tabs_are_spread(served):
    # A browser keeps the cookie the balancer set; its next requests (the WebSocket too) carry it.
    homes = []
    for _ in range(2):
        with urllib.request.urlopen(served.url + "/", timeout=30) as response:
            home = re.search(r"SERVERID=(replica\d)", response.headers["Set-Cookie"]).group(1)
        before = len(served.served_by())
        for _ in range(4):
            again = urllib.request.Request(served.url + "/_stcore/health", headers={"Cookie": f"SERVERID={home}"})
            with urllib.request.urlopen(again, timeout=30) as response:
                assert response.status == 200
        deadline = time.monotonic() + SEEN_WITHIN_S
        while len(served.served_by()) < before + 4 and time.monotonic() < deadline:
            time.sleep(0.1)  # a poll for the log lines
        assert served.served_by()[before:before + 4] == [home] * 4
        homes.append(home)
    assert sorted(homes) == ["replica1", "replica2"]  # round robin for new sessions


def test_the_store_away_keeps_the_last_data_with_a_banner_and_comes_back(served, postgres_server, store_url,
                                                                          tmp_path):
    url = served.servers[0].url
    assert look(url) == ("13", [])
    postgres_server.stop()
    try:
        card, warnings = until(url, lambda card, warnings: bool(warnings))
        assert card == "13" and "No se puede contactar el almacén del plan" in warnings[0]
    finally:
        postgres_server.start()
    store = PostgresStore.from_url(store_url)
    try:
        assert isinstance(save_done(tmp_path / "after", store, "de vuelta"), editing.Saved)
    finally:
        store.close()
    assert until(url, lambda card, warnings: card == "14" and not warnings) == ("14", [])  # no restart


def _save_dying(url: str, copy: str, step: int, results) -> None:
    """In a forked child: a save through the store whose process dies (as kill -9 would) just before its
    `step`-th SQL statement; results gets how many it ran."""
    statements = 0
    execute = sqlalchemy.Connection.execute

    def counted(self, *args, **kwargs):
        nonlocal statements
        statements += 1
        if statements == step:
            os._exit(137)
        return execute(self, *args, **kwargs)

    sqlalchemy.Connection.execute = counted
    store = PostgresStore.from_url(url)
    result = save_done(Path(copy), store, f"step {step}")
    results.put((type(result).__name__, statements))


def test_a_replica_killed_during_a_save_leaves_it_whole_or_absent(sample_dir, store_url, tmp_path):
    assert main(["store", "push", str(sample_dir), "--url", store_url]) == 0
    store = PostgresStore.from_url(store_url)
    try:
        before = store.current()[(ATACAMA, "activities.csv")]
        context = multiprocessing.get_context("fork")
        outcomes, step = [], 0
        while step < 200:  # bounded: a save takes a few dozen statements
            step += 1
            results = context.Queue()
            child = context.Process(target=_save_dying, args=(store_url, str(tmp_path / f"copy{step}"), step, results))
            child.start()
            child.join(120)
            current = store.current()[(ATACAMA, "activities.csv")]
            versions = store.versions(ATACAMA, "activities")
            # Whole or absent: the file moved exactly when its version was recorded, to that version.
            assert (current == before and len(versions) == 1) or (
                len(versions) == 2 and versions[0].sha256 == current and versions[0].previous == before)
            assert child.exitcode in (0, 137), child.exitcode  # finished, or died where it was told to
            outcomes.append((child.exitcode, current != before))
            if child.exitcode == 0:
                assert results.get(timeout=10)[0] == "Saved" and current != before
                break
            if current != before:  # died after the commit: a later try would be a conflict, stop here
                break
        assert any(code == 137 for code, _ in outcomes) and outcomes[-1][1]
    finally:
        store.close()
