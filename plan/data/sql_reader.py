"""The fast path for tables with millions of rows: DuckDB reads, parses and checks them.

The SQL is derived from the same `Kind` markers as the Python validators. It only has to
answer "is every row valid?" and load them: on the first doubtful cell it stops, the
transaction rolls back, and the caller runs the Python validator (the authority) on that
file for exact, line-numbered messages. So a cell the SQL cannot judge costs time, never
correctness. Names in the SQL come from `plan.model.models`; every value is a bound parameter.
"""

import codecs
import tempfile
from pathlib import Path

import duckdb
import pyarrow as pa

from plan.data.csv_reader import CsvFile
from plan.model import countries
from plan.model.fields import CODE_PATTERN, MAX_TEXT, Kind
from plan.model.models import Table
from plan.model.parsing import MAX_INTEGER_DIGITS, DecimalMark
from plan.model.schema import kinds
from plan.model.textkey import text_key_sql

# The plainest spellings of plan.model.parsing's grammar: what is matched here is certainly valid
# and parses to the same value; currency signs, signs or extra decimals go to Python.
_AMOUNT = {
    DecimalMark.COMMA: (r"(?:\d{1,15}|\d{1,3}(?:\.\d{3}){1,4})(?:,\d{1,2})?",
                        "replace(replace({c}, '.', ''), ',', '.')"),
    DecimalMark.POINT: (r"(?:\d{1,15}|\d{1,3}(?:,\d{3}){1,4})(?:\.\d{1,2})?", "replace({c}, ',', '')"),
}
_CONTROL = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# DuckDB's trim() removes the Unicode space separators only; Python's strip() also removes
# these (and \x0b \x0c \x1c-\x1f, refused as control characters anyway). Text that still
# starts or ends with one is doubtful (trim(x, characters) would be exact but is 10x slower).
_EDGE_BLANK = r"[\t\n\r\x{85}\x{2028}\x{2029}]"
# A download's apostrophe before formula-like text, which the Python reader removes (plan.model.fields).
_NEUTRALIZED = r"^''[-=+@\t\r]"


def supports(csv_file: CsvFile) -> bool:
    """Files the SQL path can read as they are or after re-encoding to UTF-8."""
    return csv_file.table.bulk and csv_file.decimal_mark in _AMOUNT and not _spaced_quote(csv_file)


def _spaced_quote(csv_file: CsvFile) -> bool:
    """Quotes next to blanks, which DuckDB reads unlike Python's csv (the authority): it
    takes `a, "b"` as `b` (csv: ` "b"`) and accepts `"a" ;` and `"a" "b"` (csv: an error)."""
    text = csv_file.text
    if '"' not in text:  # one fast scan for the usual file
        return False
    if '" ' in text or '"\t' in text:
        return True
    for blank in (' "', '\t"'):
        at = text.find(blank)
        while at >= 0:
            start = at
            while start > 0 and text[start - 1] in " \t":
                start -= 1
            if start == 0 or text[start - 1] in (csv_file.delimiter, "\n", "\r"):
                return True
            at = text.find(blank, at + 1)
    return False


def _alias_rows(kind: Kind) -> list[tuple[str, str]]:
    if kind.name == "country":
        return sorted(countries.alias_table().items())
    members = {m.value for m in kind.enum if kind.allowed is None or m.value in kind.allowed}
    return sorted((alias, member.value) for alias, member in kind.enum.alias_table().items()
                  if member.value in members)


def _create_alias_table(con: duckdb.DuckDBPyConnection, name: str, kind: Kind) -> None:
    aliases, codes = zip(*_alias_rows(kind), strict=True)
    con.register("alias_rows", pa.table({"alias": pa.array(aliases), "code": pa.array(codes)}))
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM alias_rows")  # noqa: S608 - name from models
    con.unregister("alias_rows")


def _typed_sql(name: str, kind: Kind, mark: DecimalMark) -> tuple[str, str]:
    """(typed value, validity) of the trimmed cell `c_<name>`, as SQL over one row."""
    c = f"c_{name}"
    if kind.name == "text":
        doubtful = f"{_CONTROL}|^{_EDGE_BLANK}|{_EDGE_BLANK}$|{_NEUTRALIZED}"
        return c, f"length({c}) <= {MAX_TEXT} AND NOT regexp_matches({c}, '{doubtful}')"
    if kind.name == "code":
        return c, f"regexp_full_match({c}, '{CODE_PATTERN}')"
    if kind.name in ("enum", "country"):
        return f"alias_{name}.code", f"v_{name} IS NOT NULL"
    if kind.name == "money":
        pattern, digits = _AMOUNT[mark]
        value = f"CASE WHEN regexp_full_match({c}, '{pattern}') THEN CAST({digits.format(c=c)} AS DECIMAL(18,2)) END"
        return value, f"v_{name} IS NOT NULL"
    if kind.name == "count":
        value = f"CASE WHEN regexp_full_match({c}, '\\d{{1,{MAX_INTEGER_DIGITS}}}') THEN CAST({c} AS BIGINT) END"
        high = f" AND v_{name} <= {kind.high}" if kind.high is not None else ""
        return value, f"v_{name} >= {kind.low}{high}"
    raise NotImplementedError(f"bulk tables cannot hold {kind.name} columns ({name})")


def _utf8_copy(csv_file: CsvFile, folder: Path) -> Path:
    if csv_file.encoding in ("utf-8", "utf-8-sig"):
        return csv_file.path.resolve()
    copy = folder / "utf8.csv"
    with codecs.open(copy, "w", encoding="utf-8") as out:
        out.write(csv_file.text)
    return copy


def dialect(csv_file: CsvFile) -> tuple:
    """Files with the same dialect and header are read by one DuckDB scan."""
    utf8 = csv_file.encoding in ("utf-8", "utf-8-sig")
    return (csv_file.table.name, csv_file.delimiter, csv_file.header_line, tuple(csv_file.fields),
            utf8 or str(csv_file.path))


def _select_sql(csv_file: CsvFile, con: duckdb.DuckDBPyConnection) -> str:
    """INSERT ... SELECT parsing every column, raising on the first doubtful row."""
    table: Table = csv_file.table
    columns = kinds(table)
    required = {name for name, info in table.model.model_fields.items() if info.is_required()}
    file_columns = [name or f"_extra_{i}" for i, name in enumerate(csv_file.fields)]
    read_columns = ", ".join(f"'{n}': 'VARCHAR'" for n in file_columns)
    present = [name for name in columns if name in csv_file.headers]
    trimmed = [f"nullif(trim(raw.{name}), '') AS c_{name}" for name in present]
    typed, valid, joins = [], [], []
    for name in present:
        kind = columns[name]
        if kind.name in ("enum", "country"):
            _create_alias_table(con, f"alias_{name}", kind)
            joins.append(f"LEFT JOIN alias_{name} ON alias_{name}.alias = {text_key_sql(f'c_{name}')}")
        value, ok = _typed_sql(name, kind, csv_file.decimal_mark)
        typed.append(f"{value} AS v_{name}")
        empty_ok = "TRUE" if name not in required else "FALSE"
        valid.append(f"((c_{name} IS NULL AND {empty_ok}) OR (c_{name} IS NOT NULL AND {ok}))")
    no_extras = " AND ".join(f"raw.{n} IS NULL" for n in file_columns if n.startswith("_extra_")) or "TRUE"
    outputs = [f"v_{name}" if name in present else f"NULL AS {name}" for name in columns]
    # Identifiers come from plan.model.models; values are bound parameters.
    return (
        f"INSERT INTO {table.name} SELECT plan_id, {', '.join(outputs)} FROM ("  # noqa: S608
        f" SELECT *, {', '.join(typed)} FROM ("
        f"  SELECT sources.plan_id, {', '.join(trimmed)}, {no_extras} AS no_extras"
        f"  FROM read_csv($paths, delim=$delim, header=false, skip=$skip, columns={{{read_columns}}},"
        f"   quote='\"', escape='\"', strict_mode=true, auto_detect=false, filename=true) AS raw"
        f"  JOIN bulk_sources AS sources ON sources.path = raw.filename"
        f" ) AS cells {' '.join(joins)}"
        f" WHERE coalesce({', '.join(f'c_{n}' for n in present)}) IS NOT NULL"
        # A check that is NULL (a count cell that is no number) is doubtful too, not a pass.
        f") WHERE CASE WHEN NOT coalesce(no_extras AND {' AND '.join(valid)}, FALSE) THEN error('doubtful row')"
        " ELSE TRUE END"
    )


def load(con: duckdb.DuckDBPyConnection, files: list[tuple[CsvFile, str]]) -> dict[str, int] | None:
    """Insert the rows of files of one `dialect` (with their plan ids) in one scan; return
    the row count per plan, or None (nothing inserted) when any row is doubtful or a file
    has no rows, so that the caller can look closer."""
    first = files[0][0]
    with tempfile.TemporaryDirectory() as folder:
        paths = [str(_utf8_copy(csv_file, Path(folder))) for csv_file, _plan_id in files]
        con.register("bulk_sources", pa.table({"path": paths, "plan_id": [plan_id for _f, plan_id in files]}))
        params = {"paths": paths, "delim": first.delimiter, "skip": first.header_line}
        # DuckDB guesses a few dozen rows for a CSV file, so it would build the alias joins' hash tables from
        # the file's millions of rows (4 GB for a 200 MB file) instead of from the alias tables: kept as written.
        con.execute("SET disabled_optimizers = 'build_side_probe_side'")
        try:
            con.execute("BEGIN TRANSACTION")
            try:
                con.execute(_select_sql(first, con), params)
                counts = dict(con.execute(
                    f"SELECT plan_id, count(*) FROM {first.table.name} WHERE plan_id IN "  # noqa: S608 - model name
                    "(SELECT plan_id FROM bulk_sources) GROUP BY plan_id").fetchall())
            except duckdb.Error:
                counts = {}
            # End the transaction first: DuckDB refuses even `unregister` in an aborted one.
            con.execute("COMMIT" if len(counts) == len(files) else "ROLLBACK")
        finally:
            con.execute("RESET disabled_optimizers")
            con.unregister("bulk_sources")
        return counts if len(counts) == len(files) else None


def plans_repeating_keys(con: duckdb.DuckDBPyConnection, table: Table) -> set[str]:
    """Plans whose rows of `table` repeat a key."""
    if not table.unique:
        return set()
    key = ", ".join(table.unique)
    return {plan_id for (plan_id,) in con.execute(
        f"SELECT DISTINCT plan_id FROM {table.name} GROUP BY plan_id, {key} HAVING count(*) > 1"  # noqa: S608
    ).fetchall()}


def plans_breaking_rules(con: duckdb.DuckDBPyConnection, table: Table) -> set[str]:
    """Plans whose rows of `table` repeat a key or point at a missing row; checked once
    for all plans after loading, since per file it would rescan the table each time."""
    bad = plans_repeating_keys(con, table)
    for column_name, target in table.references.items():
        bad.update(plan_id for (plan_id,) in con.execute(
            f"SELECT DISTINCT t.plan_id FROM {table.name} t ANTI JOIN {target} r"  # noqa: S608 - model names
            f" ON r.plan_id = t.plan_id AND r.id = t.{column_name} WHERE t.{column_name} IS NOT NULL").fetchall())
    return bad
