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
from plan.model.models import ACTIVITIES, OUTCOMES
from plan.ui import access
from tests.apptest import open_page

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
    assert done_activities(at) == ["19", "13"]
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
    assert done_activities(at) == ["20", "14"]


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
    assert next(m for m in at.multiselect if m.label == "Mercado").disabled  # filters wait for save/discard
    button(at, "Guardar cambios").click().run(timeout=60)
    after = (local / ATACAMA / "outcomes.csv").read_text().splitlines()
    assert len(after) == len(before) and sum(a != b for a, b in zip(before, after, strict=True)) == 1


def test_a_csv_broken_on_disk_keeps_the_last_good_data_with_a_banner(local):
    at = open_page()
    assert done_activities(at) == ["19", "13"]
    path = local / ATACAMA / "activities.csv"
    path.write_text(path.read_text().replace(",done,", ",hecho a medias,", 1))
    at.run(timeout=60)
    assert "últimos datos válidos" in at.error[0].value and "activities.csv:2:status" in at.code[0].value
    assert [m.value for m in at.metric if m.label == "Actividades realizadas"] == ["19", "13"]


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
    assert done_activities(at) == ["19", "13"]
