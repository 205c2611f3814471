"""Exporting firms counted from firm_exports.csv (plan.view.firms, outcome_queries.exporting_firms*): distinct
counts that match what the customs files were generated with, firms new to a market, and small cells kept
confidential in what a viewer sees and downloads."""

from collections import defaultdict

import duckdb
import pandas as pd

from plan import outlook
from plan.bench.dus import dus_month
from plan.data import database
from plan.data.store import FolderStore
from plan.edit import editing, imports
from plan.model.regions import Region
from plan.view import firms, kpis, markets, outcome_queries, outcomes, queries
from plan.view.filters import Filters
from tests.test_page_editor import ATACAMA


def _imported_months(data, tmp_path, months):
    """Customs files of `months` imported into the sample's Atacama plan (its own firm file removed first)."""
    (data / ATACAMA / "firm_exports.csv").unlink(missing_ok=True)
    generated = []
    for year, month in months:
        path = tmp_path / f"dus-{year}-{month:02d}.txt"
        generated.append(dus_month(year, month, 150, seed=month))
        path.write_bytes(generated[-1].raw)
        figures = imports.SOURCES["aduanas"].read([path], Region("3"), 10**9)
        saved = imports.save(data, FolderStore(data), imports.preview(data, ATACAMA, figures).draft(), "test")
        assert isinstance(saved, editing.Saved)
    database.build(data, data / "plan.duckdb", derive=outlook.derive)
    return generated


def test_customs_exporter_numbers_give_exactly_the_distinct_firms_and_the_new_ones(sample_dir, tmp_path):
    months = [(2020, m) for m in range(1, 13)] + [(2021, 1)]
    generated = _imported_months(sample_dir, tmp_path, months)
    pairs = defaultdict(set)  # (year, month) -> {(number without its year, market)}
    for month in generated:
        for exporter, year, number, market, _sector in month.firms["3"]:
            pairs[(year, number)].add((exporter.split("-")[2], market))
    firms_of = {year: {firm for (y, _m), found in pairs.items() if y == year for firm, _market in found}
                for year in (2020, 2021)}
    before = set().union(*(pairs[(2020, m)] for m in range(1, 13)))
    new_2021 = {firm for firm, market in pairs[(2021, 1)] if (firm, market) not in before}
    assert new_2021 and len(new_2021) < len(firms_of[2021])  # the planted answer is neither none nor all

    with duckdb.connect(str(sample_dir / "plan.duckdb"), read_only=True) as con:
        by_year = outcome_queries.exporting_firms(con, Filters(plan_ids=(ATACAMA,)))
        by_market = outcome_queries.exporting_firms_by_market(con, Filters(plan_ids=(ATACAMA,)))
    assert by_year["year"].tolist() == [2020, 2021]
    assert by_year["firms"].tolist() == [len(firms_of[2020]), len(firms_of[2021])]
    assert pd.isna(by_year["new_firms"].iloc[0])  # 2019 is not loaded: not enough history
    assert by_year["new_firms"].iloc[1] == len(new_2021)
    assert by_year["customs_ids"].all()
    expected_markets = defaultdict(set)
    for firm, market in pairs[(2021, 1)]:
        expected_markets[market].add(firm)
    parts = by_market[by_market["market"].notna()]
    assert dict(zip(parts["market"], parts["firms"], strict=True)) == {m: len(f) for m, f in expected_markets.items()}
    assert by_market.loc[by_market["market"].isna(), "firms"].item() == len(firms_of[2021])  # counted, not summed
    assert parts["firms"].sum() > len(firms_of[2021])


def test_a_quarter_counts_its_own_months_against_the_twelve_before_it(sample_dir, tmp_path):
    generated = _imported_months(sample_dir, tmp_path, [(2020, m) for m in range(1, 8)])
    with duckdb.connect(str(sample_dir / "plan.duckdb"), read_only=True) as con:
        third = outcome_queries.exporting_firms(con, Filters(plan_ids=(ATACAMA,), quarter=3))
        first = outcome_queries.exporting_firms(con, Filters(plan_ids=(ATACAMA,), quarter=1))
    july = {exporter for exporter, _y, month, _m, _s in generated[6].firms["3"]}
    assert third["firms"].tolist() == [len(july)]
    assert pd.isna(third["new_firms"].iloc[0]) and pd.isna(first["new_firms"].iloc[0])  # 12 months not loaded


def _market_counts(counts: dict[str, int]) -> pd.DataFrame:
    parts = pd.DataFrame({"market": list(counts), "firms": list(counts.values()), "new_firms": [0] * len(counts),
                          "exports_usd": [1000.0 * (i + 1) for i in range(len(counts))], "customs_ids": False})
    total = pd.DataFrame({"market": [None], "firms": [sum(counts.values())], "new_firms": [0],
                          "exports_usd": [parts["exports_usd"].sum()], "customs_ids": [False]})
    return pd.concat([total, parts], ignore_index=True)


def test_a_cell_of_fewer_than_three_firms_is_confidential_and_its_part_cannot_be_worked_out(sample_dir):
    table = firms.by_market_table(_market_counts({"CHN": 2, "USA": 5, "JPN": 7, "KOR": 9}), "es")
    shown = table.shown.set_index("País")
    assert shown.loc["China", "Empresas exportadoras"] == "< 3"
    assert shown.loc["China", "Exportaciones de esas empresas"] == "confidencial"
    # The total beside the parts would give China's exports away: the smallest other part is hidden too.
    assert shown.loc["Estados Unidos", "Exportaciones de esas empresas"] == "confidencial"
    assert shown.loc["Estados Unidos", "Empresas exportadoras"] == "5"
    assert shown.loc["Japón", "Exportaciones de esas empresas"] == "US$ 3.000"
    raw = table.raw.set_index("País")  # the download keeps the secret too
    assert raw.loc["China", "Exportaciones de esas empresas"] == "confidencial"
    assert raw.loc["China", "Empresas exportadoras"] == "< 3"
    assert 2000.0 not in raw.to_numpy().ravel().tolist()
    assert table.shown.iloc[0]["País"] == "Total"

    two = firms.by_market_table(_market_counts({"CHN": 2, "USA": 1, "JPN": 7}), "en").shown.set_index("Country")
    assert two.loc["Japan", "Those firms' exports"] == "US$3,000"  # two hidden parts: neither can be worked out


def test_a_year_without_the_twelve_months_before_says_so_in_both_languages():
    frame = pd.DataFrame({"year": [2020], "firms": [40], "new_firms": [pd.NA], "exports_usd": [5.0],
                          "customs_ids": [True]})
    assert firms.by_year_table(frame, "es").shown.iloc[0].tolist() == ["2020", "40", "sin historia suficiente",
                                                                        "US$ 5"]
    assert "not established" in firms.note(frame, "en") and "no está establecido" in firms.note(frame, "es")


def test_exports_of_fewer_than_three_firms_are_confidential_wherever_they_are_shown(sample_dir):
    """The sample's 2021 exports of fresh fruit to the United Kingdom, with two firms behind them in the firm file:
    left out of the market table, the sector table, the exports by year and the KPIs (never a zero)."""
    with open(sample_dir / ATACAMA / "firm_exports.csv", "a", encoding="utf-8") as handle:
        handle.write("RUT-1,2021,3,GBR,fresh_fruit,1500.00,prueba\nRUT-2,2021,4,GBR,fresh_fruit,900.00,prueba\n")
    db = sample_dir / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    plan, uk = Filters(plan_ids=(ATACAMA,)), Filters(plan_ids=(ATACAMA,), markets=("GBR",))
    with duckdb.connect(str(db), read_only=True) as con:
        summary = queries.markets_summary(con, plan).set_index("market")
        sectors = outcome_queries.exports_by_sector(con, uk)
        drawn = outcome_queries.exports_drawn(con, uk).set_index("year")
        by_year = outcome_queries.exports_by_year(con, uk).set_index("year")
        cards = kpis.overview(con, uk)
    assert summary.loc["GBR", "exports_confidential"] and pd.isna(summary.loc["GBR", "exports_usd"])
    assert not summary.loc["CHN", "exports_confidential"] and summary.loc["CHN", "exports_usd"] > 0
    table = markets.summary_table(summary.reset_index(), "exports_usd", "es")
    for frame in table:  # shown and downloaded
        row = frame[frame["Mercado"] == "Reino Unido"].iloc[0]
        assert row["Exportaciones último año (US$)"] == "confidencial"
    assert sectors["confidential"].tolist() == [True] and sectors["exports_usd"].isna().all()
    assert outcomes.exports_by_sector_table(sectors, "en").raw.iloc[0]["Exports (US$)"] == "confidential"
    assert drawn.loc[2021, "confidential"] and pd.isna(drawn.loc[2021, "exports_usd"])
    assert not drawn.loc[2020, "confidential"] and drawn.loc[2020, "exports_usd"] > 0  # no firm behind it is known
    assert pd.isna(by_year.loc[2021, "exports_usd"])
    exports_card = cards[cards["kpi"] == "exports"].iloc[0]
    assert pd.isna(exports_card["actual"])  # absent, not US$ 0
