"""Overview: are we on track? The KPI cards (actual against the target to date and the year before), the
plans side by side, how a status is decided, the late activities and when the data was built; the report
shows the same."""

from collections.abc import Callable

import pandas as pd

from plan.model.i18n import format_compact, format_date, format_number, t
from plan.model.kpi_definitions import KPIS
from plan.view.filters import TOTAL, years_summed
from plan.view.present import Card, Presented, as_text, columns, is_missing, localize, signed, stamp

STATUS_BADGES = {"green": ("status_green", "green"), "amber": ("status_amber", "orange"),
                 "red": ("status_red", "red"), None: ("status_none", "gray")}


def _badge(status) -> tuple[str, str]:
    """(label key, badge colour) of a KPI status (missing: no target)."""
    return STATUS_BADGES[None if is_missing(status) else status]


def _amount(value, unit: str, lang: str) -> str:
    return as_text(value, "usd" if unit == "usd" else "count", lang)


def kpi_cards(kpis: pd.DataFrame, plan_id: str, lang: str) -> list[Card]:
    """The KPI rows of one plan (or kpis.TOTAL) as card texts: label, short value, short delta against the
    target expected to date (coloured by the status) with its `basis` under it (that target, short: readable
    on a phone, which cannot hover), the status badge and, for a total, how many plans are `behind`, and the
    target and year-before lines in full (apart for the report's table, joined as the card's caption; a total's
    target line says how many plans have no target); `exact` and `exact_delta` are the figures behind the short
    ones, `definition` what the KPI counts."""
    cards = []
    for row in kpis[kpis["plan_id"] == plan_id].itertuples():
        has_target = not is_missing(row.expected) and not is_missing(row.actual)
        label_key, color = _badge(row.status)
        change = signed(row.change_pct, "pct", lang, missing="—")
        has_previous = not is_missing(row.previous)
        previous = (t("vs_previous", lang, change=change, previous=_amount(row.previous, row.unit, lang))
                    if has_previous else t("no_previous", lang))
        target = _target_line(row, lang)
        behind = (t("plans_behind", lang, behind=row.plans_behind, plans=row.plans)
                  if row.plans > 1 and row.plans_behind else None)
        gap = row.actual - row.expected if has_target else None
        cards.append(Card(
            label=t(f"kpi_{row.kpi}", lang),
            value="—" if is_missing(row.actual) else _short(row.actual, row.unit, lang),
            exact=None if is_missing(row.actual) else _amount(row.actual, row.unit, lang),
            delta=signed(gap, row.unit, lang, short=True) if has_target else None,
            exact_delta=signed(gap, row.unit, lang) if has_target else None,
            delta_description=t("vs_target_to_date", lang) if has_target else None,
            basis=None if is_missing(row.actual) else _basis(row, lang),
            status=t(label_key, lang),
            behind=behind,
            color=color,
            target=target,
            previous=previous,
            caption=f"{target} · {previous}" if has_previous else target,
            number=None if is_missing(row.actual) else float(row.actual),
            delta_color=color if has_target else None,
            definition=t(f"kpi_{row.kpi}_definition", lang),
            outlook=None if is_missing(row.actual) else year_end(row, lang),
            outlook_detail=None if is_missing(row.actual) else year_end_detail(row, lang),
        ))
    return cards


def _percent(chance: float, lang: str) -> str:
    """A chance in whole percent; "> 99 %" and "< 1 %" at the ends (1,000 draws do not make a certainty); a
    no-break space before the sign."""
    if chance > 0.99:
        return "> 99\u00a0%"
    if chance < 0.01:
        return "< 1\u00a0%"
    return f"{format_number(round(100 * chance), lang)}\u00a0%"  # never "25" at a line's end, "%" on the next


def year_end(row, lang: str) -> str | None:
    """A KPI row's year-end projection, short: the chance of its target in words and figure, or the median
    without a target; None without a projection or for a closed year (its status says it all)."""
    if is_missing(row.year_end) or row.outlook_note == "closed":
        return None
    if is_missing(row.chance):
        return t("card_outlook_no_target", lang, median=_short(row.year_end, row.unit, lang))
    return t("card_outlook", lang, word=t(f"outlook_{row.likelihood}", lang), chance=_percent(row.chance, lang))


def year_end_detail(row, lang: str) -> str | None:
    """The projection in full: median, 80 % band, the target's chance, and how it was made."""
    if is_missing(row.year_end) or row.outlook_note == "closed":
        return None
    text = t("outlook_detail", lang, median=_amount(row.year_end, row.unit, lang),
             low=_amount(row.year_end_low, row.unit, lang), high=_amount(row.year_end_high, row.unit, lang))
    if not is_missing(row.chance):
        text += " " + t("outlook_detail_chance", lang, target=_amount(row.target, row.unit, lang),
                        chance=_percent(row.chance, lang), word=t(f"outlook_{row.likelihood}", lang))
    return f"{text} {t(f'outlook_note_{row.outlook_note}', lang).capitalize()}."


def outlook_note(filters_whole: bool, lang: str) -> str:
    """How the year-end words are decided, or why the cards have none (a view narrower than whole plans)."""
    return t("outlook_rule" if filters_whole else "outlook_whole_plans_only", lang)


def _short(value, unit: str, lang: str) -> str:
    return format_compact(value, lang, usd=unit == "usd")


def _basis(row, lang: str) -> str | None:
    """What the card's delta compares with, short: the target to date and the yearly one (None without a
    target); a yearly figure under a period says it has no status."""
    if is_missing(row.target):
        return None
    if is_missing(row.expected):
        return t("basis_period_none", lang)
    key = "basis_period" if row.period else "basis_to_date"
    return t(key, lang, expected=_short(row.expected, row.unit, lang), target=_short(row.target, row.unit, lang))


def _target_line(row, lang: str) -> str:
    """The card's target to date in full, said for what the chosen period does to it (see `kpis.kpi_table`)."""
    if is_missing(row.target):
        return t("no_target", lang)
    target = _amount(row.target, row.unit, lang)
    if is_missing(row.expected):  # a yearly figure under a period
        return t("target_period_none", lang, target=target)
    key = "target_to_date_period" if row.period else "target_to_date"
    return t(key, lang, expected=_amount(row.expected, row.unit, lang), target=target) + _coverage(row, lang)


def _coverage(row, lang: str) -> str:
    """A total's plans without a target, whose figures its value, target and gap leave out ("" when none)."""
    if row.plans <= 1 or not row.plans_without_target:
        return ""
    text = t("total_coverage", lang, covered=row.plans - row.plans_without_target, plans=row.plans,
             without=row.plans_without_target)
    if not is_missing(row.actual_without_target):
        text += " (" + t("total_left_out", lang, amount=_amount(row.actual_without_target, row.unit, lang)) + ")"
    return ". " + text


def kpi_comparison(kpis: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """The total (first, to be pinned: see `comparison_units`) then the plans, one row each: every KPI's actual
    as a number (so the table sorts it as one) and its status in its own column; the CSV adds the targets."""
    shown_rows, raw_rows = [], []
    order = sorted(kpis["plan_id"].unique(), key=lambda plan_id: plan_id != TOTAL)
    for plan_id in order:
        rows = kpis[kpis["plan_id"] == plan_id]
        name = labels.get(plan_id, t("alliance_total", lang))
        as_of = rows["as_of"].iloc[0]
        shown = {t("plan", lang): name, t("status_as_of", lang): "" if is_missing(as_of) else format_date(
            pd.Timestamp(as_of).date(), lang)}
        raw = {t("plan", lang): name,
               t("status_as_of", lang): None if is_missing(as_of) else pd.Timestamp(as_of).date()}
        for row in rows.itertuples():
            label = t(f"kpi_{row.kpi}", lang)
            status_header = f"{label} · {t('status', lang)}"
            shown[label] = None if is_missing(row.actual) else float(row.actual)
            # The year end joins the status's column (10 more columns cost every rerun a wider table to send).
            shown[status_header] = " · ".join(part for part in (
                t(_badge(row.status)[0], lang), year_end(row, lang)) if part)
            raw[label] = row.actual
            raw[status_header] = shown[status_header]
            raw[f"{label} · {t('target', lang)}"] = row.target
        shown_rows.append(shown)
        raw_rows.append(raw)
    return Presented(pd.DataFrame(shown_rows), pd.DataFrame(raw_rows))


def comparison_units(lang: str) -> dict[str, str]:
    """The unit of each numeric column of `kpi_comparison`'s shown table (header -> "count" or "usd")."""
    return {t(f"kpi_{kpi.key}", lang): kpi.unit for kpi in KPIS}


def data_as_of(info: dict, lang: str) -> str:
    """When the database was built from the plan's files (`queries.build_info`), in words: its version hash is
    for support, not for a director."""
    return t("data_as_of", lang, built=stamp(info["built_at_utc"], lang))


STATUS_DATES_LISTED = 3  # more plans than this: their status dates as a range, each in the comparison table


def status_rule(plans: pd.DataFrame, labels: dict[str, str], lang: str, escape: Callable[[str], str] = str,
                period: bool = False) -> str:
    """How a KPI status is decided, said once: the status date when the plans share one, each plan's for a
    few, else the range and where each plan's is (plan names passed through `escape`); with a chosen
    `period`, what it does to the targets."""
    dated = plans.dropna(subset=["as_of"])
    days = sorted({pd.Timestamp(day).date() for day in dated["as_of"]})
    if not days:
        as_of = t("today", lang)
    elif len(days) == 1:
        as_of = format_date(days[0], lang)
    elif len(dated) <= STATUS_DATES_LISTED:
        as_of = ", ".join(f"{escape(labels[row.plan_id])}: {format_date(pd.Timestamp(row.as_of).date(), lang)}"
                          for row in dated.itertuples())
    else:
        as_of = t("status_dates_range", lang, first=format_date(days[0], lang), last=format_date(days[-1], lang))
    rule = t("status_rule", lang, as_of=as_of)
    return f"{rule} {t('status_rule_period', lang)}" if period else rule


def years_summed_note(plans: pd.DataFrame, lang: str) -> str:
    """Said under a total that adds plans of several years ("" when they share one)."""
    years = years_summed(plans)
    return t("total_adds_years", lang, years=", ".join(map(str, years))) if years else ""


def total_coverage_note(kpis: pd.DataFrame, lang: str) -> str:
    """Said once under the total's cards, readable without hovering (a phone cannot): the KPIs whose total
    leaves out plans without a target ("" when none does)."""
    partial = kpis[(kpis["plan_id"] == TOTAL) & kpis["expected"].notna() & (kpis["plans_without_target"] > 0)]
    items = [t("total_coverage_item", lang, kpi=t(f"kpi_{row.kpi}", lang), without=row.plans_without_target,
               plans=row.plans) for row in partial.itertuples()]
    return t("total_coverage_note", lang, items="; ".join(items)) if items else ""


def no_previous_note(kpis: pd.DataFrame, plan_id: str, lang: str) -> str:
    """Said once under a plan's cards when none of them has a figure for the year before (the cards then
    say nothing about it)."""
    rows = kpis[kpis["plan_id"] == plan_id]
    return t("no_previous_any", lang) if len(rows) and rows["previous"].isna().all() else ""


def late_table(late: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.late_activities` for people, latest first (as the query sorts them): how late and why (the
    activity's notes) come first, so a phone's first screen shows them beside the title."""
    lateness = late.assign(lateness=late["lateness"].map(lambda v: t(f"lateness_{v}", lang)))
    return localize(lateness, {"days_late": ("days_late", "count"), "lateness": ("lateness", "text")}
                    | columns("title", "notes", "plan_id", "id", "status", "planned_start", "planned_end", "type",
                              "modality", labels=labels, notes="late_reason"), lang)
