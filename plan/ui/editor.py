"""The editor page: pick a plan and a table, then edit it in a grid, upload a CSV or Excel file,
download it, go back to an earlier version, or import official statistics (its tab: `plan.ui.official_import`).
All the rules live in `plan.edit.editing`.

    base version (held in the session until saved or discarded, so a change on disk never
    drops pending edits) -> grid -> Changes -> Draft -> check -> save (access checked again)

Pending edits are kept per plan and table while the session lasts (`plan.edit.pending`): a grid drawn
again (after another table, plan or page) starts from them. A save refused because the file moved on,
or a restore, upload or import that replaced it, leaves them in the conflict view, to apply on the
current version (colliding cells chosen one by one or all at once) or to keep editing there. A reload
starts a new session: the browser asks first (`_reload_guard`).

A big table (outcomes) is narrowed by its key columns and shown a page at a time; an edit of
that page is merged into the whole file.
"""

import dataclasses
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from plan import ui
from plan.data.loader import plan_dirs
from plan.data.store import PlanStore
from plan.data.store_base import StoreUnavailable
from plan.edit import editing, editor_display, pending, workbooks
from plan.edit.downloads import table_csv
from plan.model import countries
from plan.model.fields import CODE_PATTERN, MAX_TEXT
from plan.model.i18n import t
from plan.model.models import PLAN, TABLES, TABLES_BY_NAME, Table
from plan.model.schema import kind_of
from plan.ui import access, official_import, store

PLAN_KEY = "edit_plan"
TABLE_KEY = "edit_table"
BASE_KEY = "_editor_base"  # (plan id, table) -> ((size, mtime) of the file, TableVersion edited from)
CONFLICT_KEY = "_editor_conflict"  # (plan id, table) -> Changes refused because the file moved on
HELD_KEY = "_editor_held"  # (plan id, table) -> Held: the grid's pending edits
OUTCOME_KEY = "_editor_outcome"  # (kind, message, issues) a button's callback leaves for the next run
PAGE_ROWS = 200
# Asks the browser to confirm leaving (reload, close) while edits are pending in this session: they live in it.
RELOAD_GUARD = """<script>
window.planEditsPending = {pending};
if (!window.planEditsGuard) {{
  window.planEditsGuard = true;
  window.addEventListener("beforeunload", (event) => {{
    if (window.planEditsPending) {{ event.preventDefault(); event.returnValue = ""; }}
  }});
}}
</script>"""

TableKey = tuple[str, str]  # (plan id, table name)
SaveResult = editing.Saved | editing.Conflict | editing.Rejected
Write = Callable[[str], SaveResult]  # a save, given who saves: what a button runs once the right is checked


@dataclasses.dataclass
class Held:
    """A table's pending grid edits, kept in the session so that they outlive the grid: when its own state is
    gone (another table, plan or page was shown, or another filter or page of a big table), the grid is drawn
    again from `latest`, under a new key."""

    drawn: editing.Changes = dataclasses.field(default_factory=editing.Changes)  # what the grid's data holds
    generation: int = 0  # in the grid's key: a new grid each time `drawn` changes
    latest: editing.Changes = dataclasses.field(default_factory=editing.Changes)  # every edit, as of the last run


def render(view: ui.View) -> None:
    lang = view.lang
    name = access.editor()
    if name is None:
        access.ask(lang)
        return
    data_dir = ui.data_dir()
    plan_id, table = _choose(view, data_dir)
    if access.mode() == "local":
        st.caption(t("editor_local_mode", lang))
    access.lock_button(lang)
    _show_outcome(lang)
    plan_store = store.plan_store()
    elsewhere = [key for key in _tables_pending() if key != (plan_id, table.name)]
    if elsewhere:
        st.info(t("editor_pending_elsewhere", lang, tables=", ".join(
            f"{view.labels.get(plan, plan)} · {TABLES_BY_NAME[name].label(lang)}" for plan, name in elsewhere)))
    version, moved = _base(data_dir, plan_store, plan_id, table)
    if moved:
        st.warning(t("editor_moved", lang))
    tabs = st.tabs([t(k, lang) for k in ("editor_tab_edit", "editor_tab_upload", "editor_tab_download",
                                         "editor_tab_history", "editor_tab_official")])
    with tabs[0]:
        _edit(lang, data_dir, plan_store, version)
    with tabs[1]:
        _upload(lang, data_dir, plan_store, version)
    with tabs[2]:
        _downloads(lang, version)
    with tabs[3]:
        try:
            _history(lang, data_dir, plan_store, version)
        except StoreUnavailable as error:  # the versions live in the store: shown again once it answers
            print(f"plan store: {error}", file=sys.stderr)
            st.warning(t("banner_store_unreachable", lang))
    with tabs[4]:
        official_import.render(lang, data_dir, plan_store, plan_id, _replace, _carried_over_notice)
    _reload_guard(bool(_tables_pending()))


def _choose(view: ui.View, data_dir: Path) -> tuple[str, Table]:
    """Plan folders as found on disk (a plan whose CSVs do not build yet can still be mended)."""
    folders = [folder.name for folder in plan_dirs(data_dir)] if data_dir.is_dir() else []
    newest_first = view.plans.sort_values(["year", "plan_id"], ascending=[False, True])["plan_id"]
    chosen = [p for p in newest_first if p in folders]  # the sidebar's choice, most recent plan first
    left, right = st.columns(2)
    plan_id = left.selectbox(t("editor_plan", view.lang), folders, key=PLAN_KEY,
                             index=folders.index(chosen[0]) if chosen else 0,
                             format_func=lambda p: view.labels.get(p, p))
    table = right.selectbox(t("editor_table", view.lang), [table.name for table in TABLES], key=TABLE_KEY,
                            index=1, format_func=lambda n: f"{TABLES_BY_NAME[n].label(view.lang)} ({n}.csv)")
    return plan_id, TABLES_BY_NAME[table]


def _stat(path: Path) -> tuple[int, int] | None:
    return (path.stat().st_size, path.stat().st_mtime_ns) if path.exists() else None


def _key(version: editing.TableVersion) -> TableKey:
    return version.plan_id, version.table.name


def _grid_prefix(key: TableKey) -> str:
    """What the keys of a table's grid and of its filters begin with."""
    return f"grid-{key[0]}-{key[1]}-"


def _pending_changes(key: TableKey) -> editing.Changes | None:
    """The table's pending edits: refused by a conflict, or the grid's (as of the last run)."""
    conflict = st.session_state.get(CONFLICT_KEY, {}).get(key)
    if conflict is not None:
        return conflict
    held = st.session_state.get(HELD_KEY, {}).get(key)
    return held.latest if held is not None and held.latest else None


def _pending(key: TableKey) -> bool:
    """Edits pending on the table: kept ones, or a first edit only the grid's state of this run holds yet."""
    prefix = _grid_prefix(key)
    return _pending_changes(key) is not None or any(
        name.startswith(prefix) and _has_edits(value) for name, value in st.session_state.items()
        if isinstance(name, str))


def _tables_pending() -> list[TableKey]:
    """Every table with pending edits in this session."""
    tables = [*st.session_state.get(CONFLICT_KEY, {}), *st.session_state.get(HELD_KEY, {})]
    return [key for key in dict.fromkeys(tables) if _pending_changes(key) is not None]


def _has_edits(state) -> bool:
    return isinstance(state, dict) and any(state.get(k) for k in ("edited_rows", "added_rows", "deleted_rows"))


def _base(data_dir: Path, plan_store: PlanStore, plan_id: str, table: Table) -> tuple[editing.TableVersion, bool]:
    """The version being edited: reloaded when the file changes, unless edits are pending on the
    one held (then it stays, and the save will report the conflict)."""
    held = st.session_state.setdefault(BASE_KEY, {})
    stat = _stat(editing.table_path(data_dir, plan_id, table))
    if (plan_id, table.name) in held:
        seen, version = held[(plan_id, table.name)]
        if seen == stat:
            return version, False
        if _pending((plan_id, table.name)):
            return version, True
    version = editing.load(data_dir, plan_id, table)
    plan_store.remember(version.raw)
    held[(plan_id, table.name)] = (stat, version)
    return version, False


def _forget(key: TableKey) -> None:
    """After a save or a discard: the next run loads the file again and starts a clean grid."""
    for name in (BASE_KEY, CONFLICT_KEY, HELD_KEY):
        st.session_state.get(name, {}).pop(key, None)
    _clear_grid(key)


def _clear_grid(key: TableKey) -> None:
    for name in [n for n in st.session_state if isinstance(n, str) and n.startswith(_grid_prefix(key))]:
        del st.session_state[name]


def _to_conflict(key: TableKey, changes: editing.Changes) -> None:
    """Pending edits the file moved on under (a refused save; a restore, upload or import that replaced it):
    kept against the version they were made on, for the conflict view to apply on the current one."""
    st.session_state.setdefault(CONFLICT_KEY, {})[key] = changes
    st.session_state.get(HELD_KEY, {}).pop(key, None)
    _clear_grid(key)


def _rebase(key: TableKey, stat: tuple[int, int] | None, current: editing.TableVersion,
            changes: editing.Changes) -> None:
    """Keep editing on the current version: it becomes the base, and the changes the grid's pending edits."""
    st.session_state.setdefault(BASE_KEY, {})[key] = (stat, current)
    st.session_state.get(CONFLICT_KEY, {}).pop(key, None)
    _clear_grid(key)
    st.session_state.setdefault(HELD_KEY, {})[key] = Held(changes, 0, changes)


def _reload_guard(pending_edits: bool) -> None:
    """The browser asks before a reload or a closed tab drops the session, and with it the pending edits."""
    st.html(RELOAD_GUARD.format(pending="true" if pending_edits else "false"), unsafe_allow_javascript=True)


def _edit(lang: str, data_dir: Path, plan_store: PlanStore, version: editing.TableVersion) -> None:
    table = version.table
    if version.issues:
        ui.show_issues(t("editor_file_invalid", lang, file=version.shown), version.issues, lang)
        st.info(t("editor_file_invalid_hint", lang))
        return
    key = _key(version)
    conflict = st.session_state.get(CONFLICT_KEY, {}).get(key)
    if conflict is not None:
        _conflict(lang, data_dir, plan_store, version, conflict)
        return
    keys, grid_key = _page(lang, version)
    held = st.session_state.setdefault(HELD_KEY, {}).setdefault(key, Held())
    if f"{grid_key}-g{held.generation}" not in st.session_state and held.latest != held.drawn:
        held.drawn, held.generation = held.latest, held.generation + 1  # the grid's own state is gone: redrawn
    grid_key = f"{grid_key}-g{held.generation}"
    rows = pending.grid_rows(keys, held.drawn)
    ids = [str(k[0]) for k in version.by_key()] + [str(cells.get("id") or "") for cells in held.drawn.added]
    proposals = editor_display.proposed_ids([i for i in ids if i], 1) if table.unique == ("id",) else []
    st.data_editor(editor_display.grid(version, keys, held.drawn), key=grid_key, hide_index=True, width="stretch",
                   column_config=_column_config(version, lang, proposals[0] if proposals else None),
                   num_rows="fixed" if table is PLAN else "dynamic")
    changes = pending.combine(held.drawn, rows, st.session_state.get(grid_key) or {})
    _propose_ids(version, changes)
    held.latest = changes
    if not changes:
        st.caption(t("editor_no_changes", lang))
        return
    draft = editing.apply(version, changes)
    issues = editing.check(data_dir, version.plan_id, table, draft.raw)
    counts = {"changed": len(changes.changed), "added": len(changes.added), "removed": len(changes.deleted)}
    st.markdown(t("editor_pending", lang, **counts))
    st.caption(t("editor_pending_kept", lang))
    if issues:
        st.error(t("editor_issues", lang, count=len(issues)))
        st.dataframe(editor_display.issue_table(issues, version, draft, rows, lang), hide_index=True)
    save, discard = st.columns(2)
    save.button(t("editor_save", lang), type="primary", disabled=bool(issues), key=f"save-{grid_key}",
                on_click=_save_edit, args=(lang, data_dir, plan_store, version, draft.raw, counts, changes))
    discard.button(t("editor_discard", lang), key=f"discard-{grid_key}", on_click=_forget, args=(key,))


def _page(lang: str, version: editing.TableVersion) -> tuple[list[editing.Key], str]:
    """All rows, or for a big table the chosen filters' rows a page at a time, and the grid's key for them.
    Pending edits are kept by row key, so filters and page can change under them (`Held`)."""
    keys = list(version.by_key())
    prefix = _grid_prefix(_key(version)) + version.sha[:12]
    if not version.table.bulk and len(keys) <= PAGE_ROWS:
        return keys, prefix
    columns = editor_display.filter_columns(version.table)
    chosen = {}
    cells = st.columns(len(columns) + 1)
    for cell, name in zip(cells, columns, strict=False):
        options = editor_display.filter_options(version, name)
        chosen[name] = cell.multiselect(editor_display.label(version.table, name, lang), options,
                                        key=f"{prefix}-f-{name}",
                                        format_func=lambda v, n=name: editor_display.shown(
                                            kind_of(version.table.model.model_fields[n]), v, lang),
                                        placeholder=t("all", lang))
    keys = editor_display.keys_matching(version, chosen)
    pages = max(1, -(-len(keys) // PAGE_ROWS))
    page = cells[-1].number_input(t("editor_page", lang, pages=pages), 1, pages, key=f"{prefix}-page")
    st.caption(t("editor_rows_shown", lang, shown=min(PAGE_ROWS, len(keys)), total=len(keys)))
    selection = "-".join(f"{n}={'|'.join(map(str, v))}" for n, v in chosen.items() if v)
    keys = keys[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]
    return keys, f"{prefix}-{abs(hash(selection))}-{page}"


def _propose_ids(version: editing.TableVersion, changes: editing.Changes) -> None:
    """New rows without an id get the next ones of the plan's numbering."""
    if version.table.unique != ("id",):
        return
    taken = [str(k[0]) for k in version.by_key()] + [str(a.get("id") or "") for a in changes.added]
    empty = [added for added in changes.added if not str(added.get("id") or "").strip()]
    for added, proposal in zip(empty, editor_display.proposed_ids([i for i in taken if i], len(empty)), strict=True):
        added["id"] = proposal


def _choices(version: editing.TableVersion, name: str, kind, lang: str) -> tuple[list, object]:
    """(options, how each is shown) for a choice column: enum members, countries, or the texts in use."""
    if "country" in (kind.name, kind.item):
        codes = sorted(set(countries.alias_table().values()), key=lambda c: countries.country_name(c, lang))
        return codes, lambda code: countries.country_name(code, lang)
    if kind.enum is not None:
        members = [m for m in kind.enum if kind.allowed is None or m.value in kind.allowed]
        return [m.value for m in members], lambda value: kind.enum(value).label(lang)
    return sorted({item for row in version.rows for item in getattr(row.value, name)}), str


def _column_config(version: editing.TableVersion, lang: str, next_id: str | None) -> dict:
    """Each column set up from its model field: labels and help in `lang`, choices for enums and
    countries, date pickers, number limits, required marks."""
    config = {}
    for name, info in version.table.model.model_fields.items():
        kind = kind_of(info)
        extra = info.json_schema_extra
        common = {"label": extra[lang], "help": extra[f"help_{lang}"] or None, "required": info.is_required()}
        if kind.name in ("enum", "country"):
            options, shown = _choices(version, name, kind, lang)
            config[name] = st.column_config.SelectboxColumn(**common, options=options, format_func=shown)
        elif kind.name == "list":
            options, shown = _choices(version, name, kind, lang)
            config[name] = st.column_config.MultiselectColumn(
                extra[lang], help=common["help"], options=options, format_func=shown,
                accept_new_options=kind.item == "text")
        elif kind.name == "money":
            config[name] = st.column_config.NumberColumn(**common, min_value=0, step=0.01, format="localized")
        elif kind.name == "count":
            config[name] = st.column_config.NumberColumn(**common, min_value=kind.low, max_value=kind.high, step=1,
                                                         format="%d")
        elif kind.name == "date":
            config[name] = st.column_config.DateColumn(
                **common, format="DD-MM-YYYY" if lang == "es" else "YYYY-MM-DD",
                min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31))
        elif kind.name == "code":
            config[name] = st.column_config.TextColumn(**common, max_chars=40, validate=f"^{CODE_PATTERN}$",
                                                       default=next_id if name == "id" else None)
        else:
            config[name] = st.column_config.TextColumn(**common, max_chars=MAX_TEXT)
    return config


def _writer(data_dir: Path, plan_store: PlanStore, version: editing.TableVersion, raw: bytes, kind: str,
            counts: dict, restored: str = "") -> Write:
    """`raw` saved over `version` (`editing.save`), the database refreshed."""
    return lambda editor: editing.save(data_dir, plan_store, version.plan_id, version.table, raw, version.sha,
                                       editor, kind, counts, restored, db_path=ui.db_path())


def _save(lang: str, version: editing.TableVersion, write: Write, note: str = "") -> SaveResult | None:
    """Save over `version` (`write`), with the editor right checked again here, on the server, whatever the page
    showed. What happened is left for the next run (`_show_outcome`), `note` added to a success; a conflict is
    left to the caller."""
    editor = access.editor()
    if editor is None:
        st.session_state[OUTCOME_KEY] = ("error", t("access_denied", lang), [])
        return None
    try:
        result = write(editor)
    except StoreUnavailable as error:  # nothing was saved; the pending edits stay for another try
        print(f"plan store: {error}", file=sys.stderr)
        st.session_state[OUTCOME_KEY] = ("error", t("editor_store_unreachable", lang), [])
        return None
    if isinstance(result, editing.Saved):
        message = t("editor_saved", lang, file=version.shown, version=result.version.sha256[:10])
        if result.rebuild_issues:
            message += " " + t("editor_saved_not_built", lang, count=len(result.rebuild_issues))
        st.session_state[OUTCOME_KEY] = ("success", " ".join(filter(None, (message, note))), [])
    elif isinstance(result, editing.Rejected):
        st.session_state[OUTCOME_KEY] = ("error", t("editor_issues", lang, count=len(result.issues)), result.issues)
    return result


def _save_edit(lang: str, data_dir: Path, plan_store: PlanStore, version: editing.TableVersion, raw: bytes,
               counts: dict, changes: editing.Changes) -> None:
    """The grid's save button; if the file moved on, the changes go to the conflict view."""
    result = _save(lang, version, _writer(data_dir, plan_store, version, raw, "edit", counts))
    if isinstance(result, editing.Saved):
        _forget(_key(version))
    elif isinstance(result, editing.Conflict):
        _to_conflict(_key(version), changes)


def _reapply(lang: str, data_dir: Path, plan_store: PlanStore, current: editing.TableVersion, raw: bytes,
             counts: dict) -> None:
    """The conflict view's apply: the changes saved on top of the current file. Until a save succeeds they stay,
    and so does the conflict view (a refusal is told at the top)."""
    result = _save(lang, current, _writer(data_dir, plan_store, current, raw, "edit", counts))
    if isinstance(result, editing.Saved):
        _forget(_key(current))
    elif isinstance(result, editing.Conflict):
        st.session_state[OUTCOME_KEY] = ("error", t("editor_conflict_again", lang), [])


def _replace(lang: str, version: editing.TableVersion, write: Write) -> None:
    """A restore, upload or import: the whole file replaced. The table's pending edits are never lost: a refusal
    keeps them as they are; a save moves them to the conflict view, to apply on the new version or discard."""
    key = _key(version)
    changes = _pending_changes(key)
    note = t("editor_pending_carried_over", lang) if changes is not None else ""
    result = _save(lang, version, write, note)
    if isinstance(result, editing.Saved) and changes is not None:
        _to_conflict(key, changes)
    elif isinstance(result, editing.Saved):
        _forget(key)
    elif isinstance(result, editing.Conflict) and changes is not None:
        st.session_state[OUTCOME_KEY] = ("error", t("editor_conflict_kept", lang), [])
    elif isinstance(result, editing.Conflict):
        _forget(key)
        st.session_state[OUTCOME_KEY] = ("error", t("editor_conflict_plain", lang), [])


def _carried_over_notice(lang: str, key: TableKey) -> None:
    """Said before a restore, upload or import replaces a file under pending edits."""
    if _pending(key):
        st.caption(t("editor_pending_carried_over_before", lang))


def _show_outcome(lang: str) -> None:
    """The message a button's callback left for this run (shown once)."""
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if outcome is None:
        return
    kind, message, issues = outcome
    if issues:
        ui.show_issues(message, issues, lang)
    elif kind == "success":
        st.success(message)
    else:
        st.error(message)


def _conflict(lang: str, data_dir: Path, plan_store: PlanStore, version: editing.TableVersion,
              changes: editing.Changes) -> None:
    """The file moved on under pending edits: show what changed there, what the person changed, the cells both
    changed (each to choose), and what checking the changes on the current file finds; then let them put their
    changes on top of the current file, keep editing them there, or drop them."""
    st.error(t("editor_conflict", lang))
    key = _key(version)
    stat = _stat(editing.table_path(data_dir, version.plan_id, version.table))
    current = editing.load(data_dir, version.plan_id, version.table)
    st.subheader(t("editor_conflict_theirs", lang))
    _diff(lang, version, current)
    st.subheader(t("editor_conflict_yours", lang))
    _diff(lang, version, editing.parse_version(version.plan_id, version.table, version.shown,
                                               editing.apply(version, changes).raw))
    if current.issues:  # nothing can go on top of a file that does not read
        ui.show_issues(t("editor_file_invalid", lang, file=current.shown), current.issues, lang)
        st.button(t("editor_discard", lang), on_click=_forget, args=(key,))
        return
    lost = changes.missing_in(current)
    if lost:
        st.warning(t("editor_conflict_lost", lang, rows=", ".join(
            editor_display.key_text(version.table, row, lang) for row in lost)))
    chosen, undecided = _collisions(lang, version, current, pending.still_applicable(changes, current))
    draft = editing.apply(current, chosen)
    issues = editing.check(data_dir, version.plan_id, version.table, draft.raw) if chosen else []
    if issues:
        st.error(t("editor_conflict_issues", lang, count=len(issues)))
        st.dataframe(editor_display.issue_table(issues, current, draft, [], lang), hide_index=True)
    counts = {"changed": len(chosen.changed), "added": len(chosen.added), "removed": len(chosen.deleted)}
    reapply, rebase, drop = st.columns(3)
    reapply.button(t("editor_reapply", lang), type="primary", disabled=undecided or bool(issues) or not chosen,
                   on_click=_reapply, args=(lang, data_dir, plan_store, current, draft.raw, counts))
    rebase.button(t("editor_rebase", lang), disabled=undecided, on_click=_rebase, args=(key, stat, current, chosen))
    drop.button(t("editor_discard", lang), on_click=_forget, args=(key,))


def _collisions(lang: str, base: editing.TableVersion, current: editing.TableVersion,
                changes: editing.Changes) -> tuple[editing.Changes, bool]:
    """Cells the file and the person both changed, named, each with its choice (keep theirs, keep mine), or one
    for all. The changes as chosen, and whether a choice is still missing (nothing is overwritten unasked)."""
    found = pending.collisions(base, current, changes)
    if not found:
        return changes, False
    table, stem = base.table, f"collision-{base.plan_id}-{base.table.name}-"
    st.warning(t("editor_collisions", lang, count=len(found)))
    st.dataframe(editor_display.collision_table(found, table, lang), hide_index=True)
    keys = [stem + "|".join(map(str, c.key)) + f"-{c.column or ''}" for c in found]
    theirs, mine = st.columns(2)
    theirs.button(t("editor_keep_theirs_all", lang), key=f"{stem}all-theirs", on_click=_choose_all,
                  args=(keys, "theirs"))
    mine.button(t("editor_keep_mine_all", lang), key=f"{stem}all-mine", on_click=_choose_all, args=(keys, "mine"))
    options = {"theirs": t("editor_keep_theirs", lang), "mine": t("editor_keep_mine", lang)}
    choices = [st.radio(editor_display.collision_label(table, collision, lang), list(options), index=None, key=key,
                        horizontal=True, format_func=options.get) for collision, key in zip(found, keys, strict=True)]
    if None in choices:
        st.caption(t("editor_collisions_undecided", lang))
    kept = [collision for collision, choice in zip(found, choices, strict=True) if choice == "theirs"]
    return pending.keep_theirs(changes, kept), None in choices


def _choose_all(keys: list[str], choice: str) -> None:
    for key in keys:
        st.session_state[key] = choice


def _diff(lang: str, old: editing.TableVersion, new: editing.TableVersion) -> None:
    difference = editing.diff(old, new)
    if difference.issues:
        ui.show_issues(t("editor_diff_unreadable", lang), difference.issues, lang)
    elif not difference:
        st.caption(t("editor_no_difference", lang))
    else:
        st.dataframe(editor_display.diff_table(difference, old.table, lang), hide_index=True)


def _upload(lang: str, data_dir: Path, plan_store: PlanStore, version: editing.TableVersion) -> None:
    """A whole table from a CSV (as Excel writes it) or an .xlsx: checked, previewed, then saved."""
    limit_mb = st.get_option("server.maxUploadSize")
    upload = st.file_uploader(t("editor_upload", lang, file=version.table.file_name), type=["csv", "txt", "xlsx"],
                              key=f"upload-{version.plan_id}-{version.table.name}",
                              help=t("editor_upload_help", lang, limit=limit_mb))
    if upload is None:
        return
    raw = upload.getvalue()
    if len(raw) > limit_mb * 1024 * 1024:  # the server refuses bigger uploads; checked again here
        st.error(t("file_too_large", lang, value=len(raw), limit=limit_mb * 1024 * 1024))
        return
    if upload.name.lower().endswith(".xlsx"):
        converted = workbooks.xlsx_to_csv(raw, upload.name)
        if isinstance(converted, list):
            ui.show_issues(t("editor_upload_rejected", lang, file=upload.name), converted, lang)
            return
        raw = converted
    issues = [dataclasses.replace(issue, path=upload.name) if issue.path == version.shown else issue
              for issue in editing.check(data_dir, version.plan_id, version.table, raw)]
    if issues:
        ui.show_issues(t("editor_upload_rejected", lang, file=upload.name), issues, lang)
        st.caption(t("editor_nothing_saved", lang))
        return
    candidate = editing.parse_version(version.plan_id, version.table, upload.name, raw)
    if version.issues:  # the file on disk does not read: no row comparison, the upload replaces it
        counts = {"added": len(candidate.rows), "changed": 0, "removed": 0}
        st.info(t("editor_upload_replaces_invalid", lang, rows=len(candidate.rows)))
    else:
        difference = editing.diff(version, candidate)
        if not difference:
            st.info(t("editor_upload_same", lang))
            return
        counts = difference.counts()
        st.markdown(t("editor_upload_preview", lang, **counts))
        st.dataframe(editor_display.diff_table(difference, version.table, lang), hide_index=True)
    _carried_over_notice(lang, _key(version))
    st.button(t("editor_upload_confirm", lang), type="primary", key=f"confirm-{upload.file_id}", on_click=_replace,
              args=(lang, version, _writer(data_dir, plan_store, version, raw, "upload", counts)))


def _downloads(lang: str, version: editing.TableVersion) -> None:
    """The table for Excel (`;`, decimal comma, BOM), as plain CSV, and as .xlsx; built on click."""
    stem = f"{version.plan_id}-{version.table.name}"
    st.caption(t("editor_download_help", lang))
    excel, plain, workbook = st.columns(3)
    excel.download_button(t("editor_download_excel_csv", lang),
                          lambda: table_csv(editor_display.download_frame(version), spanish_excel=True),
                          file_name=f"{stem}.csv", mime="text/csv", on_click="ignore", key=f"dl-excel-{stem}")
    plain.download_button(t("editor_download_plain_csv", lang),
                          lambda: table_csv(editor_display.download_frame(version), spanish_excel=False),
                          file_name=f"{stem}-utf8.csv", mime="text/csv", on_click="ignore", key=f"dl-plain-{stem}")
    workbook.download_button(t("editor_download_xlsx", lang), lambda: workbooks.xlsx_bytes(
        editor_display.download_frame(version), version.table.name), file_name=f"{stem}.xlsx", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"dl-xlsx-{stem}")


def _history(lang: str, data_dir: Path, plan_store: PlanStore, version: editing.TableVersion) -> None:
    """Saved versions; the difference between any two of them (the file as it was before the first
    save included); bringing one back, which is saved as a new version."""
    versions = plan_store.versions(version.plan_id, version.table.name)
    if not versions:
        st.info(t("editor_no_history", lang))
        return
    st.dataframe(editor_display.versions_table(versions, lang), hide_index=True)
    labels = {v.sha256: editor_display.version_label(v, lang) for v in versions}
    first = versions[-1].previous
    if plan_store.content(first) is not None:
        labels.setdefault(first, t("editor_before_first", lang, version=first[:10]))
    shas = list(labels)
    stem = f"history-{version.plan_id}-{version.table.name}"
    older, newer = st.columns(2)
    new = newer.selectbox(t("editor_compare_new", lang), shas, index=0, format_func=labels.get, key=f"{stem}-new")
    old = older.selectbox(t("editor_compare_old", lang), shas, index=min(1, len(shas) - 1), format_func=labels.get,
                          key=f"{stem}-old")
    _diff(lang, _stored(plan_store, version, old), _stored(plan_store, version, new))
    chosen = st.selectbox(t("editor_restore_which", lang), shas, index=len(shas) - 1, format_func=labels.get,
                          key=f"{stem}-restore")
    restored = _stored(plan_store, version, chosen)
    _carried_over_notice(lang, _key(version))
    st.button(t("editor_restore", lang), key=f"{stem}-button", on_click=_replace, disabled=chosen == version.sha,
              args=(lang, version, _writer(data_dir, plan_store, version, restored.raw, "restore",
                                           editing.diff(version, restored).counts(), chosen)))


def _stored(plan_store: PlanStore, version: editing.TableVersion, sha: str) -> editing.TableVersion:
    """A version of this table from the history's store."""
    return editing.parse_version(version.plan_id, version.table, version.shown, plan_store.content(sha))
