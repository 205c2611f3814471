"""Official export statistics into a plan: customs' DUS files and UN Comtrade, read, summed, previewed, saved.

The DUS files are synthetic (`plan.bench.dus`), written from the published field list with what real files
carry; the sums they must give are computed by the generator, not by the importer. The bad files are in the
bad-input catalog (tests/test_bad_input.py).
"""

import io
import subprocess
import sys
import tracemalloc
import zipfile
from decimal import Decimal
from pathlib import Path

import pycountry
import pytest

from plan import cli, outlook
from plan.bench.dus import DESTINATIONS, FIELDS, REGION, TARIFFS, dus_month
from plan.bench.importing import plan_at_size
from plan.data import database
from plan.data.history import History
from plan.data.store import FolderStore
from plan.edit import aduanas, editing, official
from plan.edit.comtrade import read_comtrade
from plan.model.code_tables import read_code_table
from plan.model.countries import country_name
from plan.model.i18n import format_usd
from plan.model.models import OUTCOMES, Sector
from plan.model.official_sources import ADUANAS
from plan.model.regions import REGIONS_CSV, Region
from plan.view import report
from plan.view.filters import Filters
from tests.apptest import figures_by_title, open_page
from tests.test_page_editor import ATACAMA, button, editor_page

REPO = Path(__file__).resolve().parent.parent
ALLIANCE = "alianza-pacifico-2020"
CENTS = Decimal("0.01")


def year_of_files(folder: Path, year: int = 2020, lines: int = 400, seed: int = 0) -> tuple[list[Path], dict]:
    """Twelve monthly DUS files (January to June zipped, as some months are published) and the sums the
    Atacama plan (region 3) must get from them: (year, month, ISO-3, sector) -> US$."""
    folder.mkdir(parents=True, exist_ok=True)
    paths, expected = [], {}
    for month in range(1, 13):
        generated = dus_month(year, month, lines, seed=seed, truncated=2, unknown_destinations=1)
        expected |= generated.expected["3"]
        name = f"EXPORTACIONES_{year}_{month:02d}.txt"
        if month <= 6:
            path = folder / f"{name}.zip"
            with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
                archive.writestr(name, generated.raw)
        else:
            path = folder / name
            path.write_bytes(generated.raw)
        paths.append(path)
    return paths, {key: value.quantize(CENTS) for key, value in expected.items()}


def imported_rows(data: Path, plan_id: str = ATACAMA, prefix: str = ADUANAS) -> dict:
    version = editing.load(data, plan_id, OUTCOMES)
    return {(r.value.year, r.value.month, r.value.market, r.value.sector.value): r.value.value
            for r in version.rows if (r.value.source or "").startswith(prefix)}


def run_import(data: Path, *files: Path, plan_id: str = ATACAMA, source: str = "aduanas", save: bool = True,
               lang: str = "es") -> int:
    args = ["import", source, *map(str, files), "--plan", str(data / plan_id), "--lang", lang]
    return cli.main(args + (["--yes"] if save else []))


# ----------------------------------------------------------------------------- reading


def test_the_importer_finds_the_sums_the_generator_wrote_for_each_region(tmp_path):
    generated = dus_month(2020, 3, 3000, seed=4, truncated=5, unknown_destinations=4)
    path = tmp_path / "dus.txt"
    path.write_bytes(generated.raw)
    for code in ("3", "2", "13"):
        figures = aduanas.read_dus([path], Region(code), 10**9)
        found = {(p[0], p[1], market, sector.value): value for (p, market, sector), value in figures.values.items()}
        assert found == dict(generated.expected[code]), code
        truncated = sum(count for reason, count in figures.skipped.items() if reason.startswith("truncated"))
        assert figures.lines_read == 3000 and truncated == len(generated.truncated) == 5
        unknown = figures.unknown.get(("country", "777"), [0, Decimal(0)])[1]
        assert unknown == Decimal(generated.unknown_destination_cents[code]) / 100


def test_lines_are_split_on_lf_only_and_the_declaration_total_is_never_summed(tmp_path):
    generated = dus_month(2020, 5, 200, seed=1)
    assert b"\r" in generated.raw and b"\t" in generated.raw  # inside fields, as published files have them
    path = tmp_path / "dus.txt"
    path.write_bytes(generated.raw)
    figures = aduanas.read_dus([path], Region("3"), 10**9)
    assert sum(figures.values.values()) == sum(generated.expected["3"].values())
    assert figures.lines_read == 200 and figures.lines_kept + figures.skipped["other_region"] == 200


def test_a_crlf_file_and_padded_codes_read_the_same(tmp_path):
    generated = dus_month(2020, 7, 300, seed=2)
    crlf = tmp_path / "crlf.txt"
    crlf.write_bytes(generated.raw.replace(b"\n", b"\r\n"))
    figures = aduanas.read_dus([crlf], Region("3"), 10**9)
    assert {(p[0], p[1], m, s.value): v for (p, m, s), v in figures.values.items()} == dict(generated.expected["3"])


def peak_memory_reading(path: Path) -> int:
    tracemalloc.start()
    aduanas.read_dus([path], Region("3"), 10**9)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def test_a_file_is_streamed_in_memory_that_does_not_grow_with_its_size(tmp_path):
    small, large = tmp_path / "small.txt", tmp_path / "large.txt"
    small.write_bytes(dus_month(2020, 3, 5_000, seed=3).raw)
    large.write_bytes(dus_month(2020, 3, 40_000, seed=3).raw)  # 8 times the lines, about 25 MB
    peaks = peak_memory_reading(small), peak_memory_reading(large)
    assert peaks[1] < 1.5 * peaks[0] and peaks[1] < large.stat().st_size / 4, peaks


# ----------------------------------------------------------------------------- the code tables


def test_the_dus_layout_table_has_84_fields_and_the_importer_reads_the_documented_positions():
    rows = read_code_table(aduanas.CODES / "dus_fields.csv")
    assert [int(row["position"]) for row in rows] == list(range(1, FIELDS + 1))
    roles = {row["role"]: (int(row["position"]), row["name"]) for row in rows if row["role"]}
    assert roles == {"date": (1, "FECHAACEPT"), "declaration": (2, "NUMEROIDENT"), "customs_office": (3, "ADUANA"),
                     "exporter": (6, "NRO_EXPORTADOR"), "exporter_share": (7, "PORCENTAJEEXPPPAL"),
                     "second_exporter": (10, "NRO_EXPORTADOR_SEC"), "region": (15, "REGIONORIGEN"),
                     "destination": (20, "PAISDESTINO"),
                     "last_field_of_truncated_lines": (63, "NOMBRE"), "tariff_code": (70, "CODIGOARANCEL"),
                     "fob_usd": (74, "FOBUS")}
    assert dict(zip((r["position"] for r in rows), (r["name"] for r in rows), strict=True))["47"] == "TOTALVALORFOB"


def test_every_customs_country_code_maps_to_one_iso3_code_or_to_unassigned():
    rows = read_code_table(official.CODES / "aduanas_countries.csv")
    codes = [int(row["code"]) for row in rows]
    assert len(codes) == len(set(codes)) >= 240
    table = official.aduanas_countries()
    assert {table[code] for code in (225, 336, 331, 510, 997)} == {"USA", "CHN", "JPN", "GBR", "CHL"}
    for code, iso3 in table.items():
        assert iso3 == "XXX" or pycountry.countries.get(alpha_3=iso3) is not None, code
        if code >= 900 and code != 997:  # 997 is Chile itself
            assert iso3 == "XXX", code  # 9xx: free zones, ship stores, not specified...
    countries = [iso3 for iso3 in table.values() if iso3 != "XXX"]
    assert len(countries) == len(set(countries))  # one code per country
    for code, (iso3, _name) in DESTINATIONS.items():  # the generator's independent reading of the codes
        assert table[code] == iso3


def test_tariff_codes_go_to_the_longest_matching_prefix_and_the_rest_to_other():
    for tariff, sector in TARIFFS.items():
        assert official.sector_of(tariff) is Sector(sector), tariff
    assert official.sector_of("22082010") is Sector.PISCO  # 220820 over 22 (beverages)
    assert official.sector_of("22030000") is Sector.BEVERAGES  # beer: chapter 22
    assert official.sector_of("84295200") is Sector.OTHER
    rows = read_code_table(official.CODES / "hs_sectors.csv")
    prefixes = [row["hs_prefix"] for row in rows]
    assert len(prefixes) == len(set(prefixes)) and all(p.isdigit() and len(p) in (2, 4, 6) for p in prefixes)
    assert all(Sector(row["sector"]) for row in rows)


def test_the_region_table_numbers_chiles_16_regions_and_every_spelling_finds_atacama():
    rows = read_code_table(REGIONS_CSV)
    assert [row["code"] for row in rows] == [str(n) for n in range(1, 17)]
    assert len({row["iso_3166_2"] for row in rows}) == 16
    spellings = ("3", "03", "III", "Atacama", "Región de Atacama", "CL-AT")
    assert all(Region.lookup(text) is Region("3") for text in spellings)


def test_every_code_table_says_where_it_comes_from():
    for path in (REGIONS_CSV, *sorted(official.CODES.glob("*.csv"))):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# "), path


# ----------------------------------------------------------------------------- into a plan


def test_an_atacama_plan_gets_a_year_of_exports_by_month_market_and_sector_with_one_command(tmp_path, app_env):
    paths, expected = year_of_files(tmp_path / "dus")
    database.build(app_env, tmp_path / "plan.duckdb", derive=outlook.derive)
    done = subprocess.run([sys.executable, "-m", "plan", "import", "aduanas", *map(str, paths), "--plan",
                           str(app_env / ATACAMA), "--yes"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Guardado: data/prochile-atacama-2021/outcomes.csv" in done.stdout
    assert "Aduanas DUS 2020-12:" in done.stdout and "Omitidas por estar cortadas" in done.stdout
    rows = imported_rows(app_env)
    assert rows == expected
    assert {month for _year, month, _m, _s in rows} == set(range(1, 13))
    assert [v.kind for v in History(app_env / ".history").versions(ATACAMA, "outcomes")] == ["official"]

    at = open_page("pages/outcomes.py")
    by_year = figures_by_title(at)["Exportaciones por año y crecimiento anual"]
    atacama = next(trace for trace in by_year["data"] if trace["name"] == "ProChile Atacama 2021")
    year_2020 = dict(zip(atacama["x"], atacama["y"], strict=True))["2020"]
    assert year_2020 == pytest.approx(float(sum(expected.values())), rel=1e-9)
    notes = [caption.value for caption in at.caption]
    assert any("Exportaciones de 2020-01 a 2020-12 importadas de las declaraciones de exportación (DUS)" in note
               and "preliminares" in note for note in notes), notes


def test_importing_the_same_files_twice_changes_nothing(sample_dir, tmp_path, capsys):
    paths, _expected = year_of_files(tmp_path / "dus", lines=150)
    assert run_import(sample_dir, *paths) == 0
    before = {p: p.read_bytes() for p in sorted(sample_dir.rglob("*")) if p.is_file()}
    capsys.readouterr()
    assert run_import(sample_dir, *paths) == 0
    assert "Nada que cambiar" in capsys.readouterr().out
    assert {p: p.read_bytes() for p in sorted(sample_dir.rglob("*")) if p.is_file()} == before


def test_a_dry_run_writes_nothing(sample_dir, tmp_path, capsys):
    paths, _expected = year_of_files(tmp_path / "dus", lines=100)
    before = {p: p.read_bytes() for p in sorted(sample_dir.rglob("*")) if p.is_file()}
    assert run_import(sample_dir, *paths[:2], save=False, lang="en") == 0
    out = capsys.readouterr().out
    assert "Nothing was written. To save, run the command again with --yes." in out and "24 added" not in out
    assert {p: p.read_bytes() for p in sorted(sample_dir.rglob("*")) if p.is_file()} == before


def test_reimporting_a_month_after_hand_edits_leaves_exactly_the_expected_rows(sample_dir, tmp_path):
    paths, expected = year_of_files(tmp_path / "dus", lines=200)
    assert run_import(sample_dir, *paths) == 0
    version = editing.load(sample_dir, ATACAMA, OUTCOMES)
    march_key = next(key for key, row in version.by_key().items() if row.value.source == "Aduanas DUS 2020-03")
    typed = {"metric": "meetings_held", "year": 2020, "month": 3, "market": "CHN", "value": 12, "source": "a mano"}
    draft = editing.apply(version, editing.Changes(changed={march_key: {"value": Decimal("1.00")}}, added=[typed]))
    saved = editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, OUTCOMES, draft.raw, version.sha, "Ana")
    assert isinstance(saved, editing.Saved)
    other_lines = [line for line in (sample_dir / ATACAMA / "outcomes.csv").read_text().splitlines()
                   if "Aduanas DUS 2020-03" not in line]

    assert run_import(sample_dir, paths[2]) == 0  # March again
    assert imported_rows(sample_dir) == expected  # the hand-edited figure is customs' again
    after = editing.load(sample_dir, ATACAMA, OUTCOMES)
    assert after.by_key()[("meetings_held", 2020, 3, "CHN", None, None, None)].value.source == "a mano"
    lines = (sample_dir / ATACAMA / "outcomes.csv").read_text().splitlines()
    assert [line for line in lines if "Aduanas DUS 2020-03" not in line] == other_lines  # byte for byte


def test_a_corrected_month_replaces_exactly_that_months_rows(sample_dir, tmp_path):
    paths, expected = year_of_files(tmp_path / "dus", lines=200)
    assert run_import(sample_dir, *paths) == 0
    corrected = dus_month(2020, 4, 250, seed=9)
    path = tmp_path / "abril-corregido.txt"
    path.write_bytes(corrected.raw)
    assert run_import(sample_dir, path) == 0
    rows = imported_rows(sample_dir)
    assert {k: v for k, v in rows.items() if k[1] != 4} == {k: v for k, v in expected.items() if k[1] != 4}
    assert {k: v for k, v in rows.items() if k[1] == 4} == {k: v.quantize(CENTS) for k, v in
                                                          corrected.expected["3"].items()}


def test_typed_exports_of_an_imported_year_are_replaced_and_said(sample_dir, tmp_path, capsys):
    version = editing.load(sample_dir, ATACAMA, OUTCOMES)
    typed_2020 = [row for row in version.rows if row.value.metric == "exports_usd" and row.value.year == 2020]
    assert typed_2020  # the sample's illustrative 2020 exports, a whole year each
    paths, _expected = year_of_files(tmp_path / "dus", lines=100)
    assert run_import(sample_dir, paths[0], save=False) == 0
    out = capsys.readouterr().out
    assert f"Reemplaza {len(typed_2020)} filas de exportaciones" in out

    def sources(year: int) -> list[str]:
        return [r.value.source for r in editing.load(sample_dir, ATACAMA, OUTCOMES).rows
                if r.value.metric == "exports_usd" and r.value.year == year]

    typed_2019 = sources(2019)
    assert run_import(sample_dir, paths[0]) == 0
    assert set(sources(2020)) == {"Aduanas DUS 2020-01"} and sources(2019) == typed_2019


def test_comtrade_exports_go_in_by_reporter_as_origin_country(sample_dir, tmp_path, capsys):
    csv_text = ("refYear,refMonth,reporterISO,partnerISO,cmdCode,flowCode,primaryValue\n"
                "2020,52,CHL,GBR,0806,X,1500000.50\n2020,52,COL,GBR,0901,X,2500000\n"
                "2020,52,PER,GBR,0806,X,700000\n2020,52,MEX,GBR,ZZ,X,300000\n2020,52,MEX,W00,TOTAL,X,300000\n")
    path = tmp_path / "comtrade.csv"
    path.write_text(csv_text)
    figures = read_comtrade([path], 10**9)
    assert figures.lines_kept == 4 and figures.skipped["world_total"] == 1
    assert run_import(sample_dir, path, plan_id=ALLIANCE, source="comtrade") == 0
    rows = {(r.value.origin_country, r.value.market, r.value.sector.value, r.value.month): r.value.value
            for r in editing.load(sample_dir, ALLIANCE, OUTCOMES).rows if r.value.source == "UN Comtrade 2020"}
    assert rows == {("CHL", "GBR", "fresh_fruit", None): Decimal("1500000.50"),
                    ("COL", "GBR", "specialty_coffee", None): Decimal("2500000.00"),
                    ("PER", "GBR", "fresh_fruit", None): Decimal("700000.00"),
                    ("MEX", "GBR", "other", None): Decimal("300000.00")}


def test_a_plan_without_a_region_asks_for_one(sample_dir, tmp_path, capsys):
    paths, _expected = year_of_files(tmp_path / "dus", lines=50)
    assert run_import(sample_dir, paths[0], plan_id=ALLIANCE) == 2
    assert "agregue la columna region_code a plan.csv" in capsys.readouterr().err
    assert cli.main(["import", "aduanas", str(paths[0]), "--plan", str(sample_dir / ALLIANCE), "--region",
                     "Narnia", "--lang", "en"]) == 2
    assert "'Narnia' is not a Chilean region" in capsys.readouterr().err


# ----------------------------------------------------------------------------- in the dashboard


def test_the_editor_imports_official_statistics_with_the_same_preview(app_env, monkeypatch, tmp_path):
    monkeypatch.setenv("PLAN_LOCAL_EDIT", "1")
    generated = dus_month(2020, 3, 500, seed=5, truncated=1)
    at = editor_page()
    assert at.radio(key=f"official-source-{ATACAMA}").value == "aduanas"
    assert at.selectbox(key=f"official-region-{ATACAMA}").value is Region("3")  # from plan.csv
    uploader = next(u for u in at.file_uploader if u.key == f"official-files-{ATACAMA}-aduanas")
    uploader.set_value([("marzo.zip", zipped("marzo.txt", generated.raw), "application/zip")]).run(timeout=60)
    assert not at.exception
    preview = next(text.value for text in at.text if "Archivos leídos: marzo.zip/marzo.txt" in text.value)
    assert "Aduanas DUS 2020-03:" in preview and "Omitidas por estar cortadas" in preview
    button(at, "Guardar las cifras importadas").click().run(timeout=60)
    assert not at.exception and at.success[0].value.startswith("Guardado")
    assert imported_rows(app_env) == {k: v.quantize(CENTS) for k, v in generated.expected["3"].items()}
    assert [v.kind for v in History(app_env / ".history").versions(ATACAMA, "outcomes")] == ["official"]


def zipped(name: str, raw: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, raw)
    return buffer.getvalue()


def test_markets_and_the_report_say_where_imported_exports_come_from(app_env, tmp_path):
    paths, _expected = year_of_files(tmp_path / "dus", lines=100)
    assert run_import(app_env, *paths[:3]) == 0
    at = open_page("pages/markets.py")
    at.radio(key="markets-metric").set_value("exports_usd").run(timeout=60)
    assert any("Exportaciones de 2020-01 a 2020-03 importadas" in caption.value for caption in at.caption)
    with database.reader(database.ensure(app_env, tmp_path / "r.duckdb", derive=outlook.derive).db_path) as con:
        html = report.render(con, Filters(plan_ids=(ATACAMA,)), "en")
    assert "Exports from 2020-01 to 2020-03 imported from the export declarations (DUS)" in html
    assert "Exports by sector, 2021" in html


def test_an_import_into_a_large_plan_holds_the_file_not_its_rows(tmp_path):
    # outcomes.csv can hold millions of rows (200 MB): as models they took 2 KB a row (6.3 GB for 1.6 million).
    # Now the import holds the file's bytes and text, the new file, and as models only the rows of the years
    # it replaces; DuckDB checks the rest (its memory is its own, bounded by plan.data.loader.SCRATCH_MEMORY).
    data = tmp_path / "data"
    outcomes = plan_at_size(data, 5_000_000)  # 78,000 rows, none of 2020
    before = outcomes.read_bytes()
    generated = dus_month(2020, 3, 2000, seed=12)
    month = tmp_path / "marzo.txt"
    month.write_bytes(generated.raw)
    tracemalloc.start()
    try:
        assert run_import(data, month) == 0
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * len(before), peak
    assert imported_rows(data) == {k: v.quantize(CENTS) for k, v in generated.expected["3"].items()}
    kept = [line for line in before.splitlines() if not line.startswith(b"exports_usd,2020,")]  # typed 2020 rows
    assert [line for line in outcomes.read_bytes().splitlines() if b"Aduanas DUS" not in line] == kept


# ----------------------------------------------------------------------------- one import, each figure once


def disk(root: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def refused(data: Path, *files: Path, capsys, source: str = "aduanas") -> dict[str, list[str]]:
    """The issue lines of an import that must be refused, in each language; nothing on disk changes."""
    before, rendered = disk(data), {}
    for lang in ("es", "en"):
        assert run_import(data, *files, source=source, lang=lang) == 1
        captured = capsys.readouterr()
        assert captured.out == ""
        rendered[lang] = captured.err.splitlines()[:-1]  # the last line counts the errors
    assert disk(data) == before
    assert len(rendered["es"]) == len(rendered["en"]) and rendered["es"] != rendered["en"]
    return rendered


def own_region_lines(raw: bytes) -> list[bytes]:
    """Whole lines of Atacama (region 3)."""
    return [line for line in raw.split(b"\n") if len(line.split(b";")) == FIELDS
            and line.split(b";")[REGION].strip() == b"3"]


def test_a_month_given_twice_in_one_import_is_refused_naming_both_files(sample_dir, tmp_path, capsys):
    # The .txt and its .zip (or a glob matching both the .txt and the .rar) hold the same month: summed, it
    # would be doubled and saved with --yes.
    raw = dus_month(2020, 3, 300, seed=6).raw
    txt, archive = tmp_path / "EXPORTACIONES_2020_03.txt", tmp_path / "EXPORTACIONES_2020_03.zip"
    txt.write_bytes(raw)
    archive.write_bytes(zipped("EXPORTACIONES_2020_03.txt", raw))
    rendered = refused(sample_dir, txt, archive, capsys=capsys)
    assert rendered["es"] == ["EXPORTACIONES_2020_03.zip/EXPORTACIONES_2020_03.txt:1:-: tiene el mismo contenido "
                              "que EXPORTACIONES_2020_03.txt: sus cifras se sumarían dos veces; dé cada archivo una "
                              "sola vez"]
    assert "EXPORTACIONES_2020_03.txt" in rendered["en"][0].split(": ", 1)[1]
    assert refused(sample_dir, txt, txt, capsys=capsys)["es"][0].startswith("EXPORTACIONES_2020_03.txt:1:-: tiene el")


def test_a_declaration_in_two_files_of_one_import_is_refused_naming_both(sample_dir, tmp_path, capsys):
    march = dus_month(2020, 3, 200, seed=7)
    repeated = own_region_lines(march.raw)[3:5]  # two of March's declarations, also in the second file
    first, second = tmp_path / "marzo.txt", tmp_path / "marzo-corregido.txt"
    first.write_bytes(march.raw)
    second.write_bytes(dus_month(2020, 3, 100, seed=8).raw + b"\n".join(repeated) + b"\n")
    fields = repeated[0].split(b";")
    number, office = fields[1].decode(), fields[2].decode()
    rendered = refused(sample_dir, first, second, capsys=capsys)
    assert rendered["es"] == [f"marzo-corregido.txt:101:NUMEROIDENT (2): la declaración {number} (aduana {office}) "
                              "está también en marzo.txt (declaraciones de este archivo que lo están: 2); se "
                              "sumarían dos veces: dé cada declaración en un solo archivo"]
    assert "marzo.txt" in rendered["en"][0].split(": ", 1)[1] and number in rendered["en"][0]


def test_a_month_in_two_parts_is_summed_and_a_declarations_items_in_one_file_are_not_repeats(tmp_path):
    march = dus_month(2020, 3, 400, seed=9)
    lines = march.raw.split(b"\n")[:-1]
    atacama = set(own_region_lines(march.raw))
    own = [i for i, line in enumerate(lines) if line in atacama]
    # two items of one declaration: the second line takes the first one's customs office and number
    a, b = lines[own[0]].split(b";"), lines[own[1]].split(b";")
    b[1:3] = a[1:3]
    lines[own[1]] = b";".join(b)
    parts = tmp_path / "parte-1.txt", tmp_path / "parte-2.txt"
    parts[0].write_bytes(b"\n".join(lines[:200]) + b"\n")
    parts[1].write_bytes(b"\n".join(lines[200:]) + b"\n")
    figures = aduanas.read_dus(parts, Region("3"), 10**9)
    found = {(p[0], p[1], market, sector.value): value for (p, market, sector), value in figures.values.items()}
    assert found == dict(march.expected["3"])


COMTRADE_HEADER = "refYear,refMonth,reporterISO,partnerISO,cmdCode,flowCode,primaryValue\n"


def comtrade_files(folder: Path, **texts: str) -> list[Path]:
    paths = []
    for name, rows in texts.items():
        path = folder / f"{name}.csv"
        path.write_text(COMTRADE_HEADER + rows)
        paths.append(path)
    return paths


def summed(figures) -> dict:
    return {(p[0], p[1], p[2], market, None if sector is None else sector.value): value
            for (p, market, sector), value in figures.values.items()}


def test_a_comtrade_world_total_in_one_file_and_its_partners_in_another_count_once(tmp_path):
    world, partners = comtrade_files(tmp_path, world="2020,52,CHL,W00,TOTAL,X,9000000\n",
                                     partners="2020,52,CHL,CHN,TOTAL,X,5000000\n2020,52,CHL,USA,TOTAL,X,4000000\n")
    for paths in ([world, partners], [partners, world]):
        figures = read_comtrade(paths, 10**9)
        assert summed(figures) == {(2020, None, "CHL", "CHN", None): Decimal(5000000),
                                   (2020, None, "CHL", "USA", None): Decimal(4000000)}
        assert figures.skipped["world_total"] == 1 and figures.skipped_lines["world_total"] == ["world.csv:2"]


def test_comtrade_annual_rows_are_left_out_where_the_import_gives_the_months(tmp_path):
    # In one file or in two, a year given by month is not counted again by its annual row.
    annual, monthly, both = comtrade_files(
        tmp_path, annual="2020,52,CHL,CHN,TOTAL,X,5000000\n2021,52,CHL,CHN,TOTAL,X,6000000\n",
        monthly="2020,1,CHL,CHN,TOTAL,X,400000\n2020,2,CHL,CHN,TOTAL,X,450000\n",
        both="2020,52,CHL,CHN,TOTAL,X,5000000\n2020,1,CHL,CHN,TOTAL,X,400000\n2020,2,CHL,CHN,TOTAL,X,450000\n"
             "2021,,CHL,CHN,TOTAL,X,6000000\n")
    expected = {(2020, 1, "CHL", "CHN", None): Decimal(400000), (2020, 2, "CHL", "CHN", None): Decimal(450000),
                (2021, None, "CHL", "CHN", None): Decimal(6000000)}
    for paths, lines in (([annual, monthly], ["annual.csv:2"]), ([monthly, annual], ["annual.csv:2"]),
                         ([both], ["both.csv:2"])):
        figures = read_comtrade(paths, 10**9)
        assert summed(figures) == expected
        assert figures.skipped["annual_total"] == 1 and figures.skipped_lines["annual_total"] == lines


def test_a_comtrade_row_in_two_files_or_a_file_given_twice_is_refused(sample_dir, tmp_path, capsys):
    # Overlapping downloads (2019-2020, then 2020-2021) hold 2020 twice.
    older, newer = comtrade_files(tmp_path, older="2019,52,CHL,GBR,0806,X,100\n2020,52,CHL,GBR,0806,X,200\n",
                                  newer="2021,52,CHL,GBR,0806,X,300\n2020,52,CHL,GBR,0806,X,200\n")
    rendered = refused(sample_dir, older, newer, source="comtrade", capsys=capsys)
    assert rendered["es"] == ["newer.csv:3:-: la fila 2020 · CHL → GBR · 0806 está también en older.csv, línea 3 "
                              "(filas de este archivo que lo están: 1); se sumarían dos veces: dé cada período en un "
                              "solo archivo"]
    assert "older.csv" in rendered["en"][0].split(": ", 1)[1]
    assert refused(sample_dir, older, older, source="comtrade", capsys=capsys)["es"] == [
        "older.csv:1:-: tiene el mismo contenido que older.csv: sus cifras se sumarían dos veces; dé cada archivo "
        "una sola vez"]


# ----------------------------------------------------------------------------- the preview names the rows


def preview(data: Path, *files: Path, capsys, lang: str = "es") -> list[str]:
    capsys.readouterr()
    assert run_import(data, *files, save=False, lang=lang) == 0
    return capsys.readouterr().out.splitlines()


def test_the_preview_of_a_reimport_names_the_changed_row_with_its_old_and_new_value(sample_dir, tmp_path, capsys):
    paths, expected = year_of_files(tmp_path / "dus", lines=200)
    assert run_import(sample_dir, paths[2]) == 0  # March
    version = editing.load(sample_dir, ATACAMA, OUTCOMES)
    key, row = next((key, row) for key, row in version.by_key().items() if row.value.source == "Aduanas DUS 2020-03")
    draft = editing.apply(version, editing.Changes(changed={key: {"value": Decimal("1.00")}}))
    assert isinstance(editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, OUTCOMES, draft.raw, version.sha,
                                   "Ana"), editing.Saved)
    new = expected[(2020, 3, row.value.market, row.value.sector.value)]
    market, sector = row.value.market, row.value.sector
    lines = preview(sample_dir, paths[2], capsys=capsys)
    assert "Filas de resultados: 0 nuevas, 1 cambiadas, 0 eliminadas, " in "\n".join(lines)
    assert (f"Cambiada: 2020-03 · {country_name(market, 'es')} · {sector.label('es')} · Aduanas DUS 2020-03: "
            f"US$ 1,00 → {format_usd(new, 'es', decimals=2)}") in lines, lines
    english = preview(sample_dir, paths[2], capsys=capsys, lang="en")
    assert (f"Changed: 2020-03 · {country_name(market, 'en')} · {sector.label('en')} · Aduanas DUS 2020-03: "
            f"US$1.00 → {format_usd(new, 'en', decimals=2)}") in english, english


def test_the_preview_lists_rows_added_changed_and_removed_up_to_a_cap_and_counts_the_rest(sample_dir, tmp_path,
                                                                                             capsys):
    first, corrected = dus_month(2020, 4, 40, seed=10), dus_month(2020, 4, 300, seed=11)
    paths = tmp_path / "abril.txt", tmp_path / "abril-corregido.txt"
    paths[0].write_bytes(first.raw)
    paths[1].write_bytes(corrected.raw)
    assert run_import(sample_dir, paths[0]) == 0
    lines = preview(sample_dir, paths[1], capsys=capsys)
    old = {key: value.quantize(CENTS) for key, value in first.expected["3"].items()}
    new = {key: value.quantize(CENTS) for key, value in corrected.expected["3"].items()}
    changed = sorted(key for key in old.keys() & new.keys() if old[key] != new[key])
    added, removed = sorted(new.keys() - old.keys()), sorted(old.keys() - new.keys())
    assert len(changed) > official.SHOWN_ROWS and 0 < len(added) and len(removed) <= official.SHOWN_ROWS

    def label(key) -> str:
        year, month, market, sector = key
        return f"{year}-{month:02d} · {country_name(market, 'es')} · {Sector(sector).label('es')}"

    def usd(value) -> str:
        return format_usd(value, "es", decimals=2)

    shown_changed = [line for line in lines if line.startswith("Cambiada: ")]
    assert len(shown_changed) == official.SHOWN_ROWS
    assert f"… y {len(changed) - official.SHOWN_ROWS} cambiadas más" in lines
    for line in shown_changed:  # each one a real change, with the value it had and the one it gets
        key = next(key for key in changed if line.startswith(f"Cambiada: {label(key)} · "))
        assert line == f"Cambiada: {label(key)} · Aduanas DUS 2020-04: {usd(old[key])} → {usd(new[key])}"
    assert sorted(line for line in lines if line.startswith("Eliminada: ")) == sorted(
        f"Eliminada: {label(key)} · Aduanas DUS 2020-04: {usd(old[key])}" for key in removed)
    assert len([line for line in lines if line.startswith("Nueva: ")]) == min(len(added), official.SHOWN_ROWS)
