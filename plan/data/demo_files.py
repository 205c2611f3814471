"""Writing the demo's CSV files in the canonical format: rows by the model's fields, and the bulk export grid
through one DuckDB COPY (plan.data.demo draws what they hold).
"""

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from plan.data.csv_writer import cell_text
from plan.data.demo_offices import MARKETS, SECTORS
from plan.model.models import OUTCOME_METRICS, OUTCOMES, Metric, PlanModel


def write_rows(path: Path, model: type[PlanModel], rows: list[dict]) -> tuple[int, int]:
    """Write rows (dicts by field code) with the model's header; (rows, bytes)."""
    fields = list(model.model_fields)
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(fields)
        for row in rows:
            unknown = row.keys() - set(fields)
            if unknown:
                raise AssertionError(f"{model.__name__} has no field {sorted(unknown)}")
            writer.writerow([cell_text(row.get(name)) for name in fields])
    return len(rows), path.stat().st_size


def write_outcomes(con, path: Path, year: int, cents: np.ndarray, extra: list[dict],
                    activity_ids: list[str]) -> tuple[int, int]:
    """Write the export grid (vectorized) and the extra rows with one DuckDB COPY; (rows, bytes)."""
    n_months, n_markets, n_sectors = cents.shape
    grid = cents.size
    total = grid + len(extra)

    def codes(key: str, categories: list[str]) -> np.ndarray:
        index = {code: i for i, code in enumerate(categories)}
        return np.array([-1 if row.get(key) is None else index[cell_text(row[key])] for row in extra], dtype=np.int32)

    sector_codes = [s.value for s in SECTORS]
    month = np.concatenate([np.repeat(np.arange(1, n_months + 1), n_markets * n_sectors),
                            [row.get("month") or 0 for row in extra]]).astype(np.int8)
    month_missing = np.concatenate([np.zeros(grid, bool), [row.get("month") is None for row in extra]])
    metrics = list(OUTCOME_METRICS)
    values = [round(float(row["value"]) * 100) for row in extra]
    frame = pd.DataFrame({
        "metric": pd.Categorical.from_codes(
            np.concatenate([np.full(grid, metrics.index(Metric.EXPORTS_USD.value)),
                            codes("metric", metrics)]).astype(np.int32), categories=metrics),
        "year": np.full(total, year, dtype=np.int16),
        "month": pd.arrays.IntegerArray(month, month_missing),
        "market": pd.Categorical.from_codes(
            np.concatenate([np.tile(np.repeat(np.arange(n_markets), n_sectors), n_months),
                            codes("market", list(MARKETS))]).astype(np.int32), categories=list(MARKETS)),
        "sector": pd.Categorical.from_codes(
            np.concatenate([np.tile(np.arange(n_sectors), n_months * n_markets),
                            codes("sector", sector_codes)]).astype(np.int32), categories=sector_codes),
        "activity_id": pd.Categorical.from_codes(
            np.concatenate([np.full(grid, -1), codes("activity_id", activity_ids)]).astype(np.int32),
            categories=activity_ids),
        "cents": np.concatenate([cents.reshape(-1), values]).astype(np.int64),
    })
    assert (frame["cents"] >= 0).all()
    expressions = {"metric": "metric", "year": "year", "month": "month", "market": "market",
                   "origin_country": "NULL::VARCHAR", "sector": "sector", "activity_id": "activity_id",
                   "value": "cents * 0.01", "source": "NULL::VARCHAR"}
    fields = list(OUTCOMES.model.model_fields)
    assert list(expressions) == fields, "outcome columns changed in plan.model.models"
    select = ", ".join(f"{expressions[name]} AS {name}" for name in fields)
    target = str(path).replace("'", "''")
    con.register("demo_outcomes", frame)
    try:
        # COPY takes no bound file name; the path is ours (quotes doubled) and columns are constants.
        con.execute(f"COPY (SELECT {select} FROM demo_outcomes) TO '{target}' (FORMAT csv, HEADER, DELIMITER ',')")  # noqa: S608
    finally:
        con.unregister("demo_outcomes")
    return total, path.stat().st_size
