"""DuckDB and Arrow column types derived from the models' `Kind` markers.

Every built table starts with `plan_id` (the plan folder's name), then the CSV's columns
in model order. Table and column names come from `plan.model.models`, never from input.
"""

import pyarrow as pa
from pydantic.fields import FieldInfo

from plan.model.fields import Kind
from plan.model.models import PlanModel, Table

DUCKDB_TYPES = {
    "code": "VARCHAR", "text": "VARCHAR", "enum": "VARCHAR", "country": "VARCHAR",
    "money": "DECIMAL(18,2)", "count": "BIGINT", "date": "DATE", "list": "VARCHAR[]",
}
ARROW_TYPES = {
    "code": pa.string(), "text": pa.string(), "enum": pa.string(), "country": pa.string(),
    "money": pa.decimal128(18, 2), "count": pa.int64(), "date": pa.date32(), "list": pa.list_(pa.string()),
}


def kind_of(info: FieldInfo) -> Kind:
    return next(meta for meta in info.metadata if isinstance(meta, Kind))


def kinds(table: Table) -> dict[str, Kind]:
    return {name: kind_of(info) for name, info in table.model.model_fields.items()}


def create_table_sql(table: Table) -> str:
    columns = ["plan_id VARCHAR NOT NULL"]
    for name, info in table.model.model_fields.items():
        not_null = " NOT NULL" if info.is_required() else ""
        columns.append(f"{name} {DUCKDB_TYPES[kind_of(info).name]}{not_null}")
    return f"CREATE TABLE {table.name} ({', '.join(columns)})"


def to_arrow(table: Table, plan_id: str, rows: list[PlanModel]) -> pa.Table:
    """Validated rows as an Arrow table with exactly the database's column types."""
    data = {"plan_id": pa.array([plan_id] * len(rows), pa.string())}
    for name, kind in kinds(table).items():
        values = [getattr(row, name) for row in rows]
        if kind.name == "enum":
            values = [None if v is None else v.value for v in values]
        elif kind.name == "list":
            values = [[str(item) for item in v] for v in values]
        data[name] = pa.array(values, ARROW_TYPES[kind.name])
    return pa.table(data)
