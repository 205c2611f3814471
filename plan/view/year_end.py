"""Year end (on the Progress page): one plan's KPI by month, what is known so far and where the year may close.

    queries.outlook_months + queries.outlook_kpi --fan_chart--> months to date solid, the median of the
    simulations dashed from the last month known, their 50 % and 80 % bands, the yearly target

The projections themselves are made when the database is built (`plan.outlook`); this module only draws them.
"""

import datetime as dt

import pandas as pd
import plotly.graph_objects as go

from plan.model.i18n import t
from plan.model.kpi_definitions import KPIS
from plan.outlook import projection
from plan.view import overview
from plan.view.charts import PALETTE, TARGET_COLOR, short_ticks, styled
from plan.view.present import Presented, is_missing, localize, month_label

BAND_80 = "rgba(11, 83, 148, 0.15)"  # the palette's blue, light: 80 % of the simulations
BAND_50 = "rgba(11, 83, 148, 0.32)"  # darker: the middle half


def kpi_options() -> list[str]:
    """The KPIs a fan can be drawn for, in the overview's order."""
    return [kpi.key for kpi in KPIS]


def kpi_row(stored: pd.DataFrame):
    """`queries.outlook_kpi`'s row as the overview's KPI rows read (with the chance's word), for its sentences."""
    return next(stored.assign(likelihood=[projection.likelihood(chance) for chance in stored["chance"]])
                .itertuples())


def _months(months: pd.DataFrame, lang: str) -> list[str]:
    return [month_label(dt.date(int(year), int(m), 1), lang) for year, m in zip(months["year"], months["month"],
                                                                               strict=True)]


def fan_chart(months: pd.DataFrame, row, lang: str) -> go.Figure:
    """`months` (queries.outlook_months) of the KPI `row` (`kpi_row`) as a fan."""
    x = _months(months, lang)
    usd = row.unit == "usd"
    figure = go.Figure()
    projected = months["q50"].notna()
    if projected.any():
        ahead = months[projected]
        ahead_x = [label for label, keep in zip(x, projected, strict=True) if keep]
        for low, high, color, name in (("q10", "q90", BAND_80, "year_end_band_80"),
                                       ("q25", "q75", BAND_50, "year_end_band_50")):
            figure.add_scatter(x=ahead_x, y=ahead[high], mode="lines", line={"width": 0}, showlegend=False,
                               hoverinfo="skip")
            figure.add_scatter(x=ahead_x, y=ahead[low], mode="lines", line={"width": 0}, fill="tonexty",
                               fillcolor=color, name=t(name, lang), hoverinfo="skip")
        figure.add_scatter(x=ahead_x, y=ahead["q50"], mode="lines", name=t("year_end_median", lang),
                           line={"color": PALETTE[0], "dash": "dash", "width": 2},
                           customdata=list(zip(ahead["q10"], ahead["q90"], strict=True)),
                           hovertemplate="%{x}<br>" + t("year_end_median", lang) + ": %{y:,.0f}<br>"
                                         + t("year_end_band_80", lang) + ": %{customdata[0]:,.0f} – "
                                         "%{customdata[1]:,.0f}<extra></extra>")
    known = months["actual"].notna()
    figure.add_scatter(x=[label for label, keep in zip(x, known, strict=True) if keep],
                       y=months.loc[known, "actual"], mode="lines+markers", name=t("year_end_actual", lang),
                       line={"color": PALETTE[0], "width": 3},
                       hovertemplate="%{x}<br>" + t("year_end_actual", lang) + ": %{y:,.0f}<extra></extra>")
    largest = max(months[["actual", "q90"]].max().max(), 0 if is_missing(row.target) else float(row.target))
    if not is_missing(row.target):
        figure.add_scatter(x=[x[0], x[-1]], y=[float(row.target)] * 2, mode="lines", name=t("year_end_target", lang),
                           line={"color": TARGET_COLOR, "dash": "dot", "width": 2},
                           hovertemplate=t("year_end_target", lang) + ": %{y:,.0f}<extra></extra>")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=x)
    figure.update_yaxes(rangemode="tozero", **short_ticks(largest * 1.05, lang, usd=usd))
    title = t("year_end_title", lang, kpi=t(f"kpi_{row.kpi}", lang))
    return styled(figure, title, lang, t("progress_month", lang),
                  t("axis_usd", lang) if usd else t("year_end_axis_count", lang))


def fan_table(months: pd.DataFrame, unit: str, lang: str) -> Presented:
    """The numbers behind the fan: per month the cumulative actual and the simulations' quantiles."""
    frame = months.assign(month=_months(months, lang))
    return localize(frame, {"month": ("progress_month", "text"), "actual": ("year_end_actual", unit),
                            "q10": ("year_end_q10", unit), "q25": ("year_end_q25", unit),
                            "q50": ("year_end_median", unit), "q75": ("year_end_q75", unit),
                            "q90": ("year_end_q90", unit)}, lang)


def fan_note(row, lang: str) -> str:
    """What the fan means, in a sentence, with the chance of the target and how it was made (the cases behind
    it); for a closed year, that its end is known."""
    if is_missing(row.year_end):
        return t("year_end_none", lang, note=t(f"outlook_note_{row.outlook_note or 'nothing'}", lang))
    if row.outlook_note == "closed":
        return t("outlook_note_closed", lang).capitalize() + "."
    detail = overview.year_end_detail(row, lang)
    cases = "" if row.outlook_method == "pace" else " " + t(f"year_end_cases_{row.outlook_method}", lang,
                                                           n=int(row.outlook_n))
    return f"{t('year_end_reading', lang)} {detail}{cases}"
