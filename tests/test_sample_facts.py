"""Every published fact the sample plan carries (README, "The sample plan") read back from the built sample
database."""

import datetime as dt
from decimal import Decimal

import pytest

from plan import outlook
from plan.data import database
from plan.view import outcome_queries, queries
from plan.view.filters import Filters
from tests.conftest import copy_sample

ATACAMA = "prochile-atacama-2021"
ALLIANCE = "alianza-pacifico-2020"


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("facts")
    data = copy_sample(folder / "data")
    database.build(data, folder / "plan.duckdb", derive=outlook.derive)
    with database.reader(folder / "plan.duckdb") as connection:
        yield connection


def _uk_roundtable_id(con) -> str:
    rows = con.execute("SELECT id FROM activities WHERE plan_id = ? AND list_contains(markets, 'GBR')"
                       " AND type = 'roundtable' AND modality = 'virtual'", [ALLIANCE]).fetchall()
    assert len(rows) == 1
    return rows[0][0]


def test_uk_e_business_roundtable_figures(con):
    events = queries.activity_list(con, Filters(plan_ids=(ALLIANCE,)))
    uk = events[events["id"] == _uk_roundtable_id(con)].iloc[0]
    assert (uk["planned_start"].date(), uk["planned_end"].date()) == (dt.date(2020, 6, 23), dt.date(2020, 7, 2))
    assert (uk["actual_start"].date(), uk["actual_end"].date()) == (dt.date(2020, 6, 23), dt.date(2020, 7, 2))
    assert (uk["exporters"], uk["importers"], uk["meetings_held"]) == (50, 24, 125)
    assert (uk["deals_closed_usd"], uk["deals_projected_usd"]) == (1_500_000, 17_000_000)
    assert list(uk["markets"]) == ["GBR"]
    assert set(uk["sectors"]) == {"fresh_fruit", "nuts", "specialty_coffee", "cocoa", "honey", "beverages"}
    partners = [row[0] for row in con.execute("SELECT unnest(partners) FROM activities WHERE plan_id = ? AND id = ?",
                                              [ALLIANCE, _uk_roundtable_id(con)]).fetchall()]
    assert {"ProChile", "ProColombia", "PROMPERU"} <= set(partners)
    assert any("Econom" in partner and "xico" in partner for partner in partners)


def test_uk_roundtable_exporters_come_from_the_four_alliance_countries(con):
    split = outcome_queries.participants_by_country(con, Filters(plan_ids=(ALLIANCE,)))
    split = split[(split["activity_id"] == _uk_roundtable_id(con)) & (split["metric"] == "exporters")]
    assert set(split["country"]) == {"CHL", "COL", "MEX", "PER"}
    assert split["value"].sum() == 50


def test_the_later_e_roundtables_replace_the_macro_round(con):
    rows = con.execute("SELECT planned_start, planned_end, status, modality FROM activities"
                       " WHERE plan_id = ? AND type = 'roundtable' ORDER BY planned_start", [ALLIANCE]).fetchall()
    ends = {start: end for start, end, _status, _modality in rows}
    assert ends[dt.date(2020, 8, 11)] == dt.date(2020, 8, 21)
    assert any(start.month == 9 and status == "done" and modality == "virtual"
               for start, _end, status, modality in rows)
    cancelled = [row for row in rows if row[2] == "cancelled"]
    assert len(cancelled) == 1 and cancelled[0][3] == "in_person"


def test_alliance_exports_to_the_uk_grew_1_1_percent_in_2019(con):
    exports = outcome_queries.exports_by_year(con, Filters(plan_ids=(ALLIANCE,), markets=("GBR",))).set_index("year")
    assert exports.loc[2019, "growth_pct"] == 1.1


def test_atacama_exports_grew_25_percent_in_2020_by_more_than_905_million(con):
    totals = dict(con.execute("SELECT year, sum(value) FROM outcomes WHERE plan_id = ? AND metric = 'exports_usd'"
                              " GROUP BY year", [ATACAMA]).fetchall())
    assert totals[2020] / totals[2019] == Decimal("1.25")
    assert totals[2020] - totals[2019] > Decimal("905000000")


def test_atacama_2021_first_half_mostly_virtual_second_half_in_person(con):
    quarters = queries.modality_by_period(con, Filters(plan_ids=(ATACAMA,)), "quarter")
    mix = quarters.assign(half=quarters["period"].dt.month.map(lambda month: 1 if month <= 6 else 2)).pivot_table(
        index="half", columns="modality", values="planned", aggfunc="sum", fill_value=0)
    first, second = mix.loc[1], mix.loc[2]
    assert first["virtual"] / first.sum() >= 0.75
    assert (second["in_person"] + second["hybrid"]) / second.sum() >= 0.75


def test_atacama_plan_has_every_kind_of_activity_status_and_a_pisco_plan(con):
    def distinct(sql: str) -> set:
        return {value for (value,) in con.execute(sql, [ATACAMA]).fetchall()}

    kinds = distinct("SELECT DISTINCT type FROM activities WHERE plan_id = ?")
    assert {"roundtable", "trade_mission", "inbound_visit", "fair", "webinar"} <= kinds
    statuses = distinct("SELECT DISTINCT status FROM activities WHERE plan_id = ?")
    assert statuses == {"done", "in_progress", "planned", "postponed", "cancelled"}
    assert len(distinct("SELECT DISTINCT market FROM pisco_campaigns WHERE plan_id = ?")) >= 5
    assert distinct("SELECT DISTINCT modality FROM activities WHERE plan_id = ?") == {"virtual", "in_person", "hybrid"}


def test_every_row_names_its_source_and_illustrative_rows_say_so(con):
    for table in ("plan", "activities", "pisco_campaigns", "outcomes", "targets"):
        missing = con.execute(f"SELECT count(*) FROM {table} WHERE source IS NULL").fetchone()[0]  # noqa: S608
        assert missing == 0, table
    illustrative = con.execute("SELECT count(*) FROM activities WHERE source ILIKE '%ilustrativ%'").fetchone()[0]
    assert illustrative > 0
