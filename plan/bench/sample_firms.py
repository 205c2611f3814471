"""The sample's illustrative firm-level files (`firm_exports.csv`, `participants.csv` of prochile-atacama-2021):
a generated panel (`plan.impact.panels.firm_panel`) around the plan's own done activities, from January 2020
(12 months before its first activity) to its status date, participants' exports to an activity's markets
raised by `EFFECT` after it. Run once to write them; kept here so they can be made again:

    python -m plan.bench.sample_firms data/prochile-atacama-2021
"""

import csv
import sys
from pathlib import Path

from plan.edit import editing
from plan.impact.estimates import ActivityWindow
from plan.impact.panels import firm_panel
from plan.model.models import ACTIVITIES, FIRM_EXPORTS, PARTICIPANTS, PLAN, Status

SEED = 2021
FIRMS = 240
EFFECT, POINTS = 0.20, 0.05  # planted: +20 % exports to the activity's markets, +5 points of exporting there
START = (2020, 1)
SOURCE = "ilustrativo"


def write(folder: Path) -> tuple[int, int]:
    """Both files written into the plan `folder`; (firm rows, participants)."""
    plan = editing.load(folder.parent, folder.name, PLAN).rows[0].value
    done = [row.value for row in editing.load(folder.parent, folder.name, ACTIVITIES).rows]
    done = [a for a in done if a.status is Status.DONE and a.actual_end and a.markets and a.sectors]
    windows = [ActivityWindow(a.id, a.actual_end.year, a.actual_end.month, tuple(a.markets),
                              tuple(s.value for s in a.sectors)) for a in done]
    months = (plan.as_of.year - START[0]) * 12 + plan.as_of.month - START[1] + 1
    sectors = tuple(sorted({s.value for s in plan.priority_sectors}))
    panel = firm_panel(SEED, firms=FIRMS, months=months, effect=EFFECT, points=POINTS, participants_per_activity=9,
                       plan=windows, start=START, sectors=sectors, prefix="EMP-")
    rows = panel.rows.sort_values(["year", "month", "exporter_id", "market"]).assign(source=SOURCE)
    rows.to_csv(folder / FIRM_EXPORTS.file_name, index=False, lineterminator="\n")
    with open(folder / PARTICIPANTS.file_name, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(list(PARTICIPANTS.model.model_fields))
        pairs = sorted((activity, firm) for activity, firms in panel.participants.items() for firm in firms)
        writer.writerows([activity, firm, "", SOURCE] for activity, firm in pairs)
    return len(rows), len(pairs)


if __name__ == "__main__":
    print(write(Path(sys.argv[1])))
