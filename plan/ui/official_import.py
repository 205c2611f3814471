"""The editor's import tab: exports from official statistics (plan.edit.imports' sources: customs' DUS files,
UN Comtrade) into the plan's outcomes, with the same preview as `python -m plan import`, then saved through the
editor page's own save of a whole file (plan.ui.editor), as an upload or a restore is."""

import tempfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from plan import ui
from plan.data.store import PlanStore
from plan.edit import editing, imports
from plan.edit.official import Figures
from plan.model.i18n import t
from plan.model.issues import PlanInvalid
from plan.model.models import OUTCOMES
from plan.model.regions import Region

READ_KEY = "_editor_official"  # the last official files read: (source, region, upload ids) -> result


def render(lang: str, data_dir: Path, plan_store: PlanStore, plan_id: str,
           replace: Callable[[str, editing.TableVersion, Callable], None],
           carried_over_notice: Callable[[str, tuple[str, str]], None]) -> None:
    """Choose a source (and the region, for customs' files), upload its files, see what would change, save it.
    `replace(lang, version, write)` is the editor's save of a whole file over `version`, which keeps the
    table's pending edits (`write(editor)` saves); `carried_over_notice(lang, (plan id, table))` says first
    that they will be kept."""
    st.caption(t("editor_official_help", lang))
    source = imports.SOURCES[st.radio(t("editor_official_source", lang), list(imports.SOURCES), horizontal=True,
                                      format_func=lambda key: imports.SOURCES[key].label(lang),
                                      key=f"official-source-{plan_id}")]
    region = None
    if source.needs_region:
        own, regions = imports.own_region(data_dir, plan_id), list(Region)
        region = st.selectbox(t("editor_official_region", lang), regions, format_func=lambda r: r.label(lang),
                              index=regions.index(own) if own else None, key=f"official-region-{plan_id}")
    uploads = st.file_uploader(t("editor_official_files", lang), type=list(source.file_types),
                               accept_multiple_files=True, key=f"official-files-{plan_id}-{source.key}")
    if not uploads or (source.needs_region and region is None):
        return
    figures, issues = _read(source, uploads, region, st.get_option("server.maxUploadSize") * 1024 * 1024)
    if issues:
        ui.show_issues(t("editor_official_rejected", lang), issues, lang)
        st.caption(t("editor_nothing_saved", lang))
        return
    try:
        preview = imports.preview(data_dir, plan_id, figures)
    except PlanInvalid as invalid:  # outcomes.csv does not read: nothing can be merged into it
        ui.show_issues(t("editor_file_invalid", lang, file=invalid.issues[0].path), invalid.issues, lang)
        return
    plan_store.remember(preview.version.raw)
    st.text("\n".join(preview.lines(lang)))
    if not preview.changes:
        st.info(t("import_nothing_to_change", lang))
        return
    carried_over_notice(lang, (plan_id, OUTCOMES.name))
    draft = preview.draft()
    st.button(t("editor_official_confirm", lang), type="primary", key=f"official-confirm-{draft.files[0].base[:12]}",
              on_click=replace, args=(lang, preview.version, lambda editor: imports.save(
                  data_dir, plan_store, draft, editor, db_path=ui.db_path())))


def _read(source: imports.Source, uploads: list, region: Region | None, limit: int) -> tuple[Figures | None, list]:
    """The uploaded files read as `source`: figures, or every problem found. Kept in the session by the uploads
    and region, so a month's 100 MB file is read once, not at every rerun."""
    key = (source.key, region, tuple(upload.file_id for upload in uploads))
    held = st.session_state.setdefault(READ_KEY, {})
    if key not in held:
        held.clear()
        with tempfile.TemporaryDirectory(prefix="plan-import-") as scratch:
            paths = []
            for upload in uploads:
                path = Path(scratch) / Path(upload.name).name
                path.write_bytes(upload.getvalue())
                paths.append(path)
            try:
                held[key] = (source.read(paths, region, limit), [])
            except PlanInvalid as invalid:
                held[key] = (None, invalid.issues)
    return held[key]
