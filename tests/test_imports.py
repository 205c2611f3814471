"""The one import flow of official statistics (plan.edit.imports), as a library: its sources, the preview the
command and the editor both show, the save, and the usage errors. The files, the sums and the preview's words
are tested in tests/test_official_import.py and the bad-input catalog."""

import io
import zipfile
from pathlib import Path

import duckdb
import pytest

from plan import cli
from plan.bench.dus import dus_month
from plan.data.history import History
from plan.data.store import FolderStore
from plan.edit import editing, imports
from plan.edit.official import Figures
from plan.model.i18n import LANGS, MESSAGES, t
from plan.model.issues import UsageError
from plan.model.models import FIRM_EXPORTS, OUTCOMES
from plan.model.official_sources import OFFICIAL_SOURCES, SOURCE_PATTERN, source_text
from plan.model.regions import Region
from tests.test_page_editor import ATACAMA, editor_page

ALLIANCE = "alianza-pacifico-2020"


def zipped(name: str, raw: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, raw)
    return buffer.getvalue()


def test_the_registry_lists_each_official_source_once_with_what_the_command_and_the_editor_need():
    assert list(imports.SOURCES) == ["aduanas", "comtrade"]
    assert set(imports.SOURCES) == set(OFFICIAL_SOURCES.values())  # the names rows carry, in the model
    assert [key for key, source in imports.SOURCES.items() if source.needs_region] == ["aduanas"]
    for key, source in imports.SOURCES.items():
        assert source.key == key and source.summary and source.about and source.file_types
        assert all(source.label(lang) for lang in LANGS), key
        assert f"official_note_{key}" in MESSAGES, key  # what the dashboard says of the figures it imported
    assert imports.SOURCES["comtrade"].label("en") == "UN Comtrade"
    assert imports.SOURCES["aduanas"].label("en") == "Customs (DUS)"
    # The command offers each source of the registry, and --region only to the one that needs it.
    commands = next(a for a in cli.build_parser()._subparsers._group_actions if a.dest == "command")
    sources = next(a for a in commands.choices["import"]._subparsers._group_actions if a.dest == "source")
    assert list(sources.choices) == list(imports.SOURCES)
    assert {key: any("--region" in action.option_strings for action in parser._actions)
            for key, parser in sources.choices.items()} == {"aduanas": True, "comtrade": False}


def test_an_imported_periods_source_is_written_and_read_back_by_one_format():
    # What the import writes in a row's `source`, and what the dashboard's query reads back from it (DuckDB).
    written = [Figures(name).source(period) for name in OFFICIAL_SOURCES for period in ((2020, 3, None),
                                                                                       (2021, None, "CHL"))]
    assert written == ["Aduanas DUS 2020-03", "Aduanas DUS 2021", "UN Comtrade 2020-03", "UN Comtrade 2021"]
    assert written == [source_text(name, year, month) for name in OFFICIAL_SOURCES
                       for year, month in ((2020, 3), (2021, None))]
    with duckdb.connect() as con:
        read = con.execute("SELECT s, regexp_extract(s, $pattern, ['name', 'year', 'month']) FROM unnest($sources) "
                           "AS t(s)", {"pattern": SOURCE_PATTERN,
                                       "sources": [*written, "a mano", "Informe anual"]}).fetchall()
    assert [(text, found["name"], found["year"], found["month"]) for text, found in read] == [
        ("Aduanas DUS 2020-03", "Aduanas DUS", "2020", "03"), ("Aduanas DUS 2021", "Aduanas DUS", "2021", ""),
        ("UN Comtrade 2020-03", "UN Comtrade", "2020", "03"), ("UN Comtrade 2021", "UN Comtrade", "2021", ""),
        ("a mano", "", "", ""), ("Informe anual", "", "", "")]


def test_the_command_and_the_editor_show_the_same_preview_lines(app_env, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("PLAN_LOCAL_EDIT", "1")
    raw = zipped("marzo.txt", dus_month(2020, 3, 300, seed=5, truncated=1).raw)
    path = tmp_path / "marzo.zip"
    path.write_bytes(raw)
    figures = imports.SOURCES["aduanas"].read([path], Region("3"), 10**9)
    library = imports.preview(app_env, ATACAMA, figures).lines("es")
    assert any(line.startswith("Aduanas DUS 2020-03:") for line in library)

    assert cli.main(["import", "aduanas", str(path), "--plan", str(app_env / ATACAMA)]) == 0
    command = capsys.readouterr().out.splitlines()
    assert command == [*library, t("import_dry_run", "es")]

    at = editor_page()
    uploader = next(u for u in at.file_uploader if u.key == f"official-files-{ATACAMA}-aduanas")
    uploader.set_value([("marzo.zip", raw, "application/zip")]).run(timeout=60)
    assert not at.exception
    shown = next(text.value for text in at.text if text.value.startswith("Archivos leídos"))
    assert shown.splitlines() == library


def test_a_save_is_an_official_version_and_a_moved_file_is_a_conflict_that_writes_nothing(sample_dir, tmp_path):
    path = tmp_path / "marzo.txt"
    path.write_bytes(dus_month(2020, 3, 200, seed=2).raw)
    store = FolderStore(sample_dir)
    firm_file = (sample_dir / ATACAMA / "firm_exports.csv").read_bytes()
    figures = imports.SOURCES["aduanas"].read([path], imports.region_to_import(sample_dir, ATACAMA, None), 10**9)
    draft = imports.preview(sample_dir, ATACAMA, figures).draft()
    assert [file.table for file in draft.files] == [OUTCOMES, FIRM_EXPORTS]
    assert all(file.counts["added"] > 0 for file in draft.files)

    outcomes = editing.load(sample_dir, ATACAMA, OUTCOMES)  # someone saves an edit meanwhile
    typed = {"metric": "meetings_held", "year": 2020, "month": 3, "market": "CHN", "value": 12, "source": "a mano"}
    moved = editing.apply(outcomes, editing.Changes(added=[typed])).raw
    assert isinstance(editing.save(sample_dir, store, ATACAMA, OUTCOMES, moved, outcomes.sha, "Ana"), editing.Saved)
    conflict = imports.save(sample_dir, store, draft, "Luis")
    assert isinstance(conflict, editing.Conflict)
    assert (sample_dir / ATACAMA / "outcomes.csv").read_bytes() == moved
    assert (sample_dir / ATACAMA / "firm_exports.csv").read_bytes() == firm_file  # neither file: one save for both

    draft = imports.preview(sample_dir, ATACAMA, figures).draft()  # previewed again on the files as they are now
    saved = imports.save(sample_dir, store, draft, "Luis")
    assert isinstance(saved, editing.Saved)
    history = History(sample_dir / ".history")
    for file in draft.files:
        assert [(v.kind, v.editor, v.counts) for v in history.versions(ATACAMA, file.table.name)][0] \
            == ("official", "Luis", file.counts)
    assert b"Aduanas DUS 2020-03" in (sample_dir / ATACAMA / "outcomes.csv").read_bytes()


def test_a_customs_import_writes_each_firms_exports_and_a_moved_firm_file_refuses_both(sample_dir, tmp_path):
    month = dus_month(2020, 3, 400, seed=4)
    path = tmp_path / "marzo.txt"
    path.write_bytes(month.raw)
    store = FolderStore(sample_dir)
    figures = imports.SOURCES["aduanas"].read([path], Region("3"), 10**9)
    draft = imports.preview(sample_dir, ATACAMA, figures).draft()
    hand = b"exporter_id,year,month,market,sector,value_usd,source\nRUT-1,2020,3,CHN,pisco,100,a mano\n"
    (sample_dir / ATACAMA / "firm_exports.csv").write_bytes(hand)  # typed meanwhile, by hand
    assert isinstance(imports.save(sample_dir, store, draft, "Luis"), editing.Conflict)
    assert b"Aduanas DUS 2020-03" not in (sample_dir / ATACAMA / "outcomes.csv").read_bytes()

    preview = imports.preview(sample_dir, ATACAMA, figures)
    assert preview.firm_merge.other_sources == 1  # the typed row for the same month is replaced, and said
    assert any("1 filas de otra fuente" in line for line in preview.lines("es"))
    assert isinstance(imports.save(sample_dir, store, preview.draft(), "Luis"), editing.Saved)
    firms = editing.load(sample_dir, ATACAMA, FIRM_EXPORTS)
    assert not firms.issues
    found = {(r.value.exporter_id, r.value.year, r.value.month, r.value.market, r.value.sector.value):
             r.value.value_usd for r in firms.rows}
    assert found == {key: value for key, value in month.firms["3"].items()}
    assert all(r.value.source == "Aduanas DUS 2020-03" for r in firms.rows)
    outcomes = editing.load(sample_dir, ATACAMA, OUTCOMES)  # the firms add up to the region's exports
    imported = sum(r.value.value for r in outcomes.rows if r.value.source == "Aduanas DUS 2020-03")
    assert sum(found.values()) == imported == sum(month.expected["3"].values())


@pytest.mark.parametrize(("given", "es", "en"), [
    ("Narnia", "«Narnia» no es una región de Chile", "'Narnia' is not a Chilean region"),
    (None, "agregue la columna region_code a plan.csv", "add the region_code column to plan.csv"),
])
def test_a_usage_error_names_the_value_in_each_language(sample_dir, given, es, en):
    with pytest.raises(UsageError) as raised:
        imports.region_to_import(sample_dir, ALLIANCE, given)  # the Alliance's plan.csv names no region
    assert es in raised.value.messages("es")[0] and en in raised.value.messages("en")[0]


def test_a_folder_without_plan_csv_is_a_usage_error_naming_it(sample_dir):
    with pytest.raises(UsageError) as raised:
        imports.check_plan(*imports.plan_folder(sample_dir), sample_dir)
    assert raised.value.messages("en") == [f"{sample_dir} is not a plan folder (it has no plan.csv)"]
    assert imports.plan_folder(sample_dir / ATACAMA) == (sample_dir.resolve(), ATACAMA)
    imports.check_plan(sample_dir, ATACAMA, sample_dir / ATACAMA)


def test_a_plan_is_named_by_its_folder_or_by_its_id_in_the_data_folder(sample_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert imports.plan_folder(Path(ATACAMA), sample_dir) == (sample_dir, ATACAMA)  # an id: in the data folder
    assert imports.plan_folder(Path("data") / ATACAMA, sample_dir / "x") == (sample_dir.resolve(), ATACAMA)
    monkeypatch.chdir(sample_dir)  # a folder of that name here is the one meant, as before
    assert imports.plan_folder(Path(ATACAMA), tmp_path / "copy") == (sample_dir.resolve(), ATACAMA)


def test_the_region_to_import_is_the_one_given_else_the_plans(sample_dir):
    assert imports.region_to_import(sample_dir, ATACAMA, None) is Region("3")
    assert imports.region_to_import(sample_dir, ATACAMA, "XIII") is Region("13")
    assert imports.own_region(sample_dir, ATACAMA) is Region("3") and imports.own_region(sample_dir, ALLIANCE) is None
