"""`python -m plan impact`: one plan's estimates, as the `--json` objects or a table."""

import json
from pathlib import Path

from plan.data import database
from plan.impact import results
from plan.impact.estimates import Estimate, meaning, note
from plan.model.i18n import format_number, t
from plan.model.issues import UsageError

KEYS = ("activity_id", "level", "outcome", "estimate", "low", "high", "n_treated", "n_control", "method", "note")


def chosen(db_path: Path, plan_id: str, activity_id: str | None) -> list[Estimate]:
    """The plan's estimates (one activity's with `activity_id`); UsageError naming an unknown plan, or an activity
    the plan does not have or that is not done (it has no impact to measure yet)."""
    with database.reader(db_path) as con:
        plans = [row[0] for row in con.execute("SELECT plan_id FROM plan ORDER BY plan_id").fetchall()]
        if plan_id not in plans:
            raise UsageError("outlook_unknown_plan", plan=plan_id, plans=", ".join(plans))
        status = con.execute("SELECT status FROM activities WHERE plan_id = $plan AND id = $id",
                             {"plan": plan_id, "id": activity_id}).fetchone() if activity_id else None
        if activity_id is not None and status is None:
            raise UsageError("impact_unknown_activity", activity=activity_id, plan=plan_id)
        found = results.estimates(con, plan_id)
    if activity_id is None:
        return found
    mine = [estimate for estimate in found if estimate.activity_id == activity_id]
    if not mine:
        raise UsageError("impact_activity_not_done", activity=activity_id)
    return mine


def as_row(estimate: Estimate, lang: str) -> dict:
    """The `--json` object: the note says why there is no estimate, or what the estimate means."""
    row = {key: getattr(estimate, key) for key in KEYS if key != "note"}
    return row | {"note": note(estimate, lang) or meaning(estimate.level, lang)}


def as_json(found: list[Estimate], lang: str) -> str:
    return json.dumps([as_row(estimate, lang) for estimate in found], ensure_ascii=False, indent=1)


def _change(estimate: Estimate, value: float | None, lang: str) -> str:
    if value is None:
        return "-"
    number = ("+" if value > 0 else "") + format_number(100 * value, lang, 1)
    return f"{number} %" if estimate.outcome == "exports" else t("impact_points", lang, value=number)


def lines(found: list[Estimate], lang: str) -> list[str]:
    """A plain table, one line per activity, level and outcome; then what each level means, and the notes."""
    columns = ("activity_id", "level", "outcome", "estimate", "interval", "n_treated", "n_control")
    table = [[t(f"impact_column_{column}", lang) for column in columns]]
    for e in found:
        interval = "-" if e.low is None else f"{_change(e, e.low, lang)} … {_change(e, e.high, lang)}"
        table.append([e.activity_id, t(f"impact_level_{e.level}", lang), t(f"impact_outcome_{e.outcome}", lang),
                      _change(e, e.estimate, lang), interval, str(e.n_treated), str(e.n_control)])
    widths = [max(len(line[i]) for line in table) for i in range(len(columns))]
    text = ["  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip() for line in table]
    levels = sorted({e.level for e in found})
    notes = sorted({f"{e.activity_id} · {t(f'impact_level_{e.level}', lang)}: {note(e, lang)}"
                    for e in found if e.note_key})
    return [*text, "", *(f"{t(f'impact_level_{level}', lang)}: {meaning(level, lang)}" for level in levels), *notes]
