"""The editor page under AppTest, on a private copy of the sample plan: who may edit, editing in the
grid, saving, conflicts, uploads, history and restore, and what the other pages show after."""

import hashlib
import io
import sys

import openpyxl
import pytest

from plan.data.history import History
from plan.edit import editing, editor_display, workbooks
from plan.edit.downloads import table_csv
from plan.model.models import ACTIVITIES, OUTCOMES, PARTICIPANTS
from plan.ui import access
from tests.apptest import open_page, table_with

ATACAMA = "prochile-atacama-2021"
EDITOR = "pages/editor.py"


def files(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((folder / ATACAMA).glob("*.csv"))}


def editor_page(**params):
    at = open_page(EDITOR, **params)
    at.selectbox(key="edit_plan").set_value(ATACAMA).run(timeout=60)
    return at


def edit(at, delta: dict):
    """Put edits into the grid, as the browser does, and run."""
    at.session_state[at.data_editor[0].key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **delta}
    at.run(timeout=60)
    assert not at.exception
    return at


def button(at, label: str):
    return next(b for b in at.button if b.label == label)


def done_activities(at) -> list[str]:
    """The overview's "Actividades realizadas" cards: the total, then the plan it shows first (Atacama)."""
    at.switch_page("pages/overview.py").run(timeout=60)
    return [m.value for m in at.metric if m.label == "Actividades realizadas"]


@pytest.fixture
def local(app_env, monkeypatch):
    monkeypatch.setenv("PLAN_LOCAL_EDIT", "1")
    return app_env


def test_a_viewer_without_any_credential_set_up_gets_a_read_only_notice(app_env):
    at = open_page(EDITOR)
    assert not at.data_editor and not at.file_uploader
    assert "solo lectura" in at.info[0].value


def test_password_editor_must_type_the_password(app_env, monkeypatch):
    monkeypatch.setenv("PLAN_EDITOR_PASSWORD", "pisco-sour")
    monkeypatch.setattr(access, "FAILED_DELAY_S", 0.01)
    at = open_page(EDITOR)
    assert not at.data_editor
    at.text_input[0].input("Ana")
    at.text_input[1].input("wrong")
    at.button[0].click().run(timeout=60)
    assert at.error[0].value == "Contraseña incorrecta." and not at.data_editor
    at.text_input[1].input("pisco-sour")
    at.button[0].click().run(timeout=60)
    assert at.data_editor and at.session_state[access.UNLOCKED_KEY] == "Ana (con contraseña)"


def test_a_secret_password_counts_too(app_env):
    at = open_page()
    at.secrets["editor_password"] = "x"
    at.switch_page(EDITOR).run(timeout=60)
    assert at.text_input[1].proto.type == at.text_input[1].proto.PASSWORD and not at.data_editor


@pytest.mark.parametrize(("email", "allowed"), [("Directora@Prochile.cl", True), ("visita@gmail.com", False)])
def test_login_editors_are_the_signed_in_users_on_the_list(app_env, email, allowed):
    at = open_page()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s"}
    at.secrets["editors"] = ["directora@prochile.cl"]
    at.user = {"is_logged_in": True, "email": email}
    at.switch_page(EDITOR).run(timeout=60)
    assert bool(at.data_editor) is allowed
    if not allowed:
        assert at.warning[0].value.startswith("visita@gmail\\.com no está en la lista")  # escaped: shown as text


def test_login_configured_but_not_signed_in_offers_the_login(app_env):
    at = open_page()
    at.secrets["auth"] = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s"}
    at.secrets["editors"] = ["directora@prochile.cl"]
    at.user = {"is_logged_in": False}
    at.switch_page(EDITOR).run(timeout=60)
    assert not at.data_editor and [b.label for b in at.button] == ["Iniciar sesión"]


def test_save_is_refused_on_the_server_when_the_right_is_gone(local, monkeypatch):
    # The page was drawn for an editor, but the save itself asks again (a raw client can click any
    # button it once saw; a right can end between drawing and clicking).
    at = edit(editor_page(), {"edited_rows": {0: {"notes": "x"}}})
    before = files(local)
    drawn = access.editor
    monkeypatch.setattr(access, "editor", lambda: None if sys._getframe(1).f_code.co_name == "_save" else drawn())
    button(at, "Guardar cambios").click().run(timeout=60)
    assert at.error[0].value == "Esta sesión no tiene permiso para editar; no se guardó nada."
    assert files(local) == before


def test_an_edit_is_saved_and_every_page_shows_it(local):
    at = editor_page()
    assert done_activities(at) == ["13", "13"]  # issue 23: a total counts plans with a target
    at.switch_page(EDITOR).run(timeout=60)
    grid = at.data_editor[0].value
    row = grid.index[grid["id"] == "ATA-21-21"][0]
    assert grid.loc[row, "status"] == "in_progress"
    edit(at, {"edited_rows": {int(row): {"status": "done", "actual_end": "2021-09-30"}}})
    assert at.markdown[0].value == "Cambios pendientes: filas cambiadas 1, agregadas 0, eliminadas 0."
    button(at, "Guardar cambios").click().run(timeout=60)
    assert not at.exception and at.success[0].value.startswith("Guardado data/prochile-atacama-2021/activities.csv")
    line = next(line for line in (local / ATACAMA / "activities.csv").read_text().splitlines()
                if line.startswith("ATA-21-21,"))
    assert ",done," in line and "2021-09-30" in line
    assert done_activities(at) == ["14", "14"]  # issue 23: a total counts plans with a target


def test_an_invalid_edit_shows_its_problems_at_the_row_and_saves_nothing(local):
    before = files(local)
    at = edit(editor_page(), {"edited_rows": {2: {"planned_end": "2020-01-01"}}, "added_rows": [{"title": "Nueva"}]})
    problems = edit_tables_frame(at)
    assert ["3 · ATA-21-03", "Término planificado"] in problems[["Fila", "Columna"]].values.tolist()
    assert ["nueva fila 1", "Tipo", "falta un valor obligatorio"] in problems.values.tolist()
    assert button(at, "Guardar cambios").disabled
    assert files(local) == before


def edit_tables_frame(at):
    return next(df.value for df in at.dataframe if "Problema" in df.value.columns)


def test_rows_added_and_deleted(local):
    at = editor_page()
    keys = at.data_editor[0].value["id"].tolist()
    new = {"title": "Webinar pisco en Corea", "type": "webinar", "modality": "virtual", "status": "planned",
           "planned_start": "2021-11-03", "planned_end": "2021-11-03", "markets": ["KOR"], "sectors": ["pisco"]}
    edit(at, {"added_rows": [new], "deleted_rows": [len(keys) - 1]})
    button(at, "Guardar cambios").click().run(timeout=60)
    ids = [row.value.id for row in editing.load(local, ATACAMA, ACTIVITIES).rows]
    assert ids == keys[:-1] + ["ATA-21-28"]  # the new row got the next id of the plan's numbering


def test_a_change_on_disk_meanwhile_is_a_conflict_and_the_edits_can_be_reapplied(local):
    at = edit(editor_page(), {"edited_rows": {0: {"notes": "mía"}}})
    path = local / ATACAMA / "activities.csv"
    path.write_bytes(path.read_bytes().replace("Shanghái".encode(), b"Shanghai"))  # someone else's change
    theirs = path.read_bytes()
    button(at, "Guardar cambios").click().run(timeout=60)
    assert path.read_bytes() == theirs
    assert "modificó este archivo" in at.error[0].value
    assert [s.value for s in at.subheader] == ["Lo que cambió en el archivo", "Sus cambios pendientes"]
    theirs_table, yours_table = (df.value for df in at.dataframe if "Cambio" in df.value.columns)
    assert theirs_table["Después"].str.contains("Shanghai").any() and yours_table["Después"].tolist() == ["mía"]
    button(at, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    saved = editing.load(local, ATACAMA, ACTIVITIES).by_key()[("ATA-21-01",)].value
    assert saved.notes == "mía" and saved.partners == ["Oficina Comercial de Chile en Shanghai"]


def upload(at, name: str, raw: bytes):
    at.file_uploader[0].set_value((name, raw, "text/csv")).run(timeout=60)
    assert not at.exception
    return at


def test_upload_of_a_spanish_excel_csv_is_previewed_then_saved(local):
    version = editing.load(local, ATACAMA, ACTIVITIES)
    frame = editor_display.download_frame(version)
    frame.loc[frame["id"] == "ATA-21-05", "status"] = "cancelled"
    frame.loc[frame["id"] == "ATA-21-05", ["actual_start", "actual_end"]] = None
    raw = table_csv(frame[frame["id"] != "ATA-21-27"], spanish_excel=True).decode("utf-8-sig").encode("cp1252")
    at = upload(editor_page(), "actividades.csv", raw)
    preview = next(df.value for df in at.dataframe if "Cambio" in df.value.columns)
    assert sorted(preview["Cambio"]) == ["Cambiada", "Cambiada", "Cambiada", "Eliminada"]
    assert "cambiadas 1, eliminadas 1" in at.markdown[0].value
    button(at, "Confirmar y guardar").click().run(timeout=60)
    assert (local / ATACAMA / "activities.csv").read_bytes() == raw
    assert [v.kind for v in History(local / ".history").versions(ATACAMA, "activities")] == ["upload"]


def test_an_invalid_upload_lists_every_problem_with_the_uploads_name_and_changes_nothing(local):
    before = files(local)
    raw = (b"id;title;type;modality;status;planned_start;planned_end;markets\n"
           b"X-1;Uno;feria;presencial;realizada;15/03/25;2021-03-20;Narnia\n")
    at = upload(editor_page(), "mal.csv", raw)
    report = at.code[0].value
    assert "mal.csv:2:planned_start:" in report and "mal.csv:2:markets:" in report
    assert not [b for b in at.button if b.label == "Confirmar y guardar"]
    assert files(local) == before


def test_an_xlsx_upload_is_read_like_a_csv(local):
    version = editing.load(local, ATACAMA, ACTIVITIES)
    frame = editor_display.download_frame(version)
    frame.loc[frame["id"] == "ATA-21-01", "title"] = "Título desde Excel"
    at = upload(editor_page(), "plan.xlsx", workbooks.xlsx_bytes(frame, "activities"))
    button(at, "Confirmar y guardar").click().run(timeout=60)
    assert editing.load(local, ATACAMA, ACTIVITIES).by_key()[("ATA-21-01",)].value.title == "Título desde Excel"


def test_a_downloaded_file_uploaded_again_changes_nothing(local):
    version = editing.load(local, ATACAMA, ACTIVITIES)
    for raw in (table_csv(editor_display.download_frame(version), spanish_excel=True),
                workbooks.xlsx_bytes(editor_display.download_frame(version), "activities")):
        at = upload(editor_page(), "x.xlsx" if raw[:2] == b"PK" else "x.csv", raw)
        assert at.info[0].value.startswith("El archivo tiene los mismos datos")
    workbook = openpyxl.load_workbook(io.BytesIO(workbooks.xlsx_bytes(editor_display.download_frame(version), "a")))
    assert workbook.active["M2"].data_type == "n"  # budget_usd stays a number


def test_history_lists_versions_and_restores_one(local):
    original = (local / ATACAMA / "activities.csv").read_bytes()
    at = edit(editor_page(), {"edited_rows": {0: {"title": "Cambiado"}}})
    button(at, "Guardar cambios").click().run(timeout=60)
    versions = next(df.value for df in at.dataframe if "Versión" in df.value.columns)
    assert versions[["Por", "Cómo", "Filas"]].values.tolist()[0][1:] == ["edición", "+0 ~1 −0"]
    compared = next(df.value for df in at.dataframe if "Cambio" in df.value.columns)
    assert compared[["Columna", "Después"]].values.tolist() == [["Título", "Cambiado"]]
    restore = at.selectbox(key=f"history-{ATACAMA}-activities-restore")
    assert restore.value == hashlib.sha256(original).hexdigest()  # offered first: the file before the edit
    button(at, "Restaurar esta versión").click().run(timeout=60)
    assert (local / ATACAMA / "activities.csv").read_bytes() == original


def test_a_big_table_is_filtered_and_paged_and_an_edit_merges_into_the_whole_file(local):
    at = editor_page()
    at.selectbox(key="edit_table").set_value("outcomes").run(timeout=60)
    total = len(editing.load(local, ATACAMA, OUTCOMES).rows)
    market = next(m for m in at.multiselect if m.label == "Mercado")
    market.set_value(["JPN"]).run(timeout=60)
    grid = at.data_editor[0].value
    assert 0 < len(grid) < total and set(grid["market"]) == {"JPN"}
    before = (local / ATACAMA / "outcomes.csv").read_text().splitlines()
    edit(at, {"edited_rows": {0: {"source": "revisado"}}})
    # Pending edits are kept by row: another filter shows other rows, and the first edit stays pending.
    next(m for m in at.multiselect if m.label == "Mercado").set_value(["KOR"]).run(timeout=60)
    assert set(at.data_editor[0].value["market"]) == {"KOR"}
    edit(at, {"edited_rows": {0: {"source": "revisado también"}}})
    assert pending_summary(at) == "Cambios pendientes: filas cambiadas 2, agregadas 0, eliminadas 0."
    button(at, "Guardar cambios").click().run(timeout=60)
    after = (local / ATACAMA / "outcomes.csv").read_text().splitlines()
    assert len(after) == len(before) and sum(a != b for a, b in zip(before, after, strict=True)) == 2
    sources = [row.value.source or "" for row in editing.load(local, ATACAMA, OUTCOMES).rows]
    assert sorted(s for s in sources if s.startswith("revisado")) == ["revisado", "revisado también"]


def test_a_csv_broken_on_disk_keeps_the_last_good_data_with_a_banner(local):
    at = open_page()
    assert done_activities(at) == ["13", "13"]  # issue 23: a total counts plans with a target
    path = local / ATACAMA / "activities.csv"
    path.write_text(path.read_text().replace(",done,", ",hecho a medias,", 1))
    at.run(timeout=60)
    assert "últimos datos válidos" in at.error[0].value and "activities.csv:2:status" in at.code[0].value
    # Issue 23: a total counts plans with a target (Atacama).
    assert [m.value for m in at.metric if m.label == "Actividades realizadas"] == ["13", "13"]


def test_a_plan_that_does_not_build_at_all_can_still_be_mended_by_an_editor(local):
    path = local / ATACAMA / "activities.csv"
    good = path.read_bytes()
    path.write_bytes(good.replace(b",done,", b",hecho,", 1))  # no database was ever built from these CSVs
    at = open_page()
    assert "No hay un plan válido" in at.error[0].value and at.title[0].value == "Editar el plan"
    at.selectbox(key="edit_plan").set_value(ATACAMA).run(timeout=60)
    assert "activities.csv tiene problemas" in at.error[1].value
    upload(at, "activities.csv", good)
    button(at, "Confirmar y guardar").click().run(timeout=60)
    assert path.read_bytes() == good and not at.exception
    assert done_activities(at) == ["13", "13"]  # issue 23: a total counts plans with a target


# ----------------------------------------------------------------------------- two tabs on one plan

def new_activity(title: str) -> dict:
    return {"title": title, "type": "webinar", "modality": "virtual", "status": "planned",
            "planned_start": "2021-11-03", "planned_end": "2021-11-03", "markets": ["KOR"], "sectors": ["pisco"]}


def saved_row(folder, key: str):
    return editing.load(folder, ATACAMA, ACTIVITIES).by_key()[(key,)].value


def pending_summary(at) -> str:
    return next((m.value for m in at.markdown if m.value.startswith("Cambios pendientes")), "")


def yours(at):
    """The conflict view's table of the person's own pending changes."""
    assert [s.value for s in at.subheader][:2] == ["Lo que cambió en el archivo", "Sus cambios pendientes"]
    return [df.value for df in at.dataframe if "Cambio" in df.value.columns][1]


def test_a_check_that_fails_on_the_current_version_keeps_every_pending_change_to_correct(local):
    # Both tabs add a row and get the plan's next id, ATA-21-28; A saves first. B's changes (a title and
    # that row) cannot go on top as they are: the conflict view says so before anything is applied, and
    # B corrects the id in the grid over the current version without retyping the title.
    a, b = editor_page(), editor_page()
    edit(b, {"edited_rows": {0: {"title": "Título de B"}}, "added_rows": [new_activity("Fila de B")]})
    edit(a, {"added_rows": [new_activity("Fila de A")]})
    button(a, "Guardar cambios").click().run(timeout=60)
    assert saved_row(local, "ATA-21-28").title == "Fila de A"
    button(b, "Guardar cambios").click().run(timeout=60)
    problems = table_with(b, "Problema")
    assert problems[["Fila", "Columna"]].values.tolist() == [["nueva fila 1", "ID"]]
    assert button(b, "Aplicar mis cambios sobre la versión actual").disabled
    assert sorted(yours(b)["Cambio"]) == ["Agregada", "Cambiada"]
    button(b, "Seguir editando sobre la versión actual").click().run(timeout=60)
    assert pending_summary(b) == "Cambios pendientes: filas cambiadas 1, agregadas 1, eliminadas 0."
    grid = b.data_editor[0].value
    assert grid["id"].tolist()[-2:] == ["ATA-21-28", "ATA-21-28"] and grid["title"].iloc[0] == "Título de B"
    edit(b, {"edited_rows": {len(grid) - 1: {"id": "ATA-21-29"}}})
    button(b, "Guardar cambios").click().run(timeout=60)
    assert b.success[0].value.startswith("Guardado")
    assert [saved_row(local, k).title for k in ("ATA-21-01", "ATA-21-28", "ATA-21-29")] == [
        "Título de B", "Fila de A", "Fila de B"]


def test_an_apply_refused_by_the_saves_own_check_keeps_the_changes_and_the_conflict_view(local):
    a, b = editor_page(), editor_page()
    edit(b, {"edited_rows": {0: {"title": "Título de B", "campaign_id": "PIS-21-04"}}})
    edit(a, {"edited_rows": {1: {"notes": "nota de A"}}})
    button(a, "Guardar cambios").click().run(timeout=60)
    button(b, "Guardar cambios").click().run(timeout=60)
    # Between drawing the conflict view and the click, someone removes that campaign by hand.
    campaigns = local / ATACAMA / "pisco_campaigns.csv"
    good = campaigns.read_bytes()
    campaigns.write_bytes(b"".join(line for line in good.splitlines(True) if not line.startswith(b"PIS-21-04")))
    before = files(local)
    button(b, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    assert not b.exception and files(local) == before
    assert "problema(s)" in b.error[0].value and "campaign_id: «PIS-21-04» no existe" in b.code[0].value
    assert yours(b)["Después"].tolist() == ["Título de B", "PIS-21-04"]
    campaigns.write_bytes(good)
    b.run(timeout=60)
    button(b, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    assert b.success[0].value.startswith("Guardado")
    assert (saved_row(local, "ATA-21-01").title, saved_row(local, "ATA-21-02").notes) == ("Título de B", "nota de A")


def test_a_restore_refused_because_the_tab_is_out_of_date_keeps_its_pending_edits(local):
    a = edit(editor_page(), {"edited_rows": {0: {"title": "Primera"}}})
    button(a, "Guardar cambios").click().run(timeout=60)
    b = edit(editor_page(), {"edited_rows": {4: {"notes": "de B"}}})
    edit(a, {"edited_rows": {1: {"notes": "de A"}}})
    button(a, "Guardar cambios").click().run(timeout=60)
    before = files(local)
    button(b, "Restaurar esta versión").click().run(timeout=60)
    assert files(local) == before
    assert b.error[0].value.startswith("El archivo cambió mientras tanto; no se guardó nada. Sus cambios pendientes")
    assert pending_summary(b) == "Cambios pendientes: filas cambiadas 1, agregadas 0, eliminadas 0."
    button(b, "Guardar cambios").click().run(timeout=60)  # the file moved on: B's edit goes to the conflict view
    assert yours(b)["Después"].tolist() == ["de B"]


def test_a_restore_under_pending_edits_says_so_before_and_offers_them_on_the_restored_version(local):
    original = (local / ATACAMA / "activities.csv").read_bytes()
    at = edit(editor_page(), {"edited_rows": {0: {"title": "Primera"}}})
    button(at, "Guardar cambios").click().run(timeout=60)
    edit(at, {"edited_rows": {4: {"notes": "pendiente"}}})
    assert any(c.value.startswith("Tiene cambios sin guardar en esta tabla. No se perderán") for c in at.caption)
    button(at, "Restaurar esta versión").click().run(timeout=60)
    assert (local / ATACAMA / "activities.csv").read_bytes() == original
    assert at.success[0].value.startswith("Guardado") and "no se perdieron" in at.success[0].value
    assert yours(at)["Después"].tolist() == ["pendiente"]
    button(at, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    assert saved_row(local, "ATA-21-05").notes == "pendiente"
    assert saved_row(local, "ATA-21-01").title == editing.parse_version(
        ATACAMA, ACTIVITIES, "x", original).by_key()[("ATA-21-01",)].value.title


def test_an_upload_under_pending_edits_keeps_them_refused_or_saved(local):
    version = editing.load(local, ATACAMA, ACTIVITIES)
    frame = editor_display.download_frame(version)
    frame.loc[frame["id"] == "ATA-21-02", "title"] = "Título subido"
    raw = table_csv(frame, spanish_excel=False)
    at = upload(edit(editor_page(), {"edited_rows": {4: {"notes": "pendiente"}}}), "a.csv", raw)
    path = local / ATACAMA / "activities.csv"
    good = path.read_bytes()
    path.write_bytes(good.replace("Shanghái".encode(), b"Shanghai"))  # the file moves on: the upload is refused
    moved = path.read_bytes()
    button(at, "Confirmar y guardar").click().run(timeout=60)
    assert path.read_bytes() == moved and "Sus cambios pendientes" in at.error[0].value
    assert pending_summary(at).startswith("Cambios pendientes: filas cambiadas 1")
    path.write_bytes(good)
    at.run(timeout=60)
    button(at, "Confirmar y guardar").click().run(timeout=60)
    assert path.read_bytes() == raw and "no se perdieron" in at.success[0].value
    assert yours(at)["Después"].tolist() == ["pendiente"]


def test_an_official_import_under_pending_edits_of_the_outcomes_keeps_them(local):
    from plan.bench.dus import dus_month
    from tests.test_official_import import zipped

    at = editor_page()
    at.selectbox(key="edit_table").set_value("outcomes").run(timeout=60)
    edit(at, {"edited_rows": {0: {"source": "revisado a mano"}}})
    uploader = next(u for u in at.file_uploader if u.key == f"official-files-{ATACAMA}-aduanas")
    raw = zipped("marzo.txt", dus_month(2020, 3, 200, seed=5).raw)
    uploader.set_value([("marzo.zip", raw, "application/zip")]).run(timeout=60)
    assert any("No se perderán" in c.value for c in at.caption)
    button(at, "Guardar las cifras importadas").click().run(timeout=60)
    assert at.success[0].value.startswith("Guardado") and "no se perdieron" in at.success[0].value
    assert yours(at)["Después"].tolist() == ["revisado a mano"]
    button(at, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    rows = editing.load(local, ATACAMA, OUTCOMES).rows
    assert any(r.value.source == "revisado a mano" for r in rows) and any(
        (r.value.source or "").startswith("Aduanas") for r in rows)


def test_pending_edits_stay_with_their_plan_and_table_while_the_session_lasts(local):
    at = edit(editor_page(), {"edited_rows": {0: {"title": "Pendiente"}}})
    at.selectbox(key="edit_table").set_value("pisco_campaigns").run(timeout=60)
    assert "Cambios sin guardar en: ProChile Atacama 2021 · Actividades." in at.info[0].value
    at.selectbox(key="edit_table").set_value("activities").run(timeout=60)
    assert at.data_editor[0].value["title"].iloc[0] == "Pendiente"
    at.selectbox(key="edit_plan").set_value("alianza-pacifico-2020").run(timeout=60)
    at.switch_page("pages/overview.py").run(timeout=60)
    at.switch_page(EDITOR).run(timeout=60)
    at.selectbox(key="edit_plan").set_value(ATACAMA).run(timeout=60)
    at.selectbox(key="edit_table").set_value("activities").run(timeout=60)
    assert pending_summary(at) == "Cambios pendientes: filas cambiadas 1, agregadas 0, eliminadas 0."
    edit(at, {"edited_rows": {1: {"notes": "y otra"}}})
    assert pending_summary(at) == "Cambios pendientes: filas cambiadas 2, agregadas 0, eliminadas 0."
    button(at, "Guardar cambios").click().run(timeout=60)
    assert (saved_row(local, "ATA-21-01").title, saved_row(local, "ATA-21-02").notes) == ("Pendiente", "y otra")


def reload_guard(at) -> bool:
    """Whether the page asks the browser to confirm leaving (reload, close) because edits are pending."""
    bodies = [h.value for h in at.html if "beforeunload" in h.value]
    assert len(bodies) == 1
    return "planEditsPending = true" in bodies[0]


def test_a_reload_would_lose_pending_edits_so_the_page_says_so_and_the_browser_asks_first(local):
    at = editor_page()
    assert not reload_guard(at)
    edit(at, {"edited_rows": {0: {"title": "Pendiente"}}})
    assert reload_guard(at)
    assert any("Al recargarla o cerrarla se pierden" in c.value for c in at.caption)
    button(at, "Guardar cambios").click().run(timeout=60)
    assert not reload_guard(at)


def two_tabs_on_the_same_cells(folder):
    """A changes two titles and saves; B, on the version before, changes the same two titles, a note A
    changed to the same value, and a note of its own."""
    a, b = editor_page(), editor_page()
    edit(b, {"edited_rows": {0: {"title": "Título de B"}, 1: {"title": "Otro de B", "notes": "igual"},
                             2: {"notes": "nota de B"}}})
    edit(a, {"edited_rows": {0: {"title": "Título de A"}, 1: {"title": "Otro de A", "notes": "igual"}}})
    button(a, "Guardar cambios").click().run(timeout=60)
    button(b, "Guardar cambios").click().run(timeout=60)
    return b


@pytest.mark.parametrize(("choice", "titles"), [("Conservar el del archivo", ("Título de A", "Otro de B")),
                                                ("Conservar el mío", ("Título de B", "Otro de B"))])
def test_two_tabs_changing_the_same_cell_are_told_and_choose_per_cell(local, choice, titles):
    b = two_tabs_on_the_same_cells(local)
    collisions = table_with(b, "Valor en el archivo")
    assert collisions.values.tolist() == [["ATA-21-01", "Título", "Título de A", "Título de B"],
                                          ["ATA-21-02", "Título", "Otro de A", "Otro de B"]]
    assert button(b, "Aplicar mis cambios sobre la versión actual").disabled  # nothing overwritten unasked
    radios = {r.label: r for r in b.radio if r.key.startswith("collision-")}
    assert list(radios) == ["ATA-21-01 · Título", "ATA-21-02 · Título"] and radios["ATA-21-01 · Título"].value is None
    assert radios["ATA-21-01 · Título"].options == ["Conservar el del archivo", "Conservar el mío"]
    radios["ATA-21-01 · Título"].set_value("theirs" if choice == "Conservar el del archivo" else "mine")
    radios["ATA-21-02 · Título"].set_value("mine").run(timeout=60)
    assert not button(b, "Aplicar mis cambios sobre la versión actual").disabled
    button(b, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    assert (saved_row(local, "ATA-21-01").title, saved_row(local, "ATA-21-02").title) == titles
    assert (saved_row(local, "ATA-21-02").notes, saved_row(local, "ATA-21-03").notes) == ("igual", "nota de B")


@pytest.mark.parametrize(("label", "titles"), [("Conservar todos los del archivo", ("Título de A", "Otro de A")),
                                               ("Conservar todos los míos", ("Título de B", "Otro de B"))])
def test_two_tabs_changing_the_same_cells_choose_for_all_at_once(local, label, titles):
    b = two_tabs_on_the_same_cells(local)
    button(b, label).click().run(timeout=60)
    button(b, "Aplicar mis cambios sobre la versión actual").click().run(timeout=60)
    assert (saved_row(local, "ATA-21-01").title, saved_row(local, "ATA-21-02").title) == titles
    assert saved_row(local, "ATA-21-03").notes == "nota de B"


def test_an_editor_adds_a_participant_and_it_is_saved_to_participants_csv(local):
    at = editor_page()
    at.selectbox(key="edit_table").set_value("participants").run(timeout=60)
    assert not at.exception
    before = len(at.data_editor[0].value)
    edit(at, {"added_rows": [{"activity_id": "ATA-21-07", "exporter_id": "76543210-K", "name": "Olivos del Huasco"}]})
    button(at, "Guardar cambios").click().run(timeout=60)
    assert not at.exception and at.success[0].value.startswith("Guardado data/prochile-atacama-2021/participants.csv")
    rows = editing.load(local, ATACAMA, PARTICIPANTS).rows
    assert len(rows) == before + 1
    assert ("ATA-21-07", "76543210-K") in {(row.value.activity_id, row.value.exporter_id) for row in rows}
