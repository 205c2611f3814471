"""Streamlit helpers shared by `app.py` and the pages (with `plan.bench`, the only part of `plan` that
imports streamlit). Caches hold derived data only (any client can clear them), keyed by
the database version, so a rebuild refreshes every view.

    app.py:  page_config -> language() -> readiness() -> sidebar(...) -> st.navigation(pages(lang)).run()
    a page:  view = ui.page()  (rerouted through app.py when Streamlit ran it alone)
             frame = ui.query(view, queries.some_query)  -> the page's module (plan.view.<page>) -> ui.chart(...)
             tables = ui.presented(view, queries.some_query, <page>.some_table, view.labels)  (formatted, cached)
"""

import contextlib
import datetime as dt
import functools
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from plan import outlook
from plan.data import database
from plan.edit.downloads import csv_bytes
from plan.model import countries
from plan.model.enums import LabeledEnum
from plan.model.i18n import DEFAULT_LANG, LANGS, t
from plan.model.issues import PlanInvalid
from plan.model.models import ActivityType, Modality, Sector, Status
from plan.ui import built, live, store
from plan.view import present, queries, report_options, report_pdf
from plan.view.filters import Filters, chosen_plans, plan_labels

# Widget keys: each is also the URL parameter that keeps the choice in a shared link.
LANG_KEY = "lang"
OFFICE_KEY = "office"
YEAR_KEY = "year"
QUARTER_KEY = "quarter"
FROM_KEY = "from"
TO_KEY = "to"
MARKET_KEY = "market"
SECTOR_KEY = "sector"
MODALITY_KEY = "modality"
TYPE_KEY = "type"
STATUS_KEY = "status"
VIEW_KEY = "_view"  # the View the entrypoint computed for this run, read by the page
FILTER_LABELS = {"quarter": "period"}  # Filters field -> i18n key of its label, where they differ

# (file, url path, icon); titles come from i18n as page_<url path>
PAGES = (
    ("pages/overview.py", "overview", ":material/dashboard:"),
    ("pages/progress.py", "progress", ":material/timeline:"),
    ("pages/markets.py", "markets", ":material/public:"),
    ("pages/mix.py", "mix", ":material/devices:"),
    ("pages/pisco.py", "pisco", ":material/local_bar:"),
    ("pages/outcomes.py", "outcomes", ":material/trending_up:"),
    ("pages/impact.py", "impact", ":material/compare_arrows:"),
)
EDITOR_PAGE = ("pages/editor.py", "editor", ":material/edit_note:")


@dataclass(frozen=True)
class View:
    """Everything a page needs to draw: language, filters, database and its version, plans."""

    lang: str
    filters: Filters
    db_path: Path
    version: str
    plans: pd.DataFrame  # the chosen plans' rows of queries.plans
    labels: dict  # plan id -> "Office year"

    def label(self, plan_id: str) -> str:
        return self.labels.get(plan_id, t("total", self.lang))


MARKDOWN_CHARACTERS = re.compile(r"([\\`*_{}\[\]()#+\-.!|~<>:$])")


def literal(text: str) -> str:
    """Text from the data or the URL for an element that renders Markdown (headings, notices,
    captions): every Markdown, directive and LaTeX character escaped, so it shows as written."""
    return MARKDOWN_CHARACTERS.sub(r"\\\1", str(text))


def data_dir() -> Path:
    """The folder the database is built from: the plan folders, or the local copy of the plan store."""
    return store.data_dir()


def db_path() -> Path:
    return database.default_db_path(data_dir())


@st.cache_resource(show_spinner=False)
def _readiness(data_folder: str, db_file: str, csv_stats: str) -> tuple[database.Readiness | PlanInvalid, str]:
    """Checked again only when a CSV's size or time changes (`csv_stats`, their digest, is the key)."""
    try:
        ready = database.ensure(Path(data_folder), Path(db_file), derive=outlook.derive)
    except PlanInvalid as invalid:
        return invalid, ""
    with database.reader(ready.db_path) as con:
        info = queries.build_info(con)
    return ready, f"{info['fingerprint']}@{info['built_at_utc'].isoformat()}"


def sync_store() -> str:
    """The local copy brought in step with the plan store; "" or why the store could not be reached."""
    return store.sync(store.plan_store(), data_dir(), db_path())


def readiness() -> tuple[database.Readiness | PlanInvalid, str]:
    """The database to read (rebuilt first if the CSVs changed) and its version, or the invalid plan."""
    folder = data_dir()
    # One short key: Streamlit hashing the (path, size, time) of a national folder's 800 CSVs field by
    # field cost ~10 ms on every run of every page.
    return _readiness(str(folder), str(db_path()), database.csv_digest(folder))


_run = threading.local()  # the thread of one script run (Streamlit starts one per run): its open reader


def _reader(db_file: str, version: str) -> duckdb.DuckDBPyConnection:
    """This script run's read-only connection to the database version: opened at the run's first cache
    miss, closed when the run's thread ends (or the version changes). A page that misses the cache runs
    several queries, and opening a connection costs ~12 ms (a DuckDB instance) against ~1 ms a query."""
    key = (db_file, version)
    held = getattr(_run, "reader", None)
    if held is None or held[0] != key:
        if held is not None:
            held[1].close()
        _run.reader = None
        stack = contextlib.ExitStack()
        try:
            _run.reader = (key, stack, stack.enter_context(database.reader(Path(db_file))))
        except duckdb.IOException as error:
            if "lock" not in str(error).lower():
                raise
            # Another process opened the database file for writing: check the data again from the top,
            # where database.ensure builds a new file and swaps it in (a locked file is not corrupt).
            _readiness.clear()
            st.rerun()
    return _run.reader[2]


# Cache keys hold the filters as their repr: hashing a national view's 160 plan ids field by field
# costs more than the lookup itself (Streamlit hashes every argument not named with a leading `_`).
PLAN_LABELS = "<view.labels>"  # stands for the plan labels in a key: they follow from the database version


@st.cache_data(show_spinner=False, max_entries=2000)
def _cached(name: str, db_file: str, version: str, filters_key: str, args: tuple, _function, _filters):
    """Keyed by the function's name, the database and its version, the filters and arguments."""
    con = _reader(db_file, version)
    return _function(con, *args) if _filters is None else _function(con, _filters, *args)


def query(view: View, function, *args, filters: Filters | None = None):
    """`function(con, view.filters, *args)` (a named query of `plan`), cached per database version."""
    name = f"{function.__module__}.{function.__qualname__}"
    filters = filters or view.filters
    return _cached(name, str(view.db_path), view.version, repr(filters), args, function, filters)


def query_unfiltered(db: Path, version: str, function, *args):
    """`function(con, *args)` for queries that take no filters (plans, build info, options)."""
    name = f"{function.__module__}.{function.__qualname__}"
    return _cached(name, str(db), version, "", args, function, None)


@st.cache_data(show_spinner=False, max_entries=2000)
def _presented(name: str, db_file: str, version: str, filters_key: str, lang: str, args: tuple, _function,
               _present, _filters, _labels):
    """Keyed like `_cached`, and by the language and the presenter's arguments; the query itself comes
    from `_cached`, so a page that also draws it reads the database once."""
    query_name = f"{_function.__module__}.{_function.__qualname__}"
    result = _cached(query_name, db_file, version, filters_key, (), _function, _filters)
    return _present(result, *(_labels if arg is PLAN_LABELS else arg for arg in args), lang)


def presented(view: View, function, present_function, *args, filters: Filters | None = None):
    """`present_function(function(con, filters), *args, view.lang)`: a query's result as people read it
    (e.g. `plan.view.present`'s (shown, raw) tables), cached per database version, filters, arguments and
    language. A rerun then neither formats a national table again nor unpickles its raw rows."""
    name = f"{present_function.__module__}.{present_function.__qualname__}<{function.__qualname__}"
    filters = filters or view.filters
    key = tuple(PLAN_LABELS if arg is view.labels else arg for arg in args)
    return _presented(name, str(view.db_path), view.version, repr(filters), view.lang, key, function,
                      present_function, filters, view.labels)


def language() -> str:
    """Language chosen in the sidebar, kept in the URL as `?lang=en` (a bound widget puts
    the option's shown text in the URL, so the options are shown as their codes)."""
    return st.sidebar.radio(t("language"), LANGS, key=LANG_KEY, bind="query-params", horizontal=True) or DEFAULT_LANG


def _notice_unknown(key: str, allowed: list[str], lang: str) -> None:
    """Bound widgets silently drop URL values that are not options; say so instead."""
    for value in st.query_params.get_all(key):
        if value and value not in allowed:
            st.sidebar.warning(t("url_ignored", lang, param=key, value=literal(value[:60])))


def _choice(label: str, options: list, key: str, lang: str, format_func=str, help: str | None = None,
            placeholder: str | None = None) -> tuple:
    _notice_unknown(key, [format_func(o) for o in options], lang)
    chosen = st.sidebar.multiselect(label, options, default=[], format_func=format_func, key=key,
                                    bind="query-params", placeholder=placeholder or t("all", lang), help=help)
    return tuple(chosen)


def _enum_choice(enum: type[LabeledEnum], label_key: str, key: str, lang: str,
                 placeholder: str | None = None) -> tuple[str, ...]:
    return tuple(m.value for m in _choice(t(label_key, lang), list(enum), key, lang, lambda m: m.label(lang),
                                          placeholder=placeholder))


def _date(label_key: str, key: str, lang: str) -> dt.date | None:
    return st.sidebar.date_input(t(label_key, lang), value=None, key=key, bind="query-params",
                                 format="DD-MM-YYYY" if lang == "es" else "YYYY-MM-DD",
                                 min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31),
                                 help=t("dates_help", lang))


def sidebar(ready: database.Readiness, version: str, lang: str) -> View | None:
    """The filters, bound to the URL, and the View they select (None: no plan matches)."""
    all_plans = query_unfiltered(ready.db_path, version, queries.plans)
    st.sidebar.header(t("filters", lang))
    offices = _choice(t("offices", lang), sorted(all_plans["office"].unique()), OFFICE_KEY, lang,
                      help=t("offices_help", lang), placeholder=t("all_feminine", lang))
    years = _choice(t("years", lang), sorted(all_plans["year"].astype(int).unique(), reverse=True), YEAR_KEY, lang,
                    help=t("years_help", lang), placeholder=t("years_latest", lang))
    chosen = chosen_plans(all_plans, offices, years)
    # 0, not None, for the whole year: a rerun the server starts (plan.ui.live) sends a None value as "nothing
    # chosen", drawn as Streamlit's English placeholder instead of "Todo el año".
    quarters = [0, 1, 2, 3, 4]
    _notice_unknown(QUARTER_KEY, [t(f"quarter_{q}", lang) for q in quarters[1:]], lang)
    quarter = st.sidebar.selectbox(t("period", lang), quarters, key=QUARTER_KEY, bind="query-params",
                                   format_func=lambda q: t(f"quarter_{q}", lang) if q else t("whole_year", lang),
                                   help=t("period_help", lang))
    left, right = st.sidebar.columns(2)
    with left:
        date_from = _date("date_from", FROM_KEY, lang)
    with right:
        date_to = _date("date_to", TO_KEY, lang)
    if date_from and date_to and date_from > date_to:
        st.sidebar.warning(t("dates_swapped", lang))
        date_from = date_to = None
    markets = query_unfiltered(ready.db_path, version, queries.markets_in_use)
    markets = sorted(markets, key=lambda code: countries.country_name(code, lang))
    filters = Filters(
        plan_ids=tuple(chosen["plan_id"]),
        quarter=quarter or None,
        date_from=date_from,
        date_to=date_to,
        markets=_choice(t("markets", lang), markets, MARKET_KEY, lang, lambda c: countries.country_name(c, lang)),
        sectors=_enum_choice(Sector, "sectors", SECTOR_KEY, lang),
        modalities=_enum_choice(Modality, "modalities", MODALITY_KEY, lang, t("all_feminine", lang)),
        types=_enum_choice(ActivityType, "types", TYPE_KEY, lang),
        statuses=_enum_choice(Status, "statuses", STATUS_KEY, lang),
    )
    st.sidebar.caption(t("filters_scope", lang))
    if chosen.empty:
        return None
    return View(lang, filters, ready.db_path, version, chosen, plan_labels(all_plans))


def report_button(view: View) -> None:
    """The progress report of this view as HTML and as PDF, each built only when someone clicks (the HTML inlines
    plotly.js; the PDF starts Chromium). Where Chromium cannot be used, a caption says so instead of the PDF button."""
    def render() -> bytes:
        from plan.view import report  # on a click only: its modules and plotly are not needed to draw a page

        with database.reader(view.db_path) as con:
            return report.render(con, view.filters, view.lang).encode("utf-8")

    def render_pdf() -> bytes:
        with database.reader(view.db_path) as con:
            return report_pdf.render(con, view.filters, view.lang)

    st.sidebar.download_button(t("report_download", view.lang), render, mime="text/html",
                               file_name=report_options.filename(view.lang),
                               help=t("report_download_help", view.lang), key="download-report",
                               on_click="ignore", icon=":material/download:")
    missing = report_pdf.unavailable(view.lang)
    if missing:
        st.sidebar.caption(missing)
        return
    st.sidebar.download_button(t("report_download_pdf", view.lang), render_pdf,
                               file_name=report_options.filename(view.lang, extension="pdf"),
                               mime="application/pdf",
                               help=t("report_download_pdf_help", view.lang), key="download-report-pdf",
                               on_click="ignore", icon=":material/picture_as_pdf:")


def pages(lang: str, editor: bool) -> list:
    """The dashboard's pages, and the editor: listed for editors, hidden (but reachable by its link,
    where it asks for credentials) for everyone else."""
    listed = [st.Page(file, title=t(f"page_{path}", lang), icon=icon, url_path=path, default=(path == "overview"))
              for file, path, icon in PAGES]
    return [*listed, editor_page(lang, editor)]


def editor_page(lang: str, visible: bool):
    file, path, icon = EDITOR_PAGE
    return st.Page(file, title=t(f"page_{path}", lang), icon=icon, url_path=path,
                   visibility="visible" if visible else "hidden")


def page(title_key: str, filtered: bool = True) -> View:
    """Start a page: make sure it runs inside the entrypoint, show its title, help and (for a page the filters
    apply to) the filters in force.

    With a `pages/` folder, Streamlit serves the very first request of a fresh server (and
    every AppTest run) in its legacy mode, running the page file alone: without page config,
    sidebar, filters or access checks. Switch that mode off and run again through `app.py`,
    which routes back to this same page (same url path)."""
    if PagesManager.uses_pages_directory or VIEW_KEY not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
    view: View = st.session_state[VIEW_KEY]
    st.title(t(f"page_{title_key}", view.lang))
    st.caption(t(f"about_{title_key}", view.lang))
    if filtered and view.filters.plan_ids:  # the filters in force, on the page itself: a phone hides the sidebar
        st.caption(literal(present.chosen_line(view.filters, view.labels, view.lang)))
    return view


def publish(view: View) -> None:
    """Hand this run's View from the entrypoint to the page it runs."""
    st.session_state[VIEW_KEY] = view


def follow_saves(view: View | None, page) -> None:
    """Redraw this page, without a click, when a plan it shows changes (another editor's save, a replica's,
    a hand edit of the CSVs): the process's watcher asks it to (`plan.ui.live`), or with $PLAN_REFRESH_SECONDS a
    timer does. Never the editor (`view` None or the editor `page`), whose grid may hold a draft."""
    shown = () if view is None or page.url_path == EDITOR_PAGE[1] else view.filters.plan_ids
    seconds = live.poll_seconds()
    if seconds is None:
        live.follow(shown)
        live.start(store.plan_store(), data_dir(), db_path())
    elif shown:
        st.fragment(_poll, run_every=seconds)(view.version)


def _poll(version: str) -> None:
    """A timer's tick (a fragment run): the whole page again once the database it was drawn from changed."""
    sync_store()
    if readiness()[1] != version:
        st.rerun(scope="app")


def without_data(lang: str) -> View:
    """The View of a plan that does not build at all: enough for the editor, which mends it."""
    return View(lang, Filters(), db_path(), "", pd.DataFrame({"plan_id": [], "year": []}), {})


def note(text: str) -> None:
    """A note under a chart or table (the notes of `plan.view` are empty when they do not apply)."""
    if text:
        st.caption(text)


def empty_state(view: View) -> None:
    narrowed = view.filters.narrowed()
    if narrowed:
        names = ", ".join(t(FILTER_LABELS.get(name, name), view.lang) for name in narrowed)
        st.info(t("empty_hint", view.lang, filters=names))
    else:
        st.info(t("empty_plain", view.lang))


def figure(view: View, name: str, build, *key):
    """`build()`'s figure, built once per database version, language and `key` and shared by every session
    (a figure is drawn, never changed once built): a fan of 7 traces costs 20 ms to build on every rerun."""
    return _figure(name, str(view.db_path), view.version, view.lang, key, build)


@st.cache_resource(show_spinner=False, max_entries=500)
def _figure(name: str, db_file: str, version: str, lang: str, key: tuple, _build):
    return _build()


def chart(view: View, figure, tables: present.Presented, name: str, config: dict | None = None) -> None:
    """A chart with the numbers behind it, or the empty state when there is nothing to draw."""
    if tables.raw.empty:
        empty_state(view)
        return
    st.plotly_chart(figure, key=f"chart-{name}", config={"displaylogo": False, **(config or {})})
    table(view, tables, name)


def table(view: View, tables: present.Presented, name: str, expanded: bool = False,
          units: dict[str, str] | None = None, pinned: int = 0) -> None:
    """The shown table in an expander (or open), with a CSV of the raw numbers, written only when
    someone clicks (a national table's CSV is megabytes that most reruns would build for nothing).
    `units` names the shown columns that hold numbers (header -> unit of `present.formatted`): they stay
    numbers, so sorting by them sorts numbers, shown formatted in the language. The first `pinned` rows
    (a total) are shown apart above, so sorting never moves them among the others, in columns as wide as the
    table's below, so the two line up."""
    shown, raw = tables
    container = st.container() if expanded else st.expander(t("show_data", view.lang))
    with container:
        # Built once per content, units and language, for every session that shows it (plan.ui.built).
        key = (built.content_key(shown), tuple(sorted((units or {}).items())), view.lang, pinned)
        widths = functools.cache(lambda: _column_widths(shown, units, view.lang) if pinned else None)
        parts = [(shown.iloc[:pinned], "total")] if pinned else []
        for part, kind in [*parts, (shown.iloc[pinned:].reset_index(drop=True), "rows")]:
            built.dataframe((*key, kind), lambda part=part: st.dataframe(_formatted(part, units, view.lang),
                                                                         hide_index=True, column_config=widths()))
        st.download_button(t("download_csv", view.lang), lambda: csv_bytes(raw, view.lang), file_name=f"{name}.csv",
                           mime="text/csv", key=f"download-{name}", on_click="ignore")


CHARACTER_PX, CELL_PADDING_PX, COLUMN_MAX_PX = 8, 24, 360  # a table column's width from its longest text


def _column_widths(frame: pd.DataFrame, units: dict[str, str] | None, lang: str) -> dict:
    """Each column's width in pixels from its longest text (header or cell, as shown), for tables that must
    line up column by column (a pinned total above its plans)."""
    units = units or {}
    widths = {}
    for header in frame.columns:
        texts = [_cell(v, units[header], lang) if header in units else str(v) for v in frame[header]]
        longest = max([len(str(header)), *map(len, texts)])
        widths[header] = st.column_config.Column(width=min(COLUMN_MAX_PX, CHARACTER_PX * longest + CELL_PADDING_PX))
    return widths


def _formatted(frame: pd.DataFrame, units: dict[str, str] | None, lang: str):
    """`frame`, its `units` columns formatted for display only (a Styler), the numbers kept for sorting."""
    if not units:
        return frame
    formats = {header: functools.partial(_cell, unit=unit, lang=lang) for header, unit in units.items()
               if header in frame.columns}
    return frame.style.format(formats)


def _cell(value, unit: str, lang: str) -> str:
    return present.as_text(value, unit, lang) or "—"


def cards(items: list[present.Card], per_row: int, captions_in_tooltips: bool = False) -> None:
    """Figures as bordered cards (the exact figure behind a short value as the tooltip, on the label). The
    label is drawn above the figure as Markdown, which wraps: a metric's own label is cut to one line
    (`Presupuesto ejecut…` at 1440 px). A card with a `basis` shows it under its delta, after its status badge,
    instead of the delta's description. With `captions_in_tooltips` each card's caption joins its tooltip, so a row of
    cards stays short (the overview: the whole plan at a glance in one screen). One row of columns per
    `per_row` cards, so a phone, which stacks columns, shows the cards in their order."""
    for index, card in enumerate(items):
        if index % per_row == 0:
            columns = st.columns(per_row)
        tooltip = "\n\n".join(text for text in (card.exact, card.caption if captions_in_tooltips else None,
                                                  card.outlook_detail, card.definition) if text)
        with columns[index % per_row].container(border=True):
            st.markdown(f"**{literal(card.label)}**", help=tooltip or None)
            st.metric(card.label, card.value, card.delta, label_visibility="collapsed",
                      delta_description=None if card.basis else card.delta_description,
                      delta_color=(card.delta_color or "normal") if card.delta else "off")
            # The status badge and what the delta compares with share a line: both rows of the overview's cards
            # then fit the first screen at 1440 x 900.
            # Markdown, not a caption: a caption fades the badge's colours below WCAG AA contrast.
            # The year end in words follows as a paragraph of the same element (visible without hovering: a phone
            # cannot; one element less per card for every rerun to send).
            badge = f":{card.color}-badge[{literal(card.status)}]" if card.status else ""
            line = " ".join(part for part in (badge, f":small[{literal(card.basis)}]" if card.basis else "") if part)
            line = "\n\n".join(part for part in (line, card.outlook and f":small[{literal(card.outlook)}]") if part)
            if line:
                st.markdown(line)
            if card.behind:  # apart from the badge, which never wraps (`En riesgo · 5 de 16 pla…`)
                st.caption(card.behind)
            if card.caption and not captions_in_tooltips:
                st.caption(card.caption)


def show_issues(header: str, issues: list, lang: str) -> None:
    """Plan problems as plain text (never HTML), one `path:line:column: message` per line."""
    st.error(header)
    st.code("\n".join(issue.render(lang) for issue in issues[:200]), language=None)
