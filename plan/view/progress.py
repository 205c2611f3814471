"""Progress: are we on plan? Activities planned and done by month against the plan, to date and cumulative, the
calendar of planned and actual dates, and the list of activities."""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from plan.model.i18n import format_number, t
from plan.model.models import ActivityType, Modality, Sector, Status
from plan.view import kpis, queries
from plan.view.charts import PALETTE, plain, plan_name, schedule, styled
from plan.view.filters import TOTAL, Filters
from plan.view.present import Card, Presented, as_text, columns, is_missing, localize, month_label, signed


def _cutoffs(plans: pd.DataFrame) -> dict[str, dt.date]:
    """Each plan's status date (`as_of`, today when the plan has none), at most the end of its year."""
    return {row.plan_id: min(dt.date.today() if is_missing(row.as_of) else pd.Timestamp(row.as_of).date(),
                             dt.date(int(row.year), 12, 31))
            for row in plans.itertuples()}


def has_activities(monthly: pd.DataFrame) -> bool:
    """Whether `queries.monthly_progress` counts any activity (its month grid is there regardless)."""
    return bool(monthly["planned"].sum() or monthly["done"].sum())


def monthly_table(monthly: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.monthly_progress` for people (empty when no activity matches the filters)."""
    if not has_activities(monthly):
        monthly = monthly.iloc[0:0]
    shown, raw = localize(monthly, {"plan_id": ("plan", labels), "month": ("progress_month", "date"),
                                    "planned": ("progress_planned", "count"), "done": ("progress_done", "count"),
                                    "planned_cumulative": ("progress_planned_cumulative", "count"),
                                    "done_cumulative": ("progress_done_cumulative", "count")}, lang)
    month = t("progress_month", lang)
    shown[month] = [month_label(m, lang) for m in monthly["month"]]
    return Presented(shown, raw)


def to_date(con, filters: Filters) -> pd.DataFrame:
    """`queries.progress_to_date` with each plan's target to date for activities done and the gap to it, as
    the overview reckons them (`kpis.overview`): beside the gap against the plan's calendar, two gaps, each
    named for what it compares (one query for the page, cached as one)."""
    summary = queries.progress_to_date(con, filters)
    table = kpis.overview(con, filters)
    done = table[table["kpi"] == "activities_done"].set_index("plan_id")
    expected = summary["plan_id"].map(done["expected"])
    return summary.assign(target_to_date=expected.round(), target_gap=(summary["plan_id"].map(done["actual"])
                                                                       - expected).round())


def to_date_table(summary: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`to_date` for people, one row per plan: done, then the two gaps side by side (the calendar's, the
    target's), then the year's plan."""
    return localize(summary, {
        "plan_id": ("plan", labels), "as_of": ("as_of", "date"), "done_to_date": ("progress_done_to_date", "count"),
        "planned_to_date": ("progress_planned_to_date", "count"), "gap": ("progress_gap", "count"),
        "target_to_date": ("progress_target_to_date", "count"), "target_gap": ("progress_target_gap", "count"),
        "done_pct": ("progress_done_pct", "pct"), "planned_year": ("progress_planned_year", "count")}, lang)


def two_gaps_note(lang: str) -> str:
    """Why the overview and this page give two gaps for one plan, both right: what each compares."""
    return t("progress_two_gaps", lang)


def cards(summary: pd.DataFrame, lang: str) -> list[Card]:
    """One plan's progress to date (`to_date`) as metric texts (label, value, delta): done against what its
    calendar had due, and beside it the overview's target to date with done against it (see `two_gaps_note`)."""
    row = summary.iloc[0]
    target = [] if is_missing(row["target_to_date"]) else [
        Card(t("progress_target_to_date", lang), format_number(row["target_to_date"], lang),
             delta=signed(row["target_gap"], "count", lang), delta_description=t("progress_vs_target", lang))]
    return [
        Card(t("progress_done_to_date", lang), format_number(row["done_to_date"], lang),
             delta=signed(row["gap"], "count", lang),
             delta_description=t("progress_vs_due", lang, planned=format_number(row["planned_to_date"], lang))),
        *target,
        Card(t("progress_planned_to_date", lang), format_number(row["planned_to_date"], lang)),
        Card(t("progress_planned_year", lang), format_number(row["planned_year"], lang)),
        Card(t("progress_done_pct", lang), as_text(row["done_pct"], "pct", lang) or "—"),
    ]


def activity_table(activities: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.activity_list` for people: codes as words, markets and sectors named."""
    sectors = activities["sectors"].map(
        lambda codes: ", ".join(Sector(code).label(lang) for code in (codes if codes is not None else [])))
    return localize(activities.assign(sectors=sectors), columns(
        "plan_id", "id", "title", "status", "type", "modality", "markets", labels=labels)
        | {"sectors": ("sectors", "text")} | columns(
        "planned_start", "planned_end", "actual_start", "actual_end", "budget_usd", "spent_usd", "exporters",
        "importers", "meetings_held", "deals_closed_usd", "deals_projected_usd"), lang)


def timeline_table(activities: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """The calendar's numbers: each activity's status, planned and actual dates."""
    return localize(activities, columns("plan_id", "id", "title", "status", "planned_start", "planned_end",
                                        "actual_start", "actual_end", labels=labels), lang)


def _year_breaks(months: pd.Series) -> list[int]:
    """Positions in `months` where a new year starts: a plan's cumulative counts start again there."""
    years = months.dt.year.tolist()
    return [index for index in range(1, len(years)) if years[index] != years[index - 1]]


def _broken(values: list, breaks: list[int], axis: bool = False) -> list:
    """`values` with a point inserted before each position of `breaks`: blank (a gap in the line) or, on
    the category axis, the next value again (so the axis keeps its categories)."""
    values = list(values)
    for index in reversed(breaks):
        values.insert(index, values[index] if axis else None)
    return values


def cumulative(monthly, plans, labels: dict[str, str], lang: str) -> go.Figure:
    """Activities planned to finish (dashed) and done (solid), cumulative by month; one colour per
    plan, or the plans' total (plan id TOTAL, `queries.progress_drawn`: its line breaks where a plan
    year ends); the done line stops at the status date (what comes later is not known)."""
    cutoff = _cutoffs(plans)
    plan_ids = list(dict.fromkeys(monthly["plan_id"]))
    several = len(plan_ids) > 1
    order = [month_label(m, lang) for m in sorted(monthly["month"].unique())]
    figure = go.Figure()
    in_month = t("progress_in_month", lang)
    for index, plan_id in enumerate(plan_ids):
        rows = monthly[monthly["plan_id"] == plan_id]
        months = [month_label(m, lang) for m in rows["month"]]
        breaks = _year_breaks(rows["month"])
        color = PALETTE[index % len(PALETTE)]
        prefix = plain(plan_name(labels, plan_id, lang)) + " · " if several or plan_id == TOTAL else ""
        # The total's done count is blank after the latest status date (see queries.progress_drawn).
        known = rows["month"].dt.date <= cutoff[plan_id] if plan_id in cutoff else rows["done_cumulative"].notna()
        for measure, dash, width in (("planned", "dash", 2), ("done", "solid", 3)):
            name = prefix + t(f"progress_{measure}_cumulative", lang)
            values = rows[f"{measure}_cumulative"] if measure == "planned" else \
                rows["done_cumulative"].where(known)
            values = [None if pd.isna(v) else float(v) for v in values]
            figure.add_scatter(
                x=_broken(months, breaks, axis=True), y=_broken(values, breaks), name=name, mode="lines+markers",
                line={"color": color, "dash": dash, "width": width},
                customdata=_broken(rows[measure].astype(int).tolist(), breaks),
                hovertemplate="%{x}<br>" + name + ": %{y:,.0f}<br>" + in_month + ": %{customdata:,.0f}<extra></extra>",
            )
        if known.any() and not known.all():
            last = months[int(known.to_numpy().nonzero()[0][-1])]
            figure.add_shape(type="line", x0=last, x1=last, xref="x", y0=0, y1=1, yref="paper",
                             line={"color": "#666666", "dash": "dot", "width": 1})
            figure.add_annotation(x=last, y=1, xref="x", yref="paper", showarrow=False, yanchor="top",
                                  xanchor="right", text=t("as_of", lang), font={"size": 11, "color": "#666666"})
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    figure.update_yaxes(rangemode="tozero", tickformat=",d")
    return styled(figure, t("progress_cumulative_title", lang), lang, t("progress_month", lang),
                  t("progress_axis_activities", lang), height=460 if several else 420)


CALENDAR_TITLE_CHARS = 26  # a row's label: id and a short title, so a phone keeps room for the bars


def timeline(activities, plans, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.activity_list` on the calendar (see `schedule`), with each plan's status date marked."""
    rows = activities.assign(row=[f"{plain(r.id)} · {plain(r.title, CALENDAR_TITLE_CHARS)}"
                                   for r in activities.itertuples()])
    details = pd.DataFrame({"title": [plain(title) for title in activities["title"]],
                            t("type", lang): [ActivityType(v).label(lang) for v in activities["type"]],
                            t("modality", lang): [Modality(v).label(lang) for v in activities["modality"]],
                            t("status", lang): [Status(v).label(lang) for v in activities["status"]]})
    figure = schedule(rows, details, t("progress_timeline_title", lang), lang,
                      actual_name=lambda status: f"{status} · {t('actual', lang)}")
    # One mark per distinct status date (plans of a national view share a few), set in one layout update:
    # adding shapes one by one revalidates the whole layout each time.
    shown = set(rows["plan_id"])
    days = sorted({day.isoformat() for plan_id, day in _cutoffs(plans).items() if plan_id in shown})
    return figure.update_layout(
        shapes=[{"type": "line", "x0": day, "x1": day, "xref": "x", "y0": 0, "y1": 1, "yref": "paper",
                 "line": {"color": "#666666", "dash": "dot", "width": 1}} for day in days],
        annotations=[{"x": day, "y": 1, "xref": "x", "yref": "paper", "showarrow": False, "yanchor": "bottom",
                      "text": t("as_of", lang), "font": {"size": 11, "color": "#666666"}} for day in days])
