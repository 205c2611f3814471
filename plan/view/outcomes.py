"""Outcomes: what has the work yielded? Regional exports and their growth (by sector too), deals closed and
projected per event and over time, meetings requested and held, participants by country."""

import datetime as dt
import textwrap

import pandas as pd
import plotly.graph_objects as go
from babel.dates import format_date as babel_date
from plotly.subplots import make_subplots

from plan.model.countries import country_name
from plan.model.i18n import format_compact, format_number, format_usd, locale_of, t
from plan.model.models import Metric, Sector
from plan.view.charts import (
    PALETTE,
    TARGET_COLOR,
    TITLE_CHARS,
    TITLE_LINE_PX,
    USD_FORMAT,
    day_text,
    month_ticks,
    plain,
    plan_name,
    room_for_labels,
    short_ticks,
    styled,
    usd_axis,
)
from plan.view.present import Presented, columns, confidential, is_missing, localize, month_label, signed

# Deals closed and deals projected: two figures never added up, each in its colour on every chart.
CLOSED_COLOR = "#009e73"
PROJECTED_COLOR = "#e69138"


def sector_name(code, lang: str) -> str:
    """A sector's label; an empty sector is a figure not split by sector."""
    return t("outcomes_sector_none", lang) if is_missing(code) else Sector(code).label(lang)


def exports_by_sector_table(exports: pd.DataFrame, lang: str) -> Presented:
    """`outcome_queries.exports_by_sector` for people: year, sector, exports."""
    frame = exports.assign(sector=[sector_name(code, lang) for code in exports["sector"]])
    tables = localize(frame, {"year": ("year", "text"), "sector": ("outcomes_sector", "text"),
                              "exports_usd": ("exports_usd", "usd")}, lang)
    return confidential(tables, exports["confidential"], ["exports_usd"], lang)


def deals_table(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.deals_by_event` for people: closed and projected deals in separate columns."""
    return localize(deals, columns("plan_id", "id", "title", "type", "modality", "status", labels=labels,
                                   title="outcomes_event")
                    | {"start": ("outcomes_start", "date")} | columns("deals_closed_usd", "deals_projected_usd"), lang)


def meetings_table(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """Participation and meetings per event (`queries.deals_by_event`)."""
    return localize(deals, columns("plan_id", "id", "title", labels=labels, title="outcomes_event")
                    | {"start": ("outcomes_start", "date")}
                    | columns("exporters", "importers", "meetings_requested", "meetings_held"), lang)


def participants_table(participants: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`outcome_queries.participants_by_country` for people: event, exporters or importers, country, count."""
    return localize(participants, {
        "plan_id": ("plan", labels), "activity_id": ("id", "text"), "title": ("outcomes_event", "text"),
        "metric": ("outcomes_metric", Metric), "country": ("outcomes_country", "country"),
        "value": ("outcomes_count", "count")}, lang)


SCOPE_NAMES = 3  # markets a panel's title names before "and N more"
PANEL_PX = 300  # height of one scope's panel
PANEL_TITLE_LINE_PX = 18  # one line of a panel's title (13 px type)
EARLIER_OPACITY = 0.45  # bars of the years before the plan's: its context, drawn lighter


def scope(markets: list, unsplit: bool, lang: str) -> str:
    """What a series of exports covers, from its rows (`outcome_queries.exports_drawn`): one market, a few named,
    or rows not split by market."""
    names = [country_name(code, lang) for code in markets]
    if unsplit and not names:
        return t("outcomes_scope_all", lang)
    if len(names) == 1 and not unsplit:
        return t("outcomes_scope_one", lang, market=names[0])
    shown = ", ".join(names[:SCOPE_NAMES])
    more = len(names) - SCOPE_NAMES
    listed = t("outcomes_scope_more", lang, names=shown, more=more) if more > 0 else shown
    return t("outcomes_scope_unsplit" if unsplit else "outcomes_scope_several", lang,
             count=format_number(len(names), lang), names=listed)


def year_label(year, last_month, lang: str) -> str:
    """A year as the exports chart names it: `2024`, or `2025 (ene–jun)` when its rows report part of it (a
    half year beside whole ones, its growth left out)."""
    if is_missing(last_month) or int(last_month) == 12:
        return str(int(year))
    first, last = (babel_date(dt.date(2000, month, 1), "MMM", locale=locale_of(lang)) for month in (1, int(last_month)))
    return t("outcomes_year_part", lang, year=int(year), first=first, last=last)


def _missing_plan_year(rows: pd.DataFrame, lang: str) -> str:
    """Said in a panel's title when it has no figure for its plan's year (every bar then drawn lighter: the
    Alliance's 2020 plan has UK exports for 2018-2019 only), else ""."""
    plan_year = int(rows["plan_year"].iloc[0])
    return "" if (rows["year"] == plan_year).any() else t("outcomes_no_plan_year", lang, year=plan_year)


def exports(exports: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`outcome_queries.exports_drawn`: exports per year, one panel per plan (or their total) with its own axis and a
    title saying what it covers (a region's markets, an alliance's one market: never on one axis); each bar
    labelled with its growth against the year before, the plan's year in full colour, earlier years lighter."""
    series = list(exports.groupby("plan_id", sort=False))
    titles = [f"{plan_name(labels, plan_id, lang)}: "
              f"{scope(list(rows['scope_markets'].iloc[0]), bool(rows['scope_unsplit'].iloc[0]), lang)}"
              f"{_missing_plan_year(rows, lang)}" for plan_id, rows in series]
    # Wrapped as chart titles are: plotly never wraps, and a phone cut a panel's scope off mid-word.
    wrapped = [textwrap.wrap(plain(title), TITLE_CHARS) for title in titles]
    figure = make_subplots(rows=max(1, len(series)), cols=1, vertical_spacing=0.4 / max(1, len(series)),
                           subplot_titles=["<br>".join(lines) for lines in wrapped])
    for index, (plan_id, rows) in enumerate(series):
        growth = [signed(v, "pct", lang) for v in rows["growth_pct"]]
        change = [signed(v, "usd", lang, missing="—") for v in rows["increase_usd"]]
        name = plan_name(labels, plan_id, lang)
        plan_year = int(rows["plan_year"].iloc[0])
        figure.add_trace(go.Bar(
            x=[year_label(year, last, lang) for year, last in zip(rows["year"], rows["last_month"], strict=True)],
            y=rows["exports_usd"], name=name, showlegend=False,
            marker={"color": PALETTE[index % len(PALETTE)],
                    "opacity": [1.0 if year == plan_year else EARLIER_OPACITY for year in rows["year"]]},
            text=growth, textposition="outside", cliponaxis=False,
            customdata=list(zip(growth, change, strict=True)),
            hovertemplate=f"{plain(name)} · %{{x}}<br>{t('exports_usd', lang)}: "
                          f"US$ %{{y:{USD_FORMAT}}}<br>{t('outcomes_change', lang)}: %{{customdata[1]}}<br>"
                          f"{t('outcomes_growth', lang)}: %{{customdata[0]}}<extra></extra>"), row=index + 1, col=1)
        figure.update_yaxes(short_ticks(rows["exports_usd"].max(), lang), row=index + 1, col=1)
    figure.update_layout(uniformtext={"minsize": 10, "mode": "show"})
    figure.update_xaxes(type="category", categoryorder="category ascending")
    figure.update_yaxes(rangemode="tozero", title_text=usd_axis(lang))
    # The first panel's title sits above its plot, under the chart's: room for all its lines (printed, a
    # three-line scope ran into the chart's title).
    top = 70 + PANEL_TITLE_LINE_PX * (len(wrapped[0]) if wrapped else 1)
    styled(figure, t("outcomes_exports_title", lang), lang, height=PANEL_PX * max(1, len(series)) + top - 20, top=top)
    # The chart's title at the figure's top (plotly centres it in the margin, over the panel's title); plotly
    # anchors a wrapped title by its first line, so the others need room above it.
    lines = figure.layout.title.text.count("<br>")
    figure.update_layout(title={"yref": "container", "yanchor": "top",
                                "y": 1 - (12 + TITLE_LINE_PX * lines) / figure.layout.height})
    return figure.update_annotations(xanchor="left", x=0, align="left", font={"size": 13})


def exports_by_sector(exports: pd.DataFrame, lang: str) -> go.Figure:
    """`outcome_queries.exports_by_sector`: the latest year's exports per sector, largest on top, each bar labelled with
    its short figure (`MMUS$ 5.457`, so a phone shows it whole); the exact one on hover."""
    rows = exports[~exports["confidential"]].sort_values(["exports_usd"], ascending=True)  # said in the table
    names = [sector_name(code, lang) for code in rows["sector"]]
    values = [float(v) for v in rows["exports_usd"]]
    figure = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=PALETTE[0],
                              text=[format_compact(v, lang, usd=True) for v in values], textposition="outside",
                              textangle=0, cliponaxis=False, customdata=[format_usd(v, lang) for v in values],
                              hovertemplate="%{y}: %{customdata}<extra></extra>"))
    figure.update_yaxes(categoryorder="array", categoryarray=names, automargin=True)
    year = int(exports["year"].iloc[0]) if len(exports) else ""
    figure = styled(figure, t("outcomes_sector_title", lang, year=year), lang, x_title=usd_axis(lang), y_title=None,
                    height=max(300, 30 * len(rows) + 140))
    return room_for_labels(figure, max(values, default=0.0), lang, room=1.6)  # a phone's width too


EVENT_LABEL_CHARS = 30  # an event's short title beside its bars; the hover has the whole title and its id
EVENT_PX = 44  # height of one event's pair of bars: event names read across, one a line, never slanted


def _by_event(figure: go.Figure, names: list[str], title: str, value_title: str, lang: str) -> go.Figure:
    """Bars per event laid across: event names on the left, one a line in date order from the top (slanted
    under the bars, a dozen names ran into each other), the figure as tall as the events need."""
    figure.update_layout(barmode="group")
    figure.update_yaxes(type="category", categoryorder="array", categoryarray=names, autorange="reversed",
                        automargin=True)
    return styled(figure, title, lang, value_title, None, height=max(300, EVENT_PX * len(names) + 160))


def _event_hover(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> list:
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


def deals_by_event(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.top_events` (or `deals_by_event`): per event (in date order), deals closed and deals
    projected for 12 months as two separate bars, never added up."""
    custom = _event_hover(deals, labels, lang)
    names = event_labels(deals)
    figure = go.Figure()
    for column, key, color in (("deals_closed_usd", "outcomes_closed", CLOSED_COLOR),
                               ("deals_projected_usd", "outcomes_projected", PROJECTED_COLOR)):
        figure.add_trace(go.Bar(
            y=names, x=deals[column], orientation="h", name=t(key, lang), marker_color=color, customdata=custom,
            hovertemplate=f"%{{customdata[0]}}<br>%{{customdata[1]}} · %{{customdata[2]}}<br>"
                          f"{t(key, lang)}: US$ %{{x:{USD_FORMAT}}}<extra></extra>"))
    figure.update_xaxes(short_ticks(deals[["deals_closed_usd", "deals_projected_usd"]].max().max(), lang),
                        rangemode="tozero")
    return _by_event(figure, names, t("outcomes_deals_title", lang), usd_axis(lang), lang)


def deals_over_time(over_time: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.deals_over_time`: deals closed and projected accumulated by event start (day or month), as
    two separate step lines (an event without a figure adds nothing); the hover names a period's lone
    event, or says how many there were."""
    events = [plain(title) if count == 1 else t("outcomes_events_count", lang, count=format_number(count, lang))
              for title, count in zip(over_time["title"], over_time["events"], strict=True)]
    period = month_label if (over_time["grain"] == "month").any() else day_text
    custom = list(zip([period(start, lang) for start in over_time["start"]], events, strict=True))
    figure = go.Figure()
    for column, key, color in (("deals_closed_cumulative", "outcomes_closed_cumulative", CLOSED_COLOR),
                               ("deals_projected_cumulative", "outcomes_projected_cumulative",
                                PROJECTED_COLOR)):
        figure.add_trace(go.Scatter(
            x=over_time["start"].dt.strftime("%Y-%m-%d"), y=over_time[column], name=t(key, lang),
            mode="lines+markers", line={"shape": "hv", "color": color}, customdata=custom,
            hovertemplate=f"%{{customdata[0]}} · %{{customdata[1]}}<br>{t(key, lang)}: "
                          f"US$ %{{y:{USD_FORMAT}}}<extra></extra>"))
    if len(over_time):
        tickvals, ticktext = month_ticks(over_time["start"].min(), over_time["start"].max(), lang)
        figure.update_xaxes(tickvals=tickvals, ticktext=ticktext)
    figure.update_xaxes(type="date")
    largest = over_time[["deals_closed_cumulative", "deals_projected_cumulative"]].max().max()
    figure.update_yaxes(short_ticks(largest, lang), rangemode="tozero")
    return styled(figure, t("outcomes_deals_time_title", lang), lang, t("outcomes_start", lang), usd_axis(lang))


def meetings(deals: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure:
    """`queries.top_events`: meetings requested and held per event; the held bar says which
    share of the requested ones took place."""
    custom = _event_hover(deals, labels, lang)
    shares = [("" if pd.isna(h) or pd.isna(r) or not r
               else f"{format_number(100 * h / r, lang)} %")
              for h, r in zip(deals["meetings_held"], deals["meetings_requested"], strict=True)]
    names = event_labels(deals)
    figure = go.Figure()
    figure.add_trace(go.Bar(
        y=names, x=deals["meetings_requested"], orientation="h", name=t("outcomes_meetings_requested", lang),
        marker_color=TARGET_COLOR, customdata=custom,
        hovertemplate=f"%{{customdata[0]}}<br>{t('outcomes_meetings_requested', lang)}: %{{x:,.0f}}"
                      "<extra></extra>"))
    figure.add_trace(go.Bar(
        y=names, x=deals["meetings_held"], orientation="h", name=t("outcomes_meetings_held", lang),
        marker_color=PALETTE[0], text=shares, textposition="outside", textangle=0, cliponaxis=False,
        customdata=custom,
        hovertemplate=f"%{{customdata[0]}}<br>{t('outcomes_meetings_held', lang)}: %{{x:,.0f}}"
                      f" (%{{text}} {t('outcomes_held_share', lang)})<extra></extra>"))
    figure.update_xaxes(rangemode="tozero")
    figure = _by_event(figure, names, t("outcomes_meetings_title", lang), t("outcomes_meetings_axis", lang), lang)
    largest = deals[["meetings_requested", "meetings_held"]].max().max()
    return room_for_labels(figure, 0.0 if pd.isna(largest) else float(largest), lang, usd=False, room=1.15)


def participants(participants: pd.DataFrame, lang: str) -> go.Figure:
    """`outcome_queries.participants_by_country`: exporters by country of origin (top) and importers by
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
    events = participants["activity_id"].unique()
    styled(figure, t("outcomes_participants_title", lang, count=format_number(len(events), lang),
                     events=", ".join(plain(event) for event in events[:SCOPE_NAMES])), lang, height=600, top=90)
    return figure.update_annotations(xanchor="left", x=0)


def participants_note(participants: pd.DataFrame, totals: pd.DataFrame, lang: str) -> str:
    """What the participants chart covers against what the overview counts: the events that split their
    participants by country, and the exporters and importers of every chosen activity (`queries.activity_totals`)."""
    if participants.empty:
        return ""
    counted = participants.groupby("metric")["value"].sum()
    return t("outcomes_participants_note", lang, count=format_number(participants["activity_id"].nunique(), lang),
             exporters=format_number(counted.get("exporters", 0), lang),
             importers=format_number(counted.get("importers", 0), lang),
             all_exporters=format_number(totals["exporters"].sum(), lang),
             all_importers=format_number(totals["importers"].sum(), lang))
