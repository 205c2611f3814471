"""Target markets: where are we working, and which priority markets are left uncovered? The world map and
ranking by a chosen metric, priority markets against markets covered, and one market's activities, deals,
campaigns and exports."""

import pandas as pd
import plotly.graph_objects as go

from plan.model import countries
from plan.model.countries import country_name
from plan.model.i18n import format_number, format_usd, t
from plan.view.charts import PALETTE, plain, plan_name, room_for_labels, short_ticks, styled
from plan.view.present import Card, Presented, columns, confidential, formatted, is_missing, localize

# Metrics of `queries.markets_summary` a map can colour by; the first is the default.
METRICS = ("activities", "deals_closed_usd", "deals_projected_usd", "exports_usd")
RANKED = 40  # markets the ranking draws at most (a national view covers 194)
COVERAGE_GROUPS = ("markets_gap", "markets_priority_covered", "markets_covered_only")
MAP_RESOLUTION = 50  # world_50m.json: 110m has no Hong Kong or Singapore (sample priority markets)
NO_FIGURE_COLOR = "#d9d9d9"
COLOR_SCALE = [[0, "#dbe9f6"], [1, "#08306b"]]  # zero is still visibly a plan market, unlike plain land


def ranking_note(summary: pd.DataFrame, metric: str, lang: str) -> str:
    """The note under the ranking when it leaves markets out ("" when it draws them all)."""
    ranked = int(summary[metric].notna().sum())
    if ranked <= RANKED:
        return ""
    return t("capped_markets", lang, shown=format_number(RANKED, lang), total=format_number(ranked, lang))


def summary_table(summary: pd.DataFrame, metric: str, lang: str) -> Presented:
    """`queries.markets_summary` for people, ranked by `metric` (markets without it last)."""
    frame = summary.sort_values([metric, "activities"], ascending=False, na_position="last", kind="stable")
    frame = frame.assign(priority=[t("markets_yes" if p else "markets_no", lang) for p in frame["priority"]],
                         exports_year=[None if is_missing(y) else str(int(y)) for y in frame["exports_year"]])
    tables = localize(frame, {"market": ("markets_market", "country"), "priority": ("markets_priority", "text"),
                              "activities": ("markets_activities", "count"),
                              "campaigns": ("markets_campaigns", "count"),
                              **columns("deals_closed_usd", "deals_projected_usd"),
                              "shared_activities": ("markets_shared_activities", "count"),
                              "shared_closed_usd": ("markets_shared_closed", "usd"),
                              "exports_usd": ("markets_exports_usd", "usd"),
                              "exports_year": ("markets_exports_year", "text")}, lang)
    return confidential(tables, frame["exports_confidential"], ["markets_exports_usd"], lang)


def _group(priority: bool, covered: bool) -> str | None:
    if priority:
        return "markets_priority_covered" if covered else "markets_gap"
    return "markets_covered_only" if covered else None


def coverage(summary: pd.DataFrame, lang: str) -> tuple[list[Card], Presented]:
    """Priority markets of the plans against markets covered: a count per group (gap first)
    and one table of the markets in a group, by group then name (markets with neither, such
    as one with exports only, are left out)."""
    groups = [_group(bool(p), bool(c)) for p, c in zip(summary["priority"], summary["covered"], strict=True)]
    frame = summary.assign(group=groups).dropna(subset=["group"])
    frame = frame.assign(order=[COVERAGE_GROUPS.index(g) for g in frame["group"]],
                         name=[countries.country_name(c, lang) for c in frame["market"]])
    frame = frame.sort_values(["order", "name"], kind="stable")
    counts = [Card(t(key, lang), format_number(count, lang), number=count) for key, count in
              ((key, int((frame["group"] == key).sum())) for key in COVERAGE_GROUPS)]
    frame = frame.assign(group=[t(g, lang) for g in frame["group"]])
    tables = localize(frame, {"market": ("markets_market", "country"), "group": ("markets_coverage_group", "text"),
                              "activities": ("markets_activities", "count"),
                              "campaigns": ("markets_campaigns", "count"), **columns("deals_closed_usd")}, lang)
    return counts, tables


def drill_options(summary: pd.DataFrame, lang: str) -> tuple[list[str], int]:
    """The markets to drill into, by name, and the index of the most active one (the default)."""
    options = sorted(summary["market"], key=lambda code: countries.country_name(code, lang))
    return options, (options.index(summary["market"].iloc[0]) if options else 0)


def shared_note(shared: pd.DataFrame, lang: str) -> str:
    """What the deals by market leave out (`queries.markets_shared`): the deals of activities of several
    markets, which the data does not attribute to one of them ("" when there are none)."""
    row = shared.iloc[0]
    if not row["activities"]:
        return ""
    return t("markets_shared_note", lang, activities=format_number(row["activities"], lang),
             closed=_usd(row["deals_closed_usd"], lang), projected=_usd(row["deals_projected_usd"], lang))


def market_shared_note(summary: pd.DataFrame, market: str, lang: str) -> str:
    """Under one market's cards: its activities shared with other markets and their whole deals, which
    its own deals leave out ("" when it has none)."""
    rows = summary[summary["market"] == market]
    if rows.empty or not rows.iloc[0]["shared_activities"]:
        return ""
    row = rows.iloc[0]
    return t("markets_market_shared_note", lang, activities=format_number(row["shared_activities"], lang),
             closed=_usd(row["shared_closed_usd"], lang), projected=_usd(row["shared_projected_usd"], lang))


def listed_note(activities: pd.DataFrame, lang: str) -> str:
    """Why the activities card and the table under it differ: the table lists cancelled activities too."""
    cancelled = int((activities["status"] == "cancelled").sum())
    if not cancelled:
        return ""
    return t("markets_listed_note", lang, listed=format_number(len(activities), lang),
             counted=format_number(len(activities) - cancelled, lang), cancelled=format_number(cancelled, lang))


def _usd(value, lang: str) -> str:
    return "—" if is_missing(value) else format_usd(value, lang)


def cards(summary: pd.DataFrame, market: str, lang: str) -> list[Card]:
    """One market's figures of `queries.markets_summary` as metric texts (deals: of its single-market
    activities only)."""
    rows = summary[summary["market"] == market]
    if rows.empty:
        return []
    row = rows.iloc[0]
    exports_label = (t("markets_latest_exports", lang, year=int(row["exports_year"]))
                     if not is_missing(row["exports_year"]) else t("markets_latest_exports_none", lang))
    exports = t("firms_confidential", lang) if row["exports_confidential"] else _usd(row["exports_usd"], lang)
    return [Card(t("markets_activities_counted", lang), format_number(row["activities"], lang)),
            Card(t("markets_campaigns", lang), format_number(row["campaigns"], lang)),
            Card(t("markets_own_closed", lang), _usd(row["deals_closed_usd"], lang)),
            Card(t("markets_own_projected", lang), _usd(row["deals_projected_usd"], lang)),
            Card(exports_label, exports)]


def activities_table(activities: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.activity_list` of one market for people (each activity's full amounts)."""
    return localize(activities, columns(
        "plan_id", "id", "title", "type", "modality", "status", "planned_start", "planned_end", "markets",
        "exporters", "meetings_held", "deals_closed_usd", "deals_projected_usd", labels=labels), lang)


def deals_table(activities: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """The activities of `queries.activity_list` that report deals (what `deals` draws)."""
    rows = activities[activities["deals_closed_usd"].notna() | activities["deals_projected_usd"].notna()]
    return localize(rows, columns("plan_id", "id", "title", "deals_closed_usd", "deals_projected_usd", labels=labels),
                    lang)


def campaigns_table(campaigns: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.campaigns` of one market for people."""
    return localize(campaigns, columns(
        "plan_id", "id", "name", "channel", "modality", "status", "planned_start", "planned_end", "budget_usd",
        "spent_usd", "reach_actual", "deals_actual_usd", labels=labels), lang)


def _value(value, metric: str, lang: str) -> str:
    return "—" if is_missing(value) else formatted(value, "count" if metric == "activities" else "usd", lang)


def _hover(row, lang: str) -> str:
    lines = [f"<b>{plain(country_name(row.market, lang))}</b>"]
    if row.priority:
        lines.append(t("markets_hover_priority", lang))
    lines += [t("markets_hover_activities", lang, value=_value(row.activities, "activities", lang)),
              t("markets_hover_campaigns", lang, value=_value(row.campaigns, "activities", lang)),
              t("markets_hover_deals_closed", lang, value=_value(row.deals_closed_usd, "usd", lang)),
              t("markets_hover_deals_projected", lang, value=_value(row.deals_projected_usd, "usd", lang))]
    if row.shared_activities:
        lines.append(t("markets_hover_shared", lang, activities=_value(row.shared_activities, "activities", lang),
                       value=_value(row.shared_closed_usd, "usd", lang)))
    if pd.notna(row.exports_usd):
        lines.append(t("markets_hover_exports", lang, year=int(row.exports_year),
                       value=_value(row.exports_usd, "usd", lang)))
    else:
        lines.append(t("markets_hover_no_exports", lang))
    return "<br>".join(lines)


def world_map(summary, metric: str, lang: str) -> go.Figure:
    """World choropleth of `queries.markets_summary` coloured by `metric` (ISO-3 locations);
    markets without a figure for it in grey; priority markets with a thick border. The page
    passes `config={"topojsonURL": ...}` so the map draws offline."""
    label = t(f"markets_metric_{metric}", lang)
    figure = go.Figure()
    has_value = summary[metric].notna()
    for rows, with_value in ((summary[~has_value], False), (summary[has_value], True)):
        if rows.empty:
            continue
        priority = rows["priority"].astype(bool).tolist()
        figure.add_trace(go.Choropleth(
            locations=rows["market"].tolist(),
            locationmode="ISO-3",
            z=[float(v) for v in rows[metric]] if with_value else [0.0] * len(rows),
            text=[_hover(row, lang) for row in rows.itertuples()],
            hovertemplate="%{text}<extra></extra>",
            colorscale=COLOR_SCALE if with_value else [[0, NO_FIGURE_COLOR], [1, NO_FIGURE_COLOR]],
            zmin=0 if with_value else None,  # plotly needs both bounds, else one market gives a flat scale
            zmax=max(1.0, float(rows[metric].max())) if with_value else None,
            showscale=with_value,
            # Horizontal under the map: upright beside it, it leaves a phone a thin strip of map.
            colorbar={"title": {"text": t("axis_usd", lang) if metric != "activities" else label, "side": "top"},
                      **short_ticks(max(1.0, float(rows[metric].max())), lang, usd=metric != "activities"),
                      "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0,
                      "yanchor": "top", "len": 0.9, "thickness": 12} if with_value else None,
            marker={"line": {"color": ["#222222" if p else "#ffffff" for p in priority],
                             "width": [2.0 if p else 0.5 for p in priority]}},
            name=label,
        ))
    figure.update_geos(resolution=MAP_RESOLUTION, projection_type="natural earth", showframe=False,
                       showcoastlines=False, showcountries=True, countrycolor="#bbbbbb", showland=True,
                       landcolor="#f7f7f7", lataxis_range=[-58, 85])
    figure = styled(figure, t("markets_map_title", lang, metric=label), lang, height=480, top=50)
    return figure.update_layout(margin={"l": 0, "r": 0, "b": 0})


def ranking(summary, metric: str, lang: str) -> go.Figure:
    """Horizontal bars: markets by `metric`, largest on top (at most `RANKED`); priority
    markets in the first colour."""
    label = t(f"markets_metric_{metric}", lang)
    rows = summary[summary[metric].notna()].sort_values([metric, "market"], ascending=[True, False])
    rows = rows.tail(RANKED)
    names = [country_name(code, lang) for code in rows["market"]]
    figure = go.Figure()
    for is_priority, color in ((True, PALETTE[0]), (False, PALETTE[1])):
        chosen = (rows["priority"].astype(bool) == is_priority).tolist()
        values = [float(v) for v, keep in zip(rows[metric], chosen, strict=True) if keep]
        if not values:
            continue
        figure.add_trace(go.Bar(
            x=values,
            y=[name for name, keep in zip(names, chosen, strict=True) if keep],
            orientation="h",
            marker_color=color,
            name=t("markets_priority", lang) + ": " + t("markets_yes" if is_priority else "markets_no", lang),
            text=[_value(v, metric, lang) for v in values],
            textposition="outside",
            textangle=0,
            cliponaxis=False,
            hovertemplate="%{y}: %{text}<extra></extra>",
        ))
    figure.update_yaxes(categoryorder="array", categoryarray=names, automargin=True)
    figure.update_layout(barmode="relative")
    figure = styled(figure, t("markets_ranking_title", lang, metric=label), lang,
                    x_title=t("axis_usd", lang) if metric != "activities" else label, y_title=None,
                    height=max(320, 26 * len(rows) + 140))
    return room_for_labels(figure, float(rows[metric].max()) if len(rows) else 0.0, lang, usd=metric != "activities")


def deals(activities, country: str, lang: str) -> go.Figure:
    """One market's activities with deals: closed and projected 12-month US$ (full amounts)."""
    rows = activities[activities["deals_closed_usd"].notna() | activities["deals_projected_usd"].notna()]
    labels = [plain(f"{row.id} · {row.title[:45]}") for row in rows.itertuples()]
    figure = go.Figure()
    for column, key, color in (("deals_closed_usd", "markets_metric_deals_closed_usd", PALETTE[0]),
                               ("deals_projected_usd", "markets_metric_deals_projected_usd", PALETTE[1])):
        values = [float(v) for v in rows[column].fillna(0)]
        figure.add_trace(go.Bar(
            x=values, y=labels, orientation="h", name=t(key, lang), marker_color=color,
            text=[_value(v, column, lang) for v in values], textposition="outside", textangle=0,
            cliponaxis=False,
            hovertemplate="%{y}<br>" + t(key, lang) + ": %{text}<extra></extra>",
        ))
    figure.update_layout(barmode="group")
    figure.update_yaxes(autorange="reversed", automargin=True)
    figure = styled(figure, t("markets_deals_title", lang, country=plain(country)), lang, x_title=t("axis_usd", lang),
                    height=max(260, 60 * len(rows) + 160))
    largest = rows[["deals_closed_usd", "deals_projected_usd"]].max().max()
    return room_for_labels(figure, 0.0 if largest != largest else float(largest), lang)


def exports(exports, labels: dict[str, str], country: str, lang: str) -> go.Figure:
    """`outcome_queries.exports_drawn` narrowed to one market: bars per year, one series per plan (or their total)."""
    figure = go.Figure()
    for plan_id, rows in exports.groupby("plan_id", sort=True):
        figure.add_trace(go.Bar(
            x=[str(int(y)) for y in rows["year"]], y=[float(v) for v in rows["exports_usd"]],
            name=plan_name(labels, plan_id, lang),
            text=[format_usd(v, lang) for v in rows["exports_usd"]], textposition="none",
            hovertemplate="%{fullData.name} · %{x}: %{text}<extra></extra>",
        ))
    figure.update_xaxes(type="category", categoryorder="category ascending")
    figure.update_yaxes(short_ticks(exports["exports_usd"].max() if len(exports) else 0.0, lang))
    return styled(figure, t("markets_exports_title", lang, country=plain(country)), lang,
                  x_title=t("year", lang), y_title=t("axis_usd", lang), height=360)
