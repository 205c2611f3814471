"""The plan store this server uses, and the local copy the pages read, kept in step with it.

The store is chosen in the data layer (`plan.data.store.open_store`) from a URL; this module only finds the
URL, first found wins:

    secrets [connections.plans] url = "postgresql+psycopg://…"   Streamlit's secrets (Community Cloud)
    $PLAN_STORE_URL (same URL)                                    self-hosting, the CLI, the tests
    neither                                                       the folder store: data/ read in place

With PostgreSQL, the pages read a local copy of the store ($PLAN_CACHE_DIR, default `.plan-cache/`) and the
DuckDB file built from it. At most every SYNC_SECONDS a script run asks the store for its version (one small
query); when it moved, the changed files are copied in and only their plans' rows are rebuilt, so a save
made through another replica shows here within a few seconds. If the store cannot be reached, the last copy
is served with a banner and saves are refused; it is used again as soon as it answers.
"""

import contextlib
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from plan import outlook
from plan.data import database
from plan.data.store import PlanStore, default_data_dir, open_store, store_url
from plan.data.store_base import StoreUnavailable
from plan.model.issues import PlanInvalid

SYNC_SECONDS = 2.0


def _url() -> str | None:
    """The PostgreSQL URL of secrets [connections.plans], else of $PLAN_STORE_URL; None: the folder store."""
    with contextlib.suppress(Exception):  # no secrets file at all raises, whatever the key
        return st.secrets["connections"]["plans"]["url"] or store_url()
    return store_url()


@st.cache_resource(show_spinner=False, on_release=lambda store: store.close())
def _shared(url: str) -> PlanStore:
    """One store (one pool of connections) per URL and process; its tables are made ready once."""
    store = open_store(url, default_data_dir(url))
    with contextlib.suppress(StoreUnavailable):  # unreachable now: `sync` says so, and tries again later
        store.init()
    return store


def plan_store() -> PlanStore:
    url = _url()
    return open_store(None, data_dir()) if url is None else _shared(url)


def data_dir() -> Path:
    """The folder the pages' database is built from: the plan folders, or the local copy of the store."""
    return default_data_dir(_url())


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
                        database.refresh(folder, db_path, changed, derive=outlook.derive)
                state.token = token
            state.error = ""
        except StoreUnavailable as error:
            state.error = str(error)
            print(f"plan store: {error}", file=sys.stderr)  # the detail for the operator; viewers get a banner
    return state.error
