"""The official statistics a plan's exports are imported from, as an imported outcome row's `source` names them:
the statistic's name and the period, `Aduanas DUS 2020-03` (a month) or `UN Comtrade 2020` (a year).

The import writes that text (`source_text`) and the dashboard reads it back (`SOURCE_PATTERN`, in its queries):
both from here, so they cannot drift apart. How each statistic's files are read is plan.edit.imports' concern.
"""

ADUANAS, COMTRADE = "Aduanas DUS", "UN Comtrade"
OFFICIAL_SOURCES = {ADUANAS: "aduanas", COMTRADE: "comtrade"}  # name in a row's source -> the statistic's key
# A source as `source_text` writes it: group 1 the name, 2 the year, 3 the month if any (Python's re and RE2 alike).
SOURCE_PATTERN = r"^(.*) ([0-9]{4})(?:-([0-9]{2}))?$"


def source_text(name: str, year: int, month: int | None) -> str:
    """The source of a row imported from `name` for a month, or for a whole year (`month` None)."""
    return f"{name} {year}" + (f"-{month:02d}" if month else "")


# A firm of customs' files: its anonymous exporter number, known stable within a year only, so the id carries the
# year. Comparisons across a January take the number without it (`FIRM_SQL`, in the queries and the impact
# estimates' rows), assuming customs keeps a firm's number from one year to the next, which is not established
# (docs/firms.md; the pages say so where customs ids are counted). Other ids (an agency's RUTs) are kept as written.
def customs_exporter_id(year: int, number: str) -> str:
    return f"DUS-{year}-{number}"


FIRM_SQL = "regexp_replace(exporter_id, '^DUS-[0-9]{4}-', 'DUS-')"
CUSTOMS_ID_SQL = "exporter_id LIKE 'DUS-%'"
