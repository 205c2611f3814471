"""Impact (its page and the report's section): did the plan's activities move exports?

    plan.impact.results.estimates --table / side_by_side--> every done activity: estimate, 90 % interval, the
                                                             firms or cells behind it, and why there is none
    plan.impact.results.before_after --before_after--> one activity: participants and comparison firms, month by
                                                        month, 100 = their average in the 12 months before

The estimates are made by `plan.impact` on first request for a version of the plan; this module only shows them.
No firm id reaches it (the estimators return none).
"""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from plan.impact.estimates import Estimate, meaning, note
from plan.model.i18n import format_number, t
from plan.view.charts import PALETTE, TARGET_COLOR, styled
from plan.view.firms import MIN_FIRMS
from plan.view.present import Presented, month_label

LEVEL_COLORS = {"firm": PALETTE[0], "aggregate": PALETTE[1]}


def change(estimate: Estimate, value: float | None, lang: str) -> str:
    """A relative change (`exports`: `+15 %`) or a change in a share (`exporting`: `+5,0 pts`); "" when none."""
    if value is None:
        return ""
    number = ("+" if value > 0 else "") + format_number(100 * value, lang, 1 if estimate.outcome == "exporting"
                                                        else 0)
    return t("impact_points", lang, value=number) if estimate.outcome == "exporting" else f"{number}\u00a0%"


def sentence(estimate: Estimate, title: str, lang: str) -> str:
    """What one estimate says, with its interval and the cases behind it, then what it means and what not; or why
    there is none."""
    if estimate.estimate is None:
        return t("impact_sentence_none", lang, outcome=t(f"impact_outcome_{estimate.outcome}", lang),
                 level=t(f"impact_level_{estimate.level}", lang), reason=note(estimate, lang))
    said = t(f"impact_sentence_{estimate.level}_{estimate.outcome}", lang, title=title,
             estimate=change(estimate, estimate.estimate, lang), low=change(estimate, estimate.low, lang),
             high=change(estimate, estimate.high, lang), treated=format_number(estimate.n_treated, lang),
             control=format_number(estimate.n_control, lang))
    return f"{said} {meaning(estimate.level, lang)}"


def table(estimates: list[Estimate], titles: dict[str, str], lang: str) -> Presented:
    """Every estimate of the plan, one row per activity, level and outcome; the download keeps the numbers (a share
    of change: 0.15 = +15 %)."""
    headers = [t(key, lang) for key in ("impact_activity", "impact_column_level", "impact_column_outcome",
                                        "impact_column_estimate", "impact_interval_low", "impact_interval_high",
                                        "impact_column_n_treated", "impact_column_n_control", "impact_note")]
    rows = [[f"{e.activity_id} · {titles.get(e.activity_id, '')}", t(f"impact_level_{e.level}", lang),
             t(f"impact_outcome_{e.outcome}", lang), e.estimate, e.low, e.high, e.n_treated, e.n_control,
             note(e, lang) or ""] for e in estimates]
    raw = pd.DataFrame(rows, columns=headers)
    shown = raw.copy()
    for column, field in zip(headers[3:6], ("estimate", "low", "high"), strict=True):
        shown[column] = [change(e, getattr(e, field), lang) for e in estimates]
    return Presented(shown, raw)


def drawn(estimates: list[Estimate]) -> list[Estimate]:
    """The estimates the side-by-side chart draws: the change in exports, where there is one."""
    return [e for e in estimates if e.outcome == "exports" and e.estimate is not None]


def side_by_side(estimates: list[Estimate], titles: dict[str, str], lang: str) -> go.Figure:
    """The activities side by side: each one's change in exports to its markets with its 90 % interval, firm level
    and aggregate level in their colours, the line of no change; activities without an estimate are listed in the
    table, not drawn."""
    figure = go.Figure()
    shown = drawn(estimates)
    for level in ("firm", "aggregate"):
        mine = [e for e in shown if e.level == level]
        if not mine:
            continue
        figure.add_scatter(
            x=[100 * e.estimate for e in mine], y=[e.activity_id for e in mine], mode="markers",
            name=t(f"impact_level_{level}", lang), marker={"color": LEVEL_COLORS[level], "size": 11},
            error_x={"type": "data", "symmetric": False, "array": [100 * (e.high - e.estimate) for e in mine],
                     "arrayminus": [100 * (e.estimate - e.low) for e in mine], "thickness": 2},
            customdata=[[change(e, e.estimate, lang), change(e, e.low, lang), change(e, e.high, lang),
                         e.n_treated, e.n_control, titles.get(e.activity_id, "")] for e in mine],
            hovertemplate="%{y} · %{customdata[5]}<br>%{customdata[0]} (" + t("impact_interval", lang)
                          + ": %{customdata[1]} … %{customdata[2]})<br>" + t("impact_column_n_treated", lang)
                          + ": %{customdata[3]} · " + t("impact_column_n_control", lang)
                          + ": %{customdata[4]}<extra></extra>")
    figure.add_vline(x=0, line={"color": TARGET_COLOR, "dash": "dot", "width": 2})
    labels = list(dict.fromkeys(e.activity_id for e in shown))  # ids only: a phone keeps room for the marks
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=labels[::-1])
    figure.update_xaxes(ticksuffix=" %", zeroline=False)
    return styled(figure, t("impact_side_by_side_title", lang), lang, t("impact_axis_change", lang), None,
                  height=max(260, 120 + 38 * len(labels)))


def shown_groups(monthly: pd.DataFrame) -> bool:
    """Whether the before/after chart can be drawn: both groups hold at least MIN_FIRMS firms (a group of fewer
    would describe them one by one)."""
    return not monthly.empty and bool((monthly.groupby("group")["firms"].first() >= MIN_FIRMS).all())


def before_after(monthly: pd.DataFrame, activity_month: tuple[int, int], title: str, lang: str) -> go.Figure:
    """`results.before_after`: participants and comparison firms month by month, each group's exports to the
    activity's markets as an index (100 = its monthly average in the 12 months before), the activity's month
    marked."""
    figure = go.Figure()
    months = sorted({(int(y), int(m)) for y, m in zip(monthly["year"], monthly["month"], strict=True)})
    x = [month_label(dt.date(y, m, 1), lang) for y, m in months]
    for group, color in (("participants", PALETTE[0]), ("comparison", PALETTE[5])):
        rows = monthly[monthly["group"] == group]
        figure.add_scatter(x=[month_label(dt.date(int(y), int(m), 1), lang)
                              for y, m in zip(rows["year"], rows["month"], strict=True)],
                           y=rows["index"], mode="lines+markers",
                           name=t(f"impact_group_{group}", lang, firms=format_number(int(rows["firms"].iloc[0]), lang)),
                           line={"color": color, "width": 3 if group == "participants" else 2,
                                 "dash": "solid" if group == "participants" else "dash"},
                           hovertemplate="%{x}: %{y:.0f}<extra></extra>")
    marked = month_label(dt.date(*activity_month, 1), lang)
    if marked in x:
        figure.add_vline(x=x.index(marked), line={"color": TARGET_COLOR, "dash": "dot", "width": 2})
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=x)
    return styled(figure, t("impact_before_after_title", lang, title=title), lang, t("progress_month", lang),
                  t("impact_axis_index", lang))


def before_after_table(monthly: pd.DataFrame, lang: str) -> Presented:
    """The numbers behind the before/after chart: per month and group, the index and the share of firms
    exporting there (no firm, no id)."""
    frame = monthly.assign(
        when=[month_label(dt.date(int(y), int(m), 1), lang) for y, m in zip(monthly["year"], monthly["month"],
                                                                            strict=True)],
        who=[t(f"impact_group_{g}", lang, firms=format_number(int(n), lang))
             for g, n in zip(monthly["group"], monthly["firms"], strict=True)])
    raw = pd.DataFrame({t("progress_month", lang): frame["when"], t("impact_group", lang): frame["who"],
                        t("impact_axis_index", lang): frame["index"].round(1),
                        t("impact_exporting_share", lang): (100 * frame["exporting"]).round(1)})
    shown = raw.copy()
    for column in raw.columns[2:]:
        shown[column] = [format_number(v, lang, 1) if pd.notna(v) else "" for v in raw[column]]
    return Presented(shown, raw)
