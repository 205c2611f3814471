"""The charts' shared look and builders: palette, `styled`, separators, the `schedule` calendar, axis and
label helpers. Each page's figures live in its module (`plan.view.progress`, `markets`, `mix`, `pisco`,
`outcomes`) and are built with these.

Every figure takes a DataFrame from `plan.view.queries` and the language and returns a figure
with a title, axis titles with units and hover texts; numbers use the language's separators
(es-CL `1.500.000,5`, en `1,500,000.5`). No builder reads the database or Streamlit.
"""

import html
import math
import textwrap

import pandas as pd
import plotly.graph_objects as go

from plan.model.i18n import format_compact, format_date, t
from plan.model.models import Status
from plan.view import present

# A sober palette readable on a projector and by colour-blind readers (tests/test_colours.py checks each
# group under protanopia, deuteranopia and tritanopia); statuses keep their colour everywhere, and so do the
# modalities (`mix.MODALITY_COLORS`, the only page that draws them).
PALETTE = ["#0b5394", "#e69138", "#009e73", "#882255", "#56b4e9", "#999999", "#d55e00", "#cc79a7"]
STATUS_COLORS = {"planned": "#9fc5e8", "in_progress": "#e69138", "done": "#009e73", "postponed": "#aa4499",
                 "cancelled": "#5f5f5f"}
TARGET_COLOR = "#b7b7b7"  # a target, or what was asked for (meetings requested), beside what came of it
LATE_COLOR = "#b2182b"  # hatching over a planned bar whose start or end passed at the status date
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


def room_for_labels(figure: go.Figure, largest: float, lang: str, usd: bool = True, room: float = 1.3) -> go.Figure:
    """Horizontal bars with their amounts written after them: widen the axis `room` times so they fit, its
    ticks written short over that range (`short_ticks`)."""
    end = max(largest, 1.0) * room
    figure.update_xaxes(range=[0, end], **short_ticks(end, lang, usd=usd))
    return figure.update_layout(margin={"r": 20})


def short_ticks(largest, lang: str, usd: bool = True, count: int = 4) -> dict:
    """An axis from 0 to `largest` with about `count` round ticks written as cards write figures
    (`MMUS$ 2.000`, `1,5 millones`; see `format_compact`), where d3 writes `2.000.000.000` (or SI's `2G`);
    update_xaxes/update_yaxes arguments, none when there is nothing to draw."""
    if largest is None or not math.isfinite(float(largest)) or float(largest) <= 0:
        return {}
    raw = float(largest) / count
    power = 10 ** math.floor(math.log10(raw))
    step = max(1.0, next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw))
    values = [step * index for index in range(math.ceil(float(largest) / step) + 1)]
    return {"tickvals": values, "ticktext": ["0" if not value else format_compact(value, lang, usd=usd)
                                             for value in values]}


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
    (`queries.activity_list`/`campaigns`), and may hold `late`: those rows' planned bars are hatched in
    red, so a planned bar whose time has passed does not read as the future; `details` the hover lines,
    the first in bold, the others after their column name. `actual_name(status label)` names the actual
    bars' traces."""
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
    late = rows[rows["late"].fillna(False).astype(bool)] if "late" in rows else rows.iloc[:0]
    if not late.empty:
        figure.add_bar(orientation="h", y=list(late["row"]), width=0.8, name=t("late_span", lang),
                       base=[pd.Timestamp(d).date().isoformat() for d in late["planned_start"]],
                       x=[_span_ms(s, e) for s, e in zip(late["planned_start"], late["planned_end"], strict=True)],
                       marker={"color": "rgba(0,0,0,0)", "line": {"color": LATE_COLOR, "width": 2},
                               "pattern": {"shape": "/", "fgcolor": LATE_COLOR, "size": 6}},
                       customdata=custom.loc[late.index].to_numpy(), hovertemplate=hover)
    first = rows[["planned_start", "actual_start"]].min().min() if not rows.empty else pd.Timestamp.today()
    last = rows[["planned_end", "actual_until"]].max().max() if not rows.empty else pd.Timestamp.today()
    tickvals, ticktext = month_ticks(first, last, lang)
    figure.update_layout(barmode="overlay")
    figure.update_xaxes(type="date", tickvals=tickvals, ticktext=ticktext)
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=list(rows["row"]), autorange="reversed",
                        tickfont={"size": 11})
    return styled(figure, title, lang, t("date_axis", lang), None, height=max(320, 24 * len(rows) + 160))
