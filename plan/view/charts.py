"""Plotly figures for the pages and the report, built from query results, labelled in es/en.

Every builder takes a DataFrame from `plan.view.queries` and the language and returns a figure
with a title, axis titles with units and hover texts; numbers use the language's separators
(es-CL `1.500.000,5`, en `1,500,000.5`). No builder reads the database or Streamlit.
"""

import html
import textwrap

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from plan.model.countries import country_name
from plan.model.i18n import format_compact, format_date, format_number, format_usd, t
from plan.model.models import Status
from plan.view import present

# A sober palette readable on a projector and by colour-blind readers (tests/test_colours.py checks each
# group under protanopia, deuteranopia and tritanopia); statuses keep their colour everywhere, and so do the
# modalities (`mix.MODALITY_COLORS`, the only page that draws them).
PALETTE = ["#0b5394", "#e69138", "#009e73", "#882255", "#56b4e9", "#999999", "#d55e00", "#cc79a7"]
STATUS_COLORS = {"planned": "#9fc5e8", "in_progress": "#e69138", "done": "#009e73", "postponed": "#aa4499",
                 "cancelled": "#5f5f5f"}
TARGET_COLOR = "#b7b7b7"  # a target, or what was asked for (meetings requested), beside what came of it
USD_FORMAT = ",.0f"  # d3 format; the separators come from the layout
_DAY_MS = 86_400_000  # a date axis measures bar lengths in milliseconds


def separators(lang: str) -> str:
    """Plotly's decimal and thousands marks for the language."""
    return ".," if lang == "en" else ",."


TITLE_CHARS = 40  # a chart title's line: what a 390 px phone shows whole (plotly never wraps a title)
TITLE_LINE_PX = 22


def styled(figure: go.Figure, title: str, lang: str, x_title: str | None = None, y_title: str | None = None,
           height: int = 420, top: int = 60) -> go.Figure:
    """The shared look: title (wrapped into lines a phone shows whole, the top margin `top` grown to hold
    them), axis titles, language separators, legend below, no Plotly logo."""
    lines = textwrap.wrap(title, TITLE_CHARS, break_long_words=False, break_on_hyphens=False) or [title]
    figure.update_layout(
        title={"text": "<br>".join(lines), "x": 0, "xanchor": "left"},
        separators=separators(lang),
        colorway=PALETTE,
        height=height + TITLE_LINE_PX * (len(lines) - 1),
        margin={"l": 10, "r": 10, "t": top + TITLE_LINE_PX * (len(lines) - 1), "b": 10},
        # Under the plot, at the figure's foot: on a phone a legend wraps to several lines, and on top it
        # covered the title and the marks drawn at the plot's top edge.
        legend={"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "xanchor": "left", "x": 0,
                "title": None},
        font={"size": 14},
        hoverlabel={"namelength": -1},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    return figure


def plan_name(labels: dict[str, str], plan_id: str, lang: str) -> str:
    """A plan as a legend names it; the plans' total (plan id TOTAL) as "Total"."""
    return labels.get(plan_id, t("total", lang))


def room_for_labels(figure: go.Figure, largest: float, room: float = 1.3) -> go.Figure:
    """Horizontal bars with their amounts written after them: widen the axis `room` times so they fit."""
    figure.update_xaxes(range=[0, max(largest, 1.0) * room])
    return figure.update_layout(margin={"r": 20})


def usd_axis(lang: str) -> str:
    return t("axis_usd", lang)


def plain(value, limit: int | None = None) -> str:
    """Data text (titles, names) for plotly, which reads a little HTML: escaped, maybe shortened."""
    value = "" if value is None else str(value)
    if limit and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return html.escape(value)


def day_text(value, lang: str) -> str:
    return "" if pd.isna(value) else format_date(pd.Timestamp(value).date(), lang)


def _span_text(start, end, until, lang: str) -> str:
    """`01-04-2021 – 30-06-2021`; still running: up to the status date, said so; not started: `—`."""
    if pd.isna(start):
        return "—"
    if pd.isna(end):
        return f"{day_text(start, lang)} – {day_text(until, lang)} ({t('until_as_of', lang)})"
    return f"{day_text(start, lang)} – {day_text(end, lang)}"


def _span_ms(start, end) -> int:
    """A bar's length on a date axis (milliseconds), the end day included."""
    return int(((pd.Timestamp(end) - pd.Timestamp(start)).days + 1) * _DAY_MS)


def month_ticks(first, last, lang: str) -> tuple[list[str], list[str]]:
    """Month ticks for a date axis, named in the language (plotly only knows English months)."""
    starts = pd.date_range(pd.Timestamp(first).to_period("M").to_timestamp(), pd.Timestamp(last), freq="MS")
    step = max(1, -(-len(starts) // 14))
    starts = starts[::step]
    return [s.date().isoformat() for s in starts], [present.month_label(s, lang) for s in starts]


def schedule(rows: pd.DataFrame, details: pd.DataFrame, title: str, lang: str, actual_name) -> go.Figure:
    """A calendar (Gantt) of activities or campaigns: per row its planned span as a light bar and
    its actual span (`actual_start` to `actual_until`) as a narrow dark bar over it, both in the
    colour of its status, month ticks in the language.

    `rows` holds `row` (the label), `status`, the planned and actual dates and `actual_until`
    (`queries.activity_list`/`campaigns`); `details` the hover lines, the first in bold, the others
    after their column name. `actual_name(status label)` names the actual bars' traces."""
    rows, details = rows.reset_index(drop=True), details.reset_index(drop=True)
    spans = [t("planned_span", lang), t("actual_span", lang)]
    custom = details.assign(
        planned=[_span_text(s, e, None, lang) for s, e in zip(rows["planned_start"], rows["planned_end"], strict=True)],
        actual=[_span_text(s, e, u, lang) for s, e, u in zip(rows["actual_start"], rows["actual_end"],
                                                             rows["actual_until"], strict=True)])
    lines = ["<b>%{customdata[0]}</b>"] + [f"{label}: %{{customdata[{index}]}}"
                                            for index, label in enumerate([*details.columns[1:], *spans], start=1)]
    hover = "<br>".join(lines) + "<extra></extra>"
    figure = go.Figure()
    for status in Status:
        part = rows[rows["status"] == status.value]
        if part.empty:
            continue
        color = STATUS_COLORS[status.value]
        figure.add_bar(orientation="h", y=list(part["row"]), width=0.8, name=status.label(lang),
                       base=[pd.Timestamp(d).date().isoformat() for d in part["planned_start"]],
                       x=[_span_ms(s, e) for s, e in zip(part["planned_start"], part["planned_end"], strict=True)],
                       legendgroup=status.value, marker={"color": color, "opacity": 0.6},
                       customdata=custom.loc[part.index].to_numpy(), hovertemplate=hover)
        started = part[part["actual_start"].notna()]
        if started.empty:
            continue
        figure.add_bar(orientation="h", y=list(started["row"]), width=0.3, name=actual_name(status.label(lang)),
                       base=[pd.Timestamp(d).date().isoformat() for d in started["actual_start"]],
                       x=[_span_ms(s, u) for s, u in zip(started["actual_start"], started["actual_until"],
                                                         strict=True)],
                       legendgroup=status.value, showlegend=False,
                       marker={"color": color, "line": {"color": "#333333", "width": 1}},
                       customdata=custom.loc[started.index].to_numpy(), hovertemplate=hover)
    first = rows[["planned_start", "actual_start"]].min().min() if not rows.empty else pd.Timestamp.today()
    last = rows[["planned_end", "actual_until"]].max().max() if not rows.empty else pd.Timestamp.today()
    tickvals, ticktext = month_ticks(first, last, lang)
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(type="date", tickvals=tickvals, ticktext=ticktext)
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows["row"]), autorange="reversed",
                        tickfont={"size": 11})
    return styled(figure, title, lang, t("date_axis", lang), None, height=max(320, 24 * len(rows) + 160))


# --- outcomes page ---

OUTCOMES_CLOSED_COLOR = "#009e73"
OUTCOMES_PROJECTED_COLOR = "#e69138"


def outcomes_exports(exports: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.exports_drawn` (or `exports_by_year`): exports per year, one bar series per plan or their
    total, each bar labelled with its growth against the year before."""
    figure = go.Figure()
    for index, (plan_id, rows) in enumerate(exports.groupby("plan_id", sort=False)):
        growth = [present.signed(v, "pct", lang) for v in rows["growth_pct"]]
        change = [present.signed(v, "usd", lang, missing="—") for v in rows["increase_usd"]]
        name = plan_name(labels, plan_id, lang)
        figure.add_trace(go.Bar(
            x=rows["year"].astype(str), y=rows["exports_usd"], name=name,
            marker_color=PALETTE[index % len(PALETTE)], text=growth, textposition="outside",
            customdata=list(zip(growth, change, strict=True)),
            hovertemplate=f"{name} · %{{x}}<br>{t('exports_usd', lang)}: "
                          f"US$ %{{y:{USD_FORMAT}}}<br>{t('outcomes_change', lang)}: %{{customdata[1]}}<br>"
                          f"{t('outcomes_growth', lang)}: %{{customdata[0]}}<extra></extra>"))
    figure.update_layout(barmode="group", uniformtext={"minsize": 10, "mode": "show"})
    figure.update_xaxes(type="category", categoryorder="category ascending")
    figure.update_yaxes(tickformat=USD_FORMAT, rangemode="tozero")
    return styled(figure, t("outcomes_exports_title", lang), lang, t("year", lang), usd_axis(lang))


def outcomes_exports_by_sector(exports: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.exports_by_sector`: the latest year's exports per sector, largest on top, each bar labelled with
    its short figure (`MMUS$ 5.457`, so a phone shows it whole); the exact one on hover."""
    rows = exports.sort_values(["exports_usd"], ascending=True)
    names = [present.sector_name(code, lang) for code in rows["sector"]]
    values = [float(v) for v in rows["exports_usd"]]
    figure = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=PALETTE[0],
                              text=[format_compact(v, lang, usd=True) for v in values], textposition="outside",
                              textangle=0, cliponaxis=False, customdata=[format_usd(v, lang) for v in values],
                              hovertemplate="%{y}: %{customdata}<extra></extra>"))
    figure.update_yaxes(categoryorder="array", categoryarray=names, automargin=True)
    figure.update_xaxes(tickformat=USD_FORMAT)
    year = int(exports["year"].iloc[0]) if len(exports) else ""
    figure = styled(figure, t("outcomes_sector_title", lang, year=year), lang, x_title=usd_axis(lang), y_title=None,
                    height=max(300, 30 * len(rows) + 140))
    return room_for_labels(figure, max(values, default=0.0), room=1.6)  # a phone's width too


EVENT_LABEL_CHARS = 30  # an event's short title under its bars; the hover has the whole title and its id


def _outcomes_event_hover(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> list:
    return [[f"{plain(event_id)} · {plain(title)}", labels.get(plan_id, plan_id), day_text(start, lang)]
            for event_id, title, plan_id, start in zip(deals["id"], deals["title"], deals["plan_id"], deals["start"],
                                                       strict=True)]


def _short_title(title: str, limit: int = EVENT_LABEL_CHARS) -> str:
    """A title cut at a word before `limit` characters, with an ellipsis."""
    title = str(title)
    if len(title) <= limit:
        return title
    cut = title[: limit - 1]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    return cut.rstrip(" ,;:-–") + "…"


def _shared_words(title: str, others: list[str]) -> int:
    """How many leading words `title` shares with the most alike of `others`."""
    words, most = title.split(), 0
    for other in others:
        shared = 0
        for mine, theirs in zip(words, other.split(), strict=False):
            if mine != theirs:
                break
            shared += 1
        most = max(most, shared)
    return most


def event_labels(deals: pd.DataFrame) -> list[str]:
    """Each event's short title; events whose short titles would read the same keep their first word
    and what tells them apart (`e-Rueda… Reino Unido`, `e-Rueda… Asia`), else their id after it."""
    titles = [str(title) for title in deals["title"]]
    short = [_short_title(title) for title in titles]
    labels = []
    for title, label in zip(titles, short, strict=True):
        twins = [other for other, other_label in zip(titles, short, strict=True)
                 if other_label == label and other != title]
        if twins:
            words = title.split()
            rest = " ".join(words[_shared_words(title, twins):]).lstrip("-–:, ")
            label = _short_title(f"{words[0]}… {rest}") if rest else label
        labels.append(label)
    return [plain(f"{label} ({event_id})" if labels.count(label) > 1 else label)
            for label, event_id in zip(labels, deals["id"], strict=True)]


def outcomes_deals_by_event(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.top_events` (or `deals_by_event`): per event (in date order), deals closed and deals
    projected for 12 months as two separate bars, never added up."""
    custom = _outcomes_event_hover(deals, labels, lang)
    names = event_labels(deals)
    figure = go.Figure()
    for column, key, color in (("deals_closed_usd", "outcomes_closed", OUTCOMES_CLOSED_COLOR),
                               ("deals_projected_usd", "outcomes_projected", OUTCOMES_PROJECTED_COLOR)):
        figure.add_trace(go.Bar(
            x=names, y=deals[column], name=t(key, lang), marker_color=color, customdata=custom,
            hovertemplate=f"%{{customdata[0]}}<br>%{{customdata[1]}} · %{{customdata[2]}}<br>"
                          f"{t(key, lang)}: US$ %{{y:{USD_FORMAT}}}<extra></extra>"))
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=names, tickangle=-30)
    figure.update_yaxes(tickformat=USD_FORMAT, rangemode="tozero")
    return styled(figure, t("outcomes_deals_title", lang), lang, t("outcomes_event", lang), usd_axis(lang))


def outcomes_deals_over_time(over_time: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.deals_over_time`: deals closed and projected accumulated by event start (day or month), as
    two separate step lines (an event without a figure adds nothing); the hover names a period's lone
    event, or says how many there were."""
    events = [plain(title) if count == 1 else t("outcomes_events_count", lang, count=format_number(count, lang))
              for title, count in zip(over_time["title"], over_time["events"], strict=True)]
    period = present.month_label if (over_time["grain"] == "month").any() else day_text
    custom = list(zip([period(start, lang) for start in over_time["start"]], events, strict=True))
    figure = go.Figure()
    for column, key, color in (("deals_closed_cumulative", "outcomes_closed_cumulative", OUTCOMES_CLOSED_COLOR),
                               ("deals_projected_cumulative", "outcomes_projected_cumulative",
                                OUTCOMES_PROJECTED_COLOR)):
        figure.add_trace(go.Scatter(
            x=over_time["start"].dt.strftime("%Y-%m-%d"), y=over_time[column], name=t(key, lang),
            mode="lines+markers", line={"shape": "hv", "color": color}, customdata=custom,
            hovertemplate=f"%{{customdata[0]}} · %{{customdata[1]}}<br>{t(key, lang)}: "
                          f"US$ %{{y:{USD_FORMAT}}}<extra></extra>"))
    if len(over_time):
        tickvals, ticktext = month_ticks(over_time["start"].min(), over_time["start"].max(), lang)
        figure.update_xaxes(tickvals=tickvals, ticktext=ticktext)
    figure.update_xaxes(type="date")
    figure.update_yaxes(tickformat=USD_FORMAT, rangemode="tozero")
    return styled(figure, t("outcomes_deals_time_title", lang), lang, t("outcomes_start", lang), usd_axis(lang))


def outcomes_meetings(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.top_events`: meetings requested and held per event; the held bar says which
    share of the requested ones took place."""
    custom = _outcomes_event_hover(deals, labels, lang)
    shares = [("" if pd.isna(h) or pd.isna(r) or not r
               else f"{format_number(100 * h / r, lang)} %")
              for h, r in zip(deals["meetings_held"], deals["meetings_requested"], strict=True)]
    names = event_labels(deals)
    figure = go.Figure()
    figure.add_trace(go.Bar(
        x=names, y=deals["meetings_requested"], name=t("outcomes_meetings_requested", lang),
        marker_color=TARGET_COLOR, customdata=custom,
        hovertemplate=f"%{{customdata[0]}}<br>{t('outcomes_meetings_requested', lang)}: %{{y:,.0f}}"
                      "<extra></extra>"))
    figure.add_trace(go.Bar(
        x=names, y=deals["meetings_held"], name=t("outcomes_meetings_held", lang),
        marker_color=PALETTE[0], text=shares, textposition="outside", cliponaxis=False, customdata=custom,
        hovertemplate=f"%{{customdata[0]}}<br>{t('outcomes_meetings_held', lang)}: %{{y:,.0f}}"
                      f" (%{{text}} {t('outcomes_held_share', lang)})<extra></extra>"))
    figure.update_layout(barmode="group")
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=names, tickangle=-30)
    figure.update_yaxes(rangemode="tozero")
    return styled(figure, t("outcomes_meetings_title", lang), lang, t("outcomes_event", lang),
                  t("outcomes_meetings_axis", lang))


def outcomes_participants(participants: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.participants_by_country`: exporters by country of origin (top) and importers by
    market (below; side by side, a phone drew the two titles over each other), stacked by event,
    country names in `lang`."""
    frame = participants.assign(country_name=participants["country"].map(lambda code: country_name(code, lang)))
    figure = make_subplots(rows=2, cols=1, vertical_spacing=0.22,
                           subplot_titles=[t("outcomes_exporters_by_origin", lang),
                                           t("outcomes_importers_by_market", lang)])
    for index, (event, rows) in enumerate(frame.groupby("activity_id", sort=True)):
        color = PALETTE[index % len(PALETTE)]
        for panel, metric, key in ((1, "exporters", "outcomes_exporters"), (2, "importers", "outcomes_importers")):
            part = rows[rows["metric"] == metric]
            if part.empty:
                continue
            figure.add_trace(go.Bar(
                x=part["country_name"], y=part["value"], name=event, legendgroup=event,
                showlegend=metric == "exporters" or rows[rows["metric"] == "exporters"].empty,
                marker_color=color, text=part["value"], texttemplate="%{y:,.0f}", textposition="inside",
                customdata=part[["title"]].to_numpy(),
                hovertemplate=f"{event} · %{{customdata[0]}}<br>%{{x}}<br>{t(key, lang)}: %{{y:,.0f}}"
                              "<extra></extra>"), row=panel, col=1)
    figure.update_layout(barmode="stack")
    figure.update_xaxes(categoryorder="total descending")
    figure.update_yaxes(title_text=t("outcomes_count_axis", lang), rangemode="tozero")
    styled(figure, t("outcomes_participants_title", lang), lang, height=600)
    return figure.update_annotations(xanchor="left", x=0)
