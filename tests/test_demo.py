import csv
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from plan.data.demo import (
    CURRENT_AS_OF,
    DEMO_TABLES,
    MARKER,
    PARTIAL,
    SCALES,
    exports_grid_rows,
    folder_names,
    national_outcome_rows,
    write_demo,
)
from plan.data.demo_offices import MARKETS, REGIONS, office_traits
from plan.data.store import FolderStore
from plan.edit import editing
from plan.model import countries
from plan.model.kpi_definitions import ACTIVITY_KPIS, KPIS
from plan.model.models import OUTCOME_METRICS, OUTCOMES, PLAN, TABLES, TARGETS, Metric, Sector, Status
from plan.model.parsing import DecimalMark

TABLES_BY_NAME = {table.name: table for table in TABLES}


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
        assert sorted(p.name for p in (tmp_path / folder).iterdir()) == sorted(t.file_name for t in DEMO_TABLES)
    assert (tmp_path / MARKER).is_file()
    assert not (tmp_path / PARTIAL).exists()
    assert summary.bytes == sum(p.stat().st_size for p in tmp_path.rglob("*.csv"))


def test_every_sample_row_validates_and_references_hold(tmp_path):
    summary = write_demo(tmp_path, "sample", seed=3)
    counted = Counter()
    for folder in folder_names("sample"):
        year = int(folder.rsplit("-", 1)[1])
        rows = {}
        for table in DEMO_TABLES:
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
        for table in DEMO_TABLES:
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


def test_a_demo_the_benchmark_saved_into_is_regenerated(tmp_path):
    # The benchmark saves an edit into its demo (history, locks): its next run with the same --work folder
    # found the demo changed and refused to regenerate it over the folder store's own leftovers.
    write_demo(tmp_path / "fresh", "sample")
    target = tmp_path / "target"
    write_demo(target, "sample")
    plan_id = folder_names("sample")[0]
    version = editing.load(target, plan_id, TARGETS)
    draft = editing.apply(version, editing.Changes(deleted={next(iter(version.by_key()))}))
    saved = editing.save(target, FolderStore(target), plan_id, TARGETS, draft.raw, version.sha, "bench")
    assert isinstance(saved, editing.Saved) and (target / ".history").is_dir()
    write_demo(target, "sample")
    assert all_bytes(target) == all_bytes(tmp_path / "fresh")
    assert not (target / ".history").exists()


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


# --- what a backtest needs of the national demo (docs/demo-data.md) ------------------------------------------


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("national")
    write_demo(root, "national")
    return root


def read_table(root: Path, table: str) -> pd.DataFrame:
    """One CSV of every plan folder, with the folder's office (region slug) and year."""
    frames = []
    for folder in folder_names("national"):
        frame = pd.read_csv(root / folder / f"{table}.csv", dtype=str, keep_default_na=False)
        office, year = folder.removeprefix("national-").rsplit("-", 1)
        frames.append(frame.assign(office=office, plan_year=int(year)))
    return pd.concat(frames, ignore_index=True)


def number(frame: pd.DataFrame, column: str) -> pd.Series:
    return pd.to_numeric(frame[column].replace("", None)).fillna(0)


def test_an_office_keeps_its_own_record_across_its_closed_years(national):
    activities = read_table(national, "activities")
    closed = activities[activities["plan_year"] < CURRENT_AS_OF.year]
    done_share = (closed["status"] == "done").groupby([closed["office"], closed["plan_year"]]).mean().unstack()
    years = done_share.shape[1]
    within = done_share.var(axis=1, ddof=1).mean()  # year-to-year spread inside an office
    # One-way analysis of variance: without an office record the office means vary only as much as the
    # year-to-year noise allows (ratio ~1); with one they vary far more.
    assert done_share.mean(axis=1).var(ddof=1) * years / within > 4
    assert done_share.mean(axis=1).max() - done_share.mean(axis=1).min() > 2 * within ** 0.5
    assert set(closed["status"]) <= {"done", "postponed", "cancelled"}  # a closed year left nothing open
    done = closed[closed["status"] == "done"]
    late_by = pd.to_datetime(done["actual_end"]) - pd.to_datetime(done["planned_end"])
    assert late_by.abs().max() <= pd.Timedelta(days=4)  # done within a few days of the planned end
    slipped = closed[closed["status"] == "postponed"]
    assert (slipped[["actual_start", "actual_end"]] == "").all().all()


def test_offices_with_a_late_skew_start_most_activities_in_the_last_quarter(national):
    starts = pd.concat([read_table(national, "activities"), read_table(national, "pisco_campaigns")])
    quarters = pd.to_datetime(starts["planned_start"]).dt.quarter.groupby(starts["office"]).value_counts().unstack()
    skews = {region.slug: office_traits(0, region).skew for region in REGIONS}
    late, even = max(skews, key=skews.get), min(skews, key=skews.get)
    assert skews[late] > 1.5 and skews[even] == 1.0
    assert quarters.loc[late, 4] > 2 * quarters.loc[late, 1]
    assert quarters.loc[even, 4] < 1.5 * quarters.loc[even, 1]


def test_the_current_year_knows_nothing_after_its_status_date(national):
    months = {}
    for folder in folder_names("national"):
        if not folder.endswith(str(CURRENT_AS_OF.year)):
            continue
        (plan_row,) = read_models(national / folder / "plan.csv", PLAN.model)
        assert plan_row.as_of == CURRENT_AS_OF
        for row in read_models(national / folder / OUTCOMES.file_name, OUTCOMES.model):
            if row.month is not None:
                months.setdefault(row.metric, set()).add(row.month)
        for table in ("activities", "pisco_campaigns"):
            for row in read_models(national / folder / f"{table}.csv", TABLES_BY_NAME[table].model):
                assert (row.actual_end is not None) == (row.status is Status.DONE), (folder, row.id)
                assert max(row.actual_start or CURRENT_AS_OF, row.actual_end or CURRENT_AS_OF) <= CURRENT_AS_OF
    # Every monthly metric, the follow-up deals too, stops at the status date's month.
    assert set(months) == {Metric.EXPORTS_USD, Metric.NEW_EXPORTERS, Metric.DEALS_CLOSED_USD}
    assert {metric: max(found) for metric, found in months.items()} == dict.fromkeys(months, CURRENT_AS_OF.month)
    activities = read_table(national, "activities").query(f"plan_year == {CURRENT_AS_OF.year} and status != 'done'")
    figures = ["exporters", "importers", "meetings_requested", "meetings_held", "deals_closed_usd",
               "deals_projected_usd"]
    assert len(activities) > 0 and (activities[figures] == "").all().all()  # only a done activity has results


def test_targets_do_not_follow_the_results(national):
    # Each KPI's actual at the end of a closed year (as plan.model.kpi_definitions adds it) over its target:
    # targets come from what is scheduled and a growth drawn per plan, so plans land on both sides of 1.
    activities, campaigns, targets = (read_table(national, name) for name in ("activities", "pisco_campaigns",
                                                                              "targets"))
    targets = targets[(targets["market"] == "") & (targets["sector"] == "")]
    plan = ["office", "plan_year"]
    actual = {"activities_done": (activities["status"] == "done").groupby([activities[k] for k in plan]).sum()}
    for kpi, column in ACTIVITY_KPIS.items():
        if kpi != "activities_done":
            actual[kpi] = number(activities, column).groupby([activities[k] for k in plan]).sum()
    for kpi in KPIS:
        if kpi.campaign_column:
            actual[kpi.key] = actual.get(kpi.key, 0) + number(campaigns, kpi.campaign_column).groupby(
                [campaigns[k] for k in plan]).sum()
    checked = {kpi.key: kpi.target_metric for kpi in KPIS if kpi.key in actual}
    assert set(checked) == {"activities_done", "budget_spent", "exporters", "importers", "meetings_held",
                            "deals_closed", "deals_projected", "pisco_reach"}
    for kpi, metric in checked.items():
        target = number(targets[targets["metric"] == metric], "target").groupby(
            [targets[k] for k in plan]).sum()
        ratio = (actual[kpi] / target).loc[lambda r: r.index.get_level_values(1) < CURRENT_AS_OF.year]
        assert len(ratio) == 16 * 9, kpi
        assert (ratio < 0.9).mean() > 0.1 and (ratio > 1.1).mean() > 0.1, kpi
        assert 0.85 < ratio.median() < 1.15, kpi  # aimed at what the draws give, not beside it


def test_new_exporters_are_seasonal(national):
    outcomes = pd.concat(pd.read_csv(national / folder / OUTCOMES.file_name, usecols=["metric", "month", "value"])
                         .query("metric == 'new_exporters'") for folder in folder_names("national")
                         if not folder.endswith(str(CURRENT_AS_OF.year)))
    by_month = outcomes.groupby("month")["value"].sum()
    assert list(by_month.index) == list(range(1, 13))
    # Peaks late in the year (after the fair season), lowest half a year before.
    assert by_month.idxmax() in (10, 11, 12) and by_month[11] > 2 * by_month[5]
