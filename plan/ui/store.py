"""The plan store this server uses, and the local copy the pages read, kept in step with it.

Chosen by configuration, first found wins:

    secrets [connections.plans] url = "postgresql+psycopg://…"   st.connection("plans", type="sql")
    $PLAN_STORE_URL (same URL)                                    self-hosting, the CLI, the tests
    neither                                                       the folder store: data/ read in place

With PostgreSQL, the pages read a local copy of the store ($PLAN_CACHE_DIR, default `.plan-cache/`) and the
DuckDB file built from it. At most every SYNC_SECONDS a script run asks the store for its version (one small
query); when it moved, the changed files are copied in and only their plans' rows are rebuilt, so a save
made through another replica shows here within a few seconds. If the store cannot be reached, the last copy
is served with a banner and saves are refused; it is used again as soon as it answers.
"""

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from plan.data import database
from plan.data.store import FolderStore, PlanStore, StoreUnavailable, store_url
from plan.data.store_postgres import PostgresStore
from plan.model.issues import PlanInvalid

SYNC_SECONDS = 2.0
CACHE_DIR_VARIABLE = "PLAN_CACHE_DIR"
DEFAULT_CACHE_DIR = ".plan-cache"


def _secrets_url() -> str | None:
    """The URL of secrets [connections.plans], if the app has secrets and that section."""
    with contextlib.suppress(Exception):  # no secrets file at all raises, whatever the key
        return st.secrets["connections"]["plans"]["url"]
    return None


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _postgres(url: str, from_secrets: bool) -> PostgresStore:
    """One store (one pool of connections) per URL and process; the tables are made ready once."""
    if from_secrets:  # the Streamlit way; the URL is passed on so that the connection needs no other config
        engine = st.connection("plans", type="sql", url=url, pool_pre_ping=True,
                               connect_args={"connect_timeout": 5}).engine
        store = PostgresStore(engine)
    else:
        store = PostgresStore.from_url(url)
    with contextlib.suppress(StoreUnavailable):  # unreachable now: `sync` says so, and tries again later
        store.init()
    return store


def _configured() -> tuple[str | None, bool]:
    """(the PostgreSQL URL, whether it came from secrets); no URL: the folder store."""
    secret = _secrets_url()
    return secret or store_url(), secret is not None


def plan_store() -> PlanStore:
    url, from_secrets = _configured()
    if url is None:
        return FolderStore(database.default_data_dir())
    return _postgres(url, from_secrets)


def data_dir() -> Path:
    """The folder the pages' database is built from: the plan folders, or the local copy of the store."""
    if _configured()[0] is None:
        return database.default_data_dir()
    return Path(os.environ.get(CACHE_DIR_VARIABLE, DEFAULT_CACHE_DIR))


@dataclass
class _Sync:
    checked: float = float("-inf")
    token: str | None = None
    error: str = ""


_states: dict[str, _Sync] = {}  # by local folder: one process may serve one store (tests switch stores)
_lock = threading.Lock()


def sync(store: PlanStore, folder: Path, db_path: Path) -> str:
    """Bring the local copy in step with the store (at most every SYNC_SECONDS); returns why it could not
    ("" when it is in step). One script run at a time does it; the others wait for it, then read."""
    if store.kind == "folder":
        return ""
    with _lock:
        state = _states.setdefault(str(folder.resolve()), _Sync())
        if time.monotonic() - state.checked < SYNC_SECONDS:
            return state.error
        state.checked = time.monotonic()
        try:
            token = store.token()
            if token != state.token:
                changed = store.materialize(folder)
                if changed and db_path.exists():
                    with contextlib.suppress(PlanInvalid):  # the readiness check reports it, as for any CSV
                        database.refresh(folder, db_path, changed)
                state.token = token
            state.error = ""
        except StoreUnavailable as error:
            state.error = str(error)
            print(f"plan store: {error}", file=sys.stderr)  # the detail for the operator; viewers get a banner
    return state.error
