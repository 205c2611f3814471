import csv
import re
from collections import Counter
from pathlib import Path

import pytest

from plan.data.demo import (
    MARKER,
    MARKETS,
    PARTIAL,
    SCALES,
    exports_grid_rows,
    folder_names,
    national_outcome_rows,
    write_demo,
)
from plan.model import countries
from plan.model.models import OUTCOME_METRICS, OUTCOMES, PLAN, TABLES, Metric, Sector
from plan.model.parsing import DecimalMark


def read_models(path: Path, model) -> list:
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        assert reader.fieldnames == list(model.model_fields)
        return [model.model_validate(row, context={"decimal_mark": DecimalMark.POINT}) for row in reader]


def all_bytes(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def test_sample_writes_the_plan_folders(tmp_path):
    summary = write_demo(tmp_path, "sample")
    assert summary.plans == 2
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == sorted(folder_names("sample"))
    for folder in folder_names("sample"):
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(t.file_name for t in TABLES)
    assert (tmp_path / MARKER).is_file()
    assert not (tmp_path / PARTIAL).exists()
    assert summary.bytes == sum(p.stat().st_size for p in tmp_path.rglob("*.csv"))


def test_every_sample_row_validates_and_references_hold(tmp_path):
    summary = write_demo(tmp_path, "sample", seed=3)
    counted = Counter()
    for folder in folder_names("sample"):
        year = int(folder.rsplit("-", 1)[1])
        rows = {}
        for table in TABLES:
            path = tmp_path / folder / table.file_name
            raw = path.read_bytes()
            assert not raw.startswith(b"\xef\xbb\xbf")
            assert b"\r" not in raw
            assert raw.endswith(b"\n")
            rows[table.name] = read_models(path, table.model)
            for row in rows[table.name]:
                assert row.rule_breaks() == [], (folder, table.name, row)
            keys = [tuple(getattr(row, column) for column in table.unique) for row in rows[table.name]]
            assert len(keys) == len(set(keys)), (folder, table.name)
            counted[table.name] += len(rows[table.name])
        for table in TABLES:
            for column, other in table.references.items():
                ids = {row.id for row in rows[other]}
                assert ids, (folder, other)
                refs = {getattr(row, column) for row in rows[table.name]} - {None}
                assert refs <= ids, (folder, table.name, column, refs - ids)
        assert [row.year for row in rows[PLAN.name]] == [year]
        outcomes = rows[OUTCOMES.name]
        assert {row.metric.value for row in outcomes} <= set(OUTCOME_METRICS)
        assert {row.year for row in outcomes} == {year}
        assert any(row.activity_id for row in outcomes)
        assert any(row.campaign_id for row in rows["activities"])
        exports = [row for row in outcomes if row.metric is Metric.EXPORTS_USD]
        assert {row.sector for row in exports} == set(Sector)
        # The sample scale's one year is the current one: months up to its status date (June), none after.
        assert {row.month for row in exports} == set(range(1, 7)) and max(row.month or 0 for row in outcomes) <= 6
        assert 1000 < len(outcomes) < 10_000
    assert dict(counted) == summary.rows
    exports_written = sum(
        1
        for folder in folder_names("sample")
        for row in read_models(tmp_path / folder / OUTCOMES.file_name, OUTCOMES.model)
        if row.metric is Metric.EXPORTS_USD
    )
    assert exports_written == exports_grid_rows("sample")


def test_outcomes_written_by_duckdb_are_plain(tmp_path):
    write_demo(tmp_path, "sample")
    raw = (tmp_path / folder_names("sample")[0] / OUTCOMES.file_name).read_bytes()
    header, first, *_ = raw.decode("utf-8").split("\n")
    assert header == ",".join(OUTCOMES.model.model_fields)
    assert first.startswith("exports_usd,2025,1,CHN,,fresh_fruit,,")
    assert b'"' not in raw
    value = list(OUTCOMES.model.model_fields).index("value")
    for line in raw.decode("utf-8").splitlines()[1:]:
        cells = line.split(",")
        assert len(cells) == len(OUTCOMES.model.model_fields)
        assert re.fullmatch(r"\d+\.\d\d", cells[value]), line


def test_same_seed_gives_identical_bytes_and_another_seed_differs(tmp_path):
    write_demo(tmp_path / "a", "sample", seed=7)
    write_demo(tmp_path / "b", "sample", seed=7)
    write_demo(tmp_path / "c", "sample", seed=8)
    first, second, other = (all_bytes(tmp_path / name) for name in "abc")
    assert first == second
    assert first.keys() == other.keys()
    differing = [name for name in first if first[name] != other[name]]
    assert any(name.endswith(OUTCOMES.file_name) for name in differing)
    assert any(name.endswith("activities.csv") for name in differing)


def test_national_row_arithmetic_without_generating_it():
    national = SCALES["national"]
    assert len(national.regions) == 16
    assert national.years == tuple(range(2016, 2026))
    names = folder_names("national")
    assert len(names) == len(set(names)) == 160
    assert all(name.startswith("national-") for name in names)
    assert national.markets == len(MARKETS) >= 175
    # 2016-2024 closed (12 months each), 2025 up to its status date, 30 June (6 months).
    assert national_outcome_rows() == 16 * (9 * 12 + 6) * len(MARKETS) * len(Sector)
    assert national_outcome_rows() >= 5_000_000


def test_markets_are_distinct_real_iso3_codes():
    assert len(set(MARKETS)) == len(MARKETS)
    assert "CHL" not in MARKETS
    assert all(countries.to_iso3(code) == code for code in MARKETS)


def test_complete_demo_with_same_scale_and_seed_is_reused(tmp_path):
    summary = write_demo(tmp_path, "sample", seed=1)
    stamps = {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*")}
    assert write_demo(tmp_path, "sample", seed=1) == summary
    assert {path: path.stat().st_mtime_ns for path in tmp_path.rglob("*")} == stamps


def test_previous_or_unfinished_demo_is_replaced(tmp_path):
    write_demo(tmp_path / "fresh", "sample", seed=2)
    target = tmp_path / "target"
    write_demo(target, "sample", seed=1)
    write_demo(target, "sample", seed=2)
    assert all_bytes(target) == all_bytes(tmp_path / "fresh")
    (target / MARKER).unlink()
    (target / PARTIAL).write_text("{}\n", encoding="utf-8")
    (target / folder_names("sample")[0] / OUTCOMES.file_name).write_text("half", encoding="utf-8")
    write_demo(target, "sample", seed=2)
    assert all_bytes(target) == all_bytes(tmp_path / "fresh")


def test_changed_files_are_not_reused(tmp_path):
    write_demo(tmp_path / "fresh", "sample")
    write_demo(tmp_path / "target", "sample")
    (tmp_path / "target" / folder_names("sample")[1] / "targets.csv").write_text("metric\n", encoding="utf-8")
    write_demo(tmp_path / "target", "sample")
    assert all_bytes(tmp_path / "target") == all_bytes(tmp_path / "fresh")


def test_refuses_a_folder_that_is_not_a_demo(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ValueError, match="no demo marker"):
        write_demo(tmp_path, "sample")
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_refuses_a_demo_holding_foreign_files(tmp_path):
    write_demo(tmp_path, "sample")
    extra = tmp_path / folder_names("sample")[0] / "budget.xlsx"
    extra.write_bytes(b"keep me")
    other = tmp_path / "real-plan"
    other.mkdir()
    with pytest.raises(ValueError, match="not part of a demo"):
        write_demo(tmp_path, "sample", seed=5)
    assert extra.read_bytes() == b"keep me"
    assert other.is_dir()
    assert (tmp_path / MARKER).is_file()


@pytest.mark.parametrize(("scale", "seed"), [("huge", 0), ("sample", -1), ("sample", 1.5), ("sample", True)])
def test_rejects_bad_arguments(tmp_path, scale, seed):
    with pytest.raises(ValueError, match=r"scale|seed"):
        write_demo(tmp_path, scale, seed)
    assert not any(tmp_path.iterdir())
