"""Target markets: where are we working, and which priority markets are left uncovered?"""

import streamlit as st

from plan import ui
from plan.model.countries import country_name
from plan.model.i18n import t
from plan.view import firms, markets, outcome_queries, present, queries

METRIC_KEY = "markets-metric"  # page-local choices, not kept in the URL
DRILL_KEY = "markets-drill"
MAP_CONFIG = {"topojsonURL": "/app/static/topojson/"}  # served from static/ (server.enableStaticServing)

view = ui.page("markets")
lang = view.lang
summary = ui.query(view, queries.markets_summary)
if summary.empty:
    ui.empty_state(view)
    st.stop()

metric = st.radio(t("markets_metric", lang), markets.METRICS, key=METRIC_KEY, horizontal=True,
                  format_func=lambda m: t(f"markets_metric_{m}", lang))
ranked = ui.presented(view, queries.markets_summary, markets.summary_table, metric)
ui.chart(view, markets.world_map(summary, metric, lang), ranked, "markets-map", config=MAP_CONFIG)
st.caption(t("markets_map_note", lang))
if metric == "exports_usd":
    ui.note(present.official_note(ui.query(view, outcome_queries.official_exports), lang))
ui.chart(view, markets.ranking(summary, metric, lang), ranked, "markets-ranking")
ui.note(markets.ranking_note(summary, metric, lang))
st.caption(t("markets_split_note", lang))
ui.note(markets.shared_note(ui.query(view, queries.markets_shared), lang))

exporting = ui.query(view, outcome_queries.exporting_firms_by_market)
if not exporting.empty:  # plans with firm_exports.csv only
    st.subheader(t("markets_firms", lang, year=int(exporting["year"].iloc[0])))
    ui.table(view, ui.presented(view, outcome_queries.exporting_firms_by_market, firms.by_market_table),
             "markets-firms", expanded=True, pinned=1)
    st.caption(firms.note(exporting, lang))

st.subheader(t("markets_coverage", lang))
counts, coverage = ui.presented(view, queries.markets_summary, markets.coverage)
for column, group in zip(st.columns(len(counts)), counts, strict=True):
    column.metric(group.label, group.value)
if counts[0].number == 0:
    st.success(t("markets_gap_none", lang))
ui.table(view, coverage, "markets-coverage", expanded=True)
st.caption(t("markets_coverage_note", lang))

st.subheader(t("markets_drill", lang))
options, default = markets.drill_options(summary, lang)
market = st.selectbox(t("markets_drill_pick", lang), options, index=default, key=DRILL_KEY,
                      format_func=lambda code: country_name(code, lang))
country = country_name(market, lang)
one_market = queries.for_market(view.filters, market)
cards = markets.cards(summary, market, lang)
with st.container(horizontal=True, gap="large"):
    for card in cards:
        st.metric(card.label, card.value, width="content")
ui.note(markets.market_shared_note(summary, market, lang))

activities = ui.presented(view, queries.activity_list, markets.activities_table, view.labels, filters=one_market)
st.subheader(t("markets_activities_of", lang))
if activities.raw.empty:
    st.info(t("markets_none_activities", lang))
else:
    ui.note(markets.listed_note(ui.query(view, queries.activity_list, filters=one_market), lang))
    ui.table(view, activities, "market-activities", expanded=True)
    deals = ui.presented(view, queries.deals_by_event, markets.deals_table, view.labels, filters=one_market)
    if not deals.raw.empty:
        events = ui.query(view, queries.top_events, filters=one_market)
        ui.chart(view, markets.deals(events, country, lang), deals, "markets-deals")
        ui.note(present.capped_note(events, "capped_events", lang))
    st.caption(t("markets_drill_note", lang))

campaigns = ui.presented(view, queries.campaigns, markets.campaigns_table, view.labels, filters=one_market)
st.subheader(t("markets_campaigns_of", lang))
if campaigns.raw.empty:
    st.info(t("markets_none_campaigns", lang))
else:
    ui.table(view, campaigns, "market-campaigns", expanded=True)

exports = ui.query(view, outcome_queries.exports_drawn, filters=one_market)
st.subheader(t("markets_exports", lang))
if exports.empty:
    st.info(t("markets_none_exports", lang))
else:
    ui.chart(view, markets.exports(exports, view.labels, country, lang),
             ui.presented(view, outcome_queries.exports_drawn, present.exports_table, view.labels, filters=one_market),
             "markets-exports")
    ui.note(present.plans_summed_note(view.filters, lang))
