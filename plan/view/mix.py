"""Activity mix: are we shifting to virtual? Virtual, in-person and hybrid activities planned and done per
period, each modality's share, the virtual share per half of the year, and what each modality yields."""

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from plan.model.i18n import format_number, format_usd, t
from plan.model.models import Modality
from plan.view.charts import styled
from plan.view.present import Card, Presented, as_text, columns, localize, month_label

GRAINS = ("quarter", "month")
# A modality keeps its colour in every chart (tests/test_colours.py checks them with the palette).
MODALITY_COLORS = {"virtual": "#0b5394", "in_person": "#e69138", "hybrid": "#009e73"}
# An effectiveness figure resting on fewer activities than this is a case, not an average: drawn faded, said so.
MIN_ACTIVITIES = 3
FADED = 0.35


def _period_label(value, grain: str, lang: str) -> str:
    """`T2 2021` / `Q2 2021` for a quarter, `abr 2021` / `Apr 2021` for a month."""
    day = pd.Timestamp(value).date()
    if grain == "quarter":
        return t("mix_quarter_label", lang, quarter=(day.month - 1) // 3 + 1, year=day.year)
    return month_label(day, lang)


def grid(by_period: pd.DataFrame, grain: str, lang: str) -> pd.DataFrame:
    """`queries.modality_by_period` summed over the plans, every period from the first to the
    last and every modality (zeros filled), with each modality's share of the period (%)."""
    columns = ["period", "label", "modality", "planned", "done", "planned_pct", "done_pct"]
    if by_period.empty or int(by_period["planned"].sum() + by_period["done"].sum()) == 0:
        return pd.DataFrame(columns=columns)
    summed = by_period.groupby(["period", "modality"], as_index=False)[["planned", "done"]].sum()
    periods = pd.date_range(summed["period"].min(), summed["period"].max(), freq="QS" if grain == "quarter" else "MS")
    full = pd.MultiIndex.from_product([periods, [m.value for m in Modality]], names=["period", "modality"])
    grid = summed.set_index(["period", "modality"]).reindex(full, fill_value=0).reset_index()
    for measure in ("planned", "done"):
        total = grid.groupby("period")[measure].transform("sum")
        grid[f"{measure}_pct"] = (100 * grid[measure] / total.where(total > 0)).round(1)
    grid["label"] = [_period_label(p, grain, lang) for p in grid["period"]]
    return grid[columns]


def grid_table(grid: pd.DataFrame, grain: str, lang: str) -> Presented:
    """The grid's periods with activity, for the table under the charts, headed by the grain (quarter or month)."""
    rows = grid[(grid["planned"] > 0) | (grid["done"] > 0)]
    return localize(rows, {"label": (f"mix_grain_{grain}", "text"), "modality": ("modality", Modality),
                           "planned": ("mix_planned", "count"), "done": ("mix_done", "count"),
                           "planned_pct": ("mix_planned_pct", "pct"), "done_pct": ("mix_done_pct", "pct")}, lang)


def halves(quarterly: pd.DataFrame) -> pd.DataFrame:
    """Per plan and half of the year (by planned start): activities planned, virtual ones and their share."""
    columns = ["plan_id", "half", "planned", "virtual", "virtual_pct"]
    if quarterly.empty:
        return pd.DataFrame(columns=columns)
    frame = quarterly.assign(half=[1 if pd.Timestamp(p).month <= 6 else 2 for p in quarterly["period"]],
                             virtual=quarterly["planned"].where(quarterly["modality"] == Modality.VIRTUAL.value, 0))
    halves = frame.groupby(["plan_id", "half"], as_index=False, sort=True)[["planned", "virtual"]].sum()
    halves = halves[halves["planned"] > 0]
    halves["virtual_pct"] = (100 * halves["virtual"] / halves["planned"]).round(1)
    return halves[columns].reset_index(drop=True)


def halves_table(halves: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    frame = halves.assign(half=[t(f"mix_half_{h}", lang) for h in halves["half"]])
    return localize(frame, {"plan_id": ("plan", labels), "half": ("mix_half", "text"),
                            "planned": ("mix_planned", "count"), "virtual": ("mix_virtual", "count"),
                            "virtual_pct": ("mix_virtual_pct", "pct")}, lang)


def half_cards(halves: pd.DataFrame, lang: str) -> list[Card]:
    """One plan's virtual share per half as metric texts."""
    return [Card(t(f"mix_virtual_half_{row.half}", lang), as_text(row.virtual_pct, "pct", lang),
                 caption=t("mix_of_planned", lang, virtual=format_number(row.virtual, lang),
                           planned=format_number(row.planned, lang)))
            for row in halves.itertuples()]


def _sample(activities: int, costed: int, lang: str) -> str:
    """Which of a modality's figures rest on fewer than MIN_ACTIVITIES activities (blank: none)."""
    if activities < MIN_ACTIVITIES:
        return t("mix_sample_small", lang, minimum=MIN_ACTIVITIES)
    if costed < MIN_ACTIVITIES:
        return t("mix_sample_small_cost", lang, minimum=MIN_ACTIVITIES)
    return ""


def effectiveness_table(effect: pd.DataFrame, lang: str) -> Presented:
    """`queries.modality_effectiveness` for people, units in the headers, modalities in their usual order,
    the activities behind each figure and whether they are too few (MIN_ACTIVITIES)."""
    order = {m.value: i for i, m in enumerate(Modality)}
    effect = effect.sort_values("modality", key=lambda codes: codes.map(order), kind="stable")
    effect = effect.assign(sample=[_sample(n, costed, lang) for n, costed
                                   in zip(effect["activities"], effect["costed_activities"], strict=True)])
    return localize(effect, {
        "modality": ("modality", Modality), "activities": ("mix_activities_done", "count"),
        "costed_activities": ("mix_costed_activities", "count"), "sample": ("mix_sample", "text"),
        "meetings_held": ("meetings_held", "count"), "meetings_per_activity": ("mix_meetings_per_activity", "decimal"),
        "closed_per_meeting_usd": ("mix_closed_per_meeting", "usd"),
        "projected_per_meeting_usd": ("mix_projected_per_meeting", "usd"),
        "cost_per_meeting_usd": ("mix_cost_per_meeting", "usd"),
        "exporters_per_activity": ("mix_exporters_per_activity", "decimal"),
    } | columns("deals_closed_usd", "deals_projected_usd", "spent_usd"), lang)


def by_period(grid, lang: str) -> go.Figure:
    """`grid`: activities planned (top) and done (bottom) per period, stacked by modality, both panels on
    the same scale (each on its own made a few done look like as many as planned)."""
    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.12,
                           subplot_titles=(t("mix_planned", lang), t("mix_done", lang)))
    order = list(dict.fromkeys(grid["label"]))
    unit = t("mix_activities_unit", lang)
    for modality in Modality:
        rows = grid[grid["modality"] == modality.value]
        for row_number, measure in ((1, "planned"), (2, "done")):
            figure.add_bar(
                x=list(rows["label"]), y=[int(v) for v in rows[measure]], name=modality.label(lang),
                legendgroup=modality.value, showlegend=row_number == 1,
                marker={"color": MODALITY_COLORS[modality.value]},
                customdata=[None if v != v else float(v) for v in rows[f"{measure}_pct"]],
                text=[format_number(v, lang) if v else "" for v in rows[measure]], textposition="inside",
                textangle=0,
                hovertemplate="%{x} · " + modality.label(lang) + "<br>" + t(f"mix_{measure}", lang)
                + ": %{y} " + unit + " (%{customdata:.1f} %)<extra></extra>",
                row=row_number, col=1)
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    figure.update_xaxes(title_text=t("mix_period_axis", lang), row=2, col=1)
    busiest = max(int(grid.groupby("period")[measure].sum().max()) for measure in ("planned", "done"))
    figure.update_yaxes(title_text=t("mix_axis_activities", lang), tickformat=",d", range=[0, busiest * 1.08])
    return styled(figure, t("mix_by_period_title", lang), lang, height=560, top=100)


def share(grid, lang: str) -> go.Figure:
    """`grid`: each modality's share of the activities planned per period (100 % stacked)."""
    figure = go.Figure()
    order = list(dict.fromkeys(grid["label"]))
    for modality in Modality:
        rows = grid[grid["modality"] == modality.value]
        shares = [None if v != v else float(v) for v in rows["planned_pct"]]
        figure.add_bar(
            x=list(rows["label"]), y=shares, name=modality.label(lang),
            marker={"color": MODALITY_COLORS[modality.value]}, customdata=[int(v) for v in rows["planned"]],
            text=[f"{format_number(v, lang)} %" if v else "" for v in shares], textposition="inside", textangle=0,
            hovertemplate="%{x} · " + modality.label(lang) + "<br>%{y:.1f} % (%{customdata} "
            + t("mix_activities_unit", lang) + ")<extra></extra>")
    figure.update_layout(barmode="stack")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=order)
    figure.update_yaxes(range=[0, 100], ticksuffix=" %")
    return styled(figure, t("mix_share_title", lang), lang, t("mix_period_axis", lang), t("mix_share_axis", lang))


# Each measure with its number format and the count of activities behind it.
EFFECTIVENESS = (
    ("meetings_per_activity", "mix_meetings_per_activity", ",.1f", "activities"),
    ("closed_per_meeting_usd", "mix_closed_per_meeting", ",.0f", "activities"),
    ("projected_per_meeting_usd", "mix_projected_per_meeting", ",.0f", "activities"),
    ("cost_per_meeting_usd", "mix_cost_per_meeting", ",.0f", "costed_activities"),
    ("exporters_per_activity", "mix_exporters_per_activity", ",.1f", "activities"),
)


def effectiveness(effect, lang: str) -> go.Figure:
    """`queries.modality_effectiveness`: one panel per measure, stacked, one horizontal bar per modality
    (five panels side by side left a phone five slivers with overlapping titles); each figure says the
    activities behind it (n), faded when they are fewer than MIN_ACTIVITIES."""
    titles = [t(key, lang) for _c, key, _f, _n in EFFECTIVENESS]
    figure = make_subplots(rows=len(EFFECTIVENESS), cols=1, vertical_spacing=0.09, subplot_titles=titles)
    present_modalities = [m for m in Modality if m.value in set(effect["modality"])]
    rows = effect.set_index("modality").reindex([m.value for m in present_modalities])
    for row, (column, key, number, sample) in enumerate(EFFECTIVENESS, start=1):
        values = [None if v != v else float(v) for v in rows[column]]
        counts = [int(n) for n in rows[sample]]
        usd = column.endswith("_usd")
        texts = ["" if v is None else (format_usd(v, lang) if usd else format_number(v, lang, 1)) for v in values]
        figure.add_bar(
            y=[m.label(lang) for m in present_modalities], x=values, orientation="h", showlegend=False,
            marker={"color": [MODALITY_COLORS[m.value] for m in present_modalities],
                    "opacity": [1 if n >= MIN_ACTIVITIES else FADED for n in counts]},
            text=[text and f"{text} (n = {n})" for text, n in zip(texts, counts, strict=True)], customdata=counts,
            textposition="outside", textangle=0, cliponaxis=False, name=t(key, lang),
            hovertemplate="%{y}<br>" + t(key, lang) + ": " + ("US$" if usd else "") + "%{x:" + number
            + "}<br>n = %{customdata} " + t("mix_activities_unit", lang) + "<extra></extra>", row=row, col=1)
        figure.update_xaxes(range=[0, max([v for v in values if v is not None], default=1.0) * 1.6], row=row, col=1)
    figure.update_xaxes(tickformat=",.0f")
    figure.update_yaxes(autorange="reversed")
    styled(figure, t("mix_effectiveness_title", lang), lang, height=130 * len(EFFECTIVENESS) + 120)
    return figure.update_annotations(font={"size": 13}, xanchor="left", x=0)


def effectiveness_note(effect: pd.DataFrame, lang: str) -> str:
    """The rule for faded figures, when one of them is faded (blank otherwise)."""
    few = (effect["activities"] < MIN_ACTIVITIES) | (effect["costed_activities"] < MIN_ACTIVITIES)
    return t("mix_few_note", lang, minimum=MIN_ACTIVITIES) if few.any() else ""
