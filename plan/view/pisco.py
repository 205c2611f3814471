"""Pisco plan: are the campaigns on budget and reaching their targets? Campaigns by market and channel, their
schedule, budget and spend, targets against results and the funnel from reach to deals."""

import math

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from plan.model.countries import country_name
from plan.model.i18n import format_number, format_usd, t
from plan.model.models import Channel, Status
from plan.view.charts import PALETTE, TARGET_COLOR, USD_FORMAT, plain, schedule, short_ticks, styled, usd_axis
from plan.view.present import Card, Presented, columns, is_missing, localize

# A campaign's targets and actuals, as its CSV orders them.
RESULTS = ("reach_target", "reach_actual", "contacts_target", "contacts_actual", "meetings_target",
           "meetings_actual", "deals_target_usd", "deals_actual_usd")
METRICS = (("reach", "pisco_reach", "count"), ("contacts", "pisco_contacts", "count"),
           ("meetings", "pisco_meetings", "count"), ("deals", "pisco_deals_usd", "usd"))
ACTUAL_COLOR = "#0b5394"  # beside charts.TARGET_COLOR


def cards(totals: pd.DataFrame, lang: str) -> list[Card]:
    """`queries.campaign_totals` summed over the chosen plans, as metric texts (label, value, caption)."""
    sums = totals[["campaigns", "campaigns_done", "budget_usd", "spent_usd", "reach_actual", "deals_actual_usd",
                   "deals_target_usd"]].sum()
    return [
        Card(t("pisco_card_campaigns", lang), format_number(sums["campaigns"], lang),
             caption=t("pisco_card_campaigns_note", lang, done=format_number(sums["campaigns_done"], lang))),
        Card(t("pisco_card_spent", lang), format_usd(sums["spent_usd"], lang),
             caption=t("pisco_card_spent_note", lang, budget=format_usd(sums["budget_usd"], lang))),
        Card(t("pisco_card_reach", lang), format_number(sums["reach_actual"], lang),
             caption=t("pisco_card_reach_note", lang)),
        Card(t("pisco_card_deals", lang), format_usd(sums["deals_actual_usd"], lang),
             caption=t("pisco_card_deals_note", lang, target=format_usd(sums["deals_target_usd"], lang))),
    ]


def campaign_table(campaigns: pd.DataFrame, labels: dict[str, str], lang: str) -> Presented:
    """`queries.campaigns` for people: every campaign with its dates, money, targets and actuals."""
    return localize(campaigns, columns(
        "plan_id", "id", "name", "market", "channel", "modality", "status", "planned_start", "planned_end",
        "actual_start", "actual_end", "budget_usd", "spent_usd", *RESULTS, labels=labels), lang)


def budget_table(campaigns: pd.DataFrame, lang: str) -> Presented:
    """The numbers behind the budget-by-market chart."""
    return localize(campaigns, columns("market", "channel", "id", "name", "budget_usd", "spent_usd"), lang)


def timeline_table(campaigns: pd.DataFrame, lang: str) -> Presented:
    """The dates behind the campaign schedule (`queries.campaigns`)."""
    return localize(campaigns, columns("id", "name", "status", "planned_start", "planned_end", "actual_start",
                                       "actual_end") | {"actual_until": ("pisco_actual_until", "date")}, lang)


def targets_table(campaigns: pd.DataFrame, lang: str) -> Presented:
    """Targets and actuals of each campaign."""
    return localize(campaigns, columns("market", "id", "name", "status", *RESULTS), lang)


def one_reach_target(funnel: pd.DataFrame, narrowed: bool) -> pd.DataFrame:
    """`queries.campaign_funnel` with one reach target, the one the overview measures reach against: the
    plans' own (`plan_target`) unless a filter takes part of their campaigns or a plan has none, then the
    campaigns' sum. `reach_source` says which ("plan" or "campaigns"), `campaigns_target` keeps the sum."""
    frame = funnel.assign(campaigns_target=funnel["target"], reach_source=None)
    reach = frame["stage"] == "reach"
    plan_target = frame.loc[reach, "plan_target"]
    use_plan = not narrowed and not plan_target.empty and not is_missing(plan_target.iloc[0])
    frame.loc[reach, "reach_source"] = "plan" if use_plan else "campaigns"
    if use_plan:
        frame.loc[reach, "target"] = plan_target.iloc[0]
    return frame


def funnel_note(funnel: pd.DataFrame, lang: str) -> str:
    """Which reach target the funnel draws, with the other one when both exist."""
    reach = funnel[funnel["stage"] == "reach"].iloc[0]
    campaigns = format_number(reach["campaigns_target"], lang)
    if reach["reach_source"] == "plan":
        return t("pisco_reach_target_plan", lang, target=format_number(reach["target"], lang), campaigns=campaigns)
    return t("pisco_reach_target_campaigns", lang, campaigns=campaigns)


def funnel_table(funnel: pd.DataFrame, lang: str) -> Presented:
    """`queries.campaign_funnel` for people: stage, target, actual and the actual's share of the target."""
    share = [None if is_missing(a) or is_missing(g) or not g else round(100 * a / g, 1)
             for a, g in zip(funnel["actual"], funnel["target"], strict=True)]
    stages = {stage: t(f"pisco_stage_{stage}", lang) for stage in funnel["stage"]}
    return localize(funnel.assign(share=share), {
        "stage": ("pisco_stage", stages), "target": ("target", "count"), "actual": ("actual", "count"),
        "share": ("pisco_pct_of_target", "pct")}, lang)


def budget_by_market(campaigns: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.campaigns`: budget per market stacked by channel (one colour per channel), and
    the amount spent per market as a marker over its bar."""
    frame = campaigns.assign(market_name=campaigns["market"].map(lambda code: country_name(code, lang)))
    order = list(frame.groupby("market_name")["budget_usd"].sum().sort_values(ascending=False).index)
    figure = go.Figure()
    for index, channel in enumerate(Channel):
        rows = frame[frame["channel"] == channel.value]
        if rows.empty:
            continue
        figure.add_trace(go.Bar(
            x=rows["market_name"], y=rows["budget_usd"], name=t("pisco_budget_of", lang, channel=channel.label(lang)),
            marker_color=PALETTE[index % len(PALETTE)], customdata=rows[["id", "name"]].to_numpy(),
            hovertemplate=f"%{{customdata[0]}} · %{{customdata[1]}}<br>{channel.label(lang)}<br>"
                          f"{t('pisco_budget_usd', lang)}: US$ %{{y:{USD_FORMAT}}}<extra></extra>"))
    spent = frame.groupby("market_name")["spent_usd"].sum(min_count=1).reindex(order)
    figure.add_trace(go.Scatter(
        x=list(spent.index), y=spent.to_numpy(), mode="markers", name=t("pisco_spent", lang),
        marker={"symbol": "diamond", "size": 14, "color": "#222222", "line": {"width": 1, "color": "white"}},
        hovertemplate=f"%{{x}}<br>{t('pisco_spent_usd', lang)}: US$ %{{y:{USD_FORMAT}}}<extra></extra>"))
    figure.update_layout(barmode="stack")
    figure.update_xaxes(categoryorder="array", categoryarray=order)
    largest = max(frame.groupby("market_name")["budget_usd"].sum().max(), spent.max())
    figure.update_yaxes(short_ticks(largest, lang), rangemode="tozero")
    return styled(figure, t("pisco_budget_title", lang), lang, t("pisco_market", lang), usd_axis(lang), height=480)


def timeline(campaigns: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.campaigns` on the calendar (see `schedule`), one row per campaign and market."""
    markets = [country_name(code, lang) for code in campaigns["market"]]
    rows = campaigns.assign(row=[f"{plain(code)} · {plain(market)}" for code, market
                                 in zip(campaigns["id"], markets, strict=True)])
    details = pd.DataFrame({"name": [plain(name) for name in campaigns["name"]], t("pisco_market", lang): markets,
                            t("status", lang): [Status(v).label(lang) for v in campaigns["status"]]})
    return schedule(rows, details, t("pisco_timeline_title", lang), lang, actual_name=str)


def _market_labels(campaigns: pd.DataFrame, lang: str) -> list[str]:
    """Each campaign by its market's name; a market with several campaigns adds the id, so no two share a bar."""
    names = [country_name(code, lang) for code in campaigns["market"]]
    repeated = {name for name in names if names.count(name) > 1}
    return [f"{name} · {code}" if name in repeated else name for name, code in zip(names, campaigns["id"], strict=True)]


def targets_vs_actuals(campaigns: pd.DataFrame, lang: str) -> go.Figure:
    """`queries.campaigns`: target and actual of reach, contacts, meetings and deals (US$), one
    panel each, stacked (side by side, a phone drew their titles over each other), bars per campaign
    named by its market (the id and name in the hover)."""
    figure = make_subplots(rows=len(METRICS), cols=1, vertical_spacing=0.12,
                           subplot_titles=[t(key, lang) for _m, key, _u in METRICS])
    custom = campaigns[["id", "name"]].to_numpy()
    markets = _market_labels(campaigns, lang)
    for index, (metric, key, unit) in enumerate(METRICS):
        row, col = index + 1, 1
        suffix = "_usd" if unit == "usd" else ""
        value = f"US$ %{{y:{USD_FORMAT}}}" if unit == "usd" else "%{y:,.0f}"
        for kind, color in (("target", TARGET_COLOR), ("actual", ACTUAL_COLOR)):
            figure.add_trace(go.Bar(
                x=markets, y=campaigns[f"{metric}_{kind}{suffix}"], name=t(kind, lang),
                marker_color=color, legendgroup=kind, showlegend=index == 0, customdata=custom,
                hovertemplate=f"%{{x}}<br>%{{customdata[0]}} · %{{customdata[1]}}<br>"
                              f"{t(key, lang)} · {t(kind, lang)}: {value}"
                              "<extra></extra>"), row=row, col=col)
        largest = campaigns[[f"{metric}_{kind}{suffix}" for kind in ("target", "actual")]].max().max()
        figure.update_yaxes(short_ticks(largest, lang, usd=unit == "usd"), rangemode="tozero", row=row, col=col,
                            title_text=usd_axis(lang) if unit == "usd" else t("pisco_count_axis", lang))
    figure.update_layout(barmode="group")
    # Room between panels for market names, which a phone tilts.
    styled(figure, t("pisco_targets_title", lang), lang, height=260 * len(METRICS) + 140)
    return figure.update_annotations(xanchor="left", x=0)


def _percent(value: float, lang: str) -> str:
    """`53,0 %`; below 1 % two significant digits (`0,022 %`), so a small conversion never reads `0,0 %`."""
    decimals = 1 if value >= 1 or value <= 0 else 1 - math.floor(math.log10(value))
    return f"{format_number(value, lang, decimals)} %"


def _conversion(now, before, campaigns, lang: str) -> str:
    """A stage's actual as a share of the stage before, or of the campaigns for the campaigns that closed
    deals (a count of campaigns over a count of meetings would mean nothing)."""
    if not is_missing(campaigns):
        share = "" if not campaigns else _percent(100 * now / campaigns, lang)
        return t("pisco_conversion_campaigns", lang, count=format_number(now, lang),
                 campaigns=format_number(campaigns, lang), share=share)
    if is_missing(now) or is_missing(before) or not before:
        return ""
    return t("pisco_conversion", lang, share=_percent(100 * now / before, lang))


def funnel(funnel: pd.DataFrame, lang: str) -> go.Figure:
    """`one_reach_target(queries.campaign_funnel)`: reach -> contacts -> meetings -> campaigns that closed deals,
    target and actual side by side on a logarithmic axis, so that 3 campaigns stay as readable as 1.6 million
    people reached; each actual says its share of the target (inside its bar when it fits, so a phone shows it
    whole), the reach stage whose target it draws, each other stage its conversion from the stage before (the
    last: of the campaigns)."""
    stages = [t(f"pisco_stage_{stage}", lang) for stage in funnel["stage"]]
    shares = [("" if pd.isna(a) or pd.isna(g) or not g else f" ({format_number(100 * a / g, lang, 1)} %)")
              for a, g in zip(funnel["actual"], funnel["target"], strict=True)]
    actuals = list(funnel["actual"])
    conversions = [""] + [_conversion(now, before, campaigns, lang) for before, now, campaigns
                          in zip(actuals, actuals[1:], list(funnel["campaigns"])[1:], strict=False)]
    sources = ["" if is_missing(source) else t(f"pisco_reach_source_{source}", lang)
               for source in funnel["reach_source"]]
    notes = [conversion or source for conversion, source in zip(conversions, sources, strict=True)]
    ticks = [f"{stage}<br><span style='font-size:12px'>{note}</span>" if note else stage
             for stage, note in zip(stages, notes, strict=True)]
    figure = go.Figure()
    for kind, color, text in (("target", TARGET_COLOR, [""] * len(stages)),
                              ("actual", ACTUAL_COLOR, shares)):
        figure.add_trace(go.Bar(
            y=stages, x=funnel[kind], orientation="h", name=t(kind, lang), marker_color=color, text=text,
            texttemplate="%{x:,.0f}%{text}", textposition="auto", cliponaxis=False,
            hovertemplate=f"%{{y}}<br>{t(kind, lang)}: %{{x:,.0f}}%{{text}}<extra></extra>"))
    figure.update_layout(barmode="group", bargap=0.25)
    figure.update_xaxes(type="log", title_text=t("pisco_funnel_axis", lang), tickformat=USD_FORMAT, dtick=1)
    figure.update_yaxes(autorange="reversed", tickvals=stages, ticktext=ticks, automargin=True)
    figure = styled(figure, t("pisco_funnel_title", lang), lang, height=460)
    widest = max([v for v in [*funnel["target"], *funnel["actual"]] if not pd.isna(v)], default=1)
    figure.update_xaxes(range=[0, math.log10(max(widest, 1)) + 1.2])  # room for the outside labels, on a phone too
    return figure
