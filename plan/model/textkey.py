"""One normalization for everything people type: headers, enum values, country names.

"Híbrido ", "hibrido" and "HÍBRIDO" must all match the same alias, in Python and in
DuckDB alike, so the SQL twin lives next to the Python one.
"""

import re
import unicodedata

_SEPARATORS = re.compile(r"[\s_\-]+")


def text_key(value: str) -> str:
    """Lower-case, accent-free, single-spaced form of `value` used for matching."""
    decomposed = unicodedata.normalize("NFKD", value)
    without_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SEPARATORS.sub(" ", without_accents).strip().lower()


def text_key_sql(column_sql: str) -> str:
    """The DuckDB expression computing `text_key` of a column (ASCII whitespace only).

    Cells where this differs from the Python version (rare Unicode spaces) fail the
    fast SQL path and are then judged by the Python validator, which is the authority.
    """
    return f"lower(trim(regexp_replace(strip_accents({column_sql}), '[\\s_\\-]+', ' ', 'g')))"
