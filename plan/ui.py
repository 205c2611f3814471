"""Streamlit helpers shared by `app.py` and the pages: the only module of `plan` that
imports streamlit. Caches hold derived data only (any client can clear them)."""

import os
from pathlib import Path

import streamlit as st

from plan import store
from plan.i18n import DEFAULT_LANG, LANGS, t
from plan.issues import PlanInvalid

LANG_KEY = "lang"  # also the URL parameter


def data_dir() -> Path:
    return store.default_data_dir()


def db_path() -> Path:
    return store.default_db_path(data_dir())


@st.cache_resource(show_spinner=False)
def _readiness(data_folder: str, database: str, csv_stats: tuple) -> store.Readiness | PlanInvalid:
    """Checked again only when a CSV's size or time changes (`csv_stats` is the key)."""
    try:
        return store.ensure(Path(data_folder), Path(database))
    except PlanInvalid as invalid:
        return invalid


def readiness() -> store.Readiness | PlanInvalid:
    """The database to read, rebuilt first if the CSVs changed (or the invalid plan)."""
    folder = data_dir()
    return _readiness(str(folder), str(db_path()), tuple(store.csv_stats(folder)))


def language() -> str:
    """Language chosen in the sidebar, kept in the URL as `?lang=en` (a bound widget puts
    the option's shown text in the URL, so the options are shown as their codes)."""
    return st.sidebar.radio(t("language"), LANGS, key=LANG_KEY, bind="query-params", horizontal=True) or DEFAULT_LANG


def show_issues(header: str, issues: list, lang: str) -> None:
    """Plan problems as plain text (never HTML), one `path:line:column: message` per line."""
    st.error(header)
    st.code("\n".join(issue.render(lang) for issue in issues[:200]), language=None)


def local_edit_enabled() -> bool:
    return os.environ.get("PLAN_LOCAL_EDIT") == "1"
