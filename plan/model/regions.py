"""Chile's regions (plan.csv's `region_code`, customs' region of origin), from `codes/regions.csv`.

A region is written as its number (`3`), its Roman numeral (`III`), its name (`Atacama`, `Región de
Atacama`) or its ISO 3166-2 code (`CL-AT`); its code is the number as text.
"""

from pathlib import Path

from plan.model.code_tables import read_code_table
from plan.model.enums import LabeledEnum
from plan.model.textkey import text_key

REGIONS_CSV = Path(__file__).resolve().parent / "codes" / "regions.csv"


def _members() -> dict[str, tuple[str, ...]]:
    members = {}
    for row in read_code_table(REGIONS_CSV):
        label = f"{row['roman']} {row['name']}"
        aliases = (row["roman"], row["name"], f"Región de {row['name']}", f"Region {row['roman']}",
                   row["iso_3166_2"], row["code"].zfill(2))
        members[text_key(row["name"]).replace(" ", "_").upper()] = (row["code"], label, label, *aliases)
    return members


Region = LabeledEnum("Region", _members())
