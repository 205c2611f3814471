"""Pisco plan: campaigns by market and channel, their schedule, budget and spend, targets against results."""

import streamlit as st

from plan import charts, present, queries, ui
from plan.i18n import t

view = ui.page("pisco")
lang = view.lang
campaigns = ui.query(view, queries.campaigns)

if campaigns.empty:
    ui.empty_state(view)
else:
    ui.cards(present.pisco_cards(ui.query(view, queries.campaign_totals), lang), per_row=4)

    st.subheader(t("pisco_section_money", lang))
    ui.chart(view, charts.pisco_budget_by_market(campaigns, lang), present.pisco_budget_table(campaigns, lang),
             "pisco-budget")

    st.subheader(t("pisco_section_schedule", lang))
    ui.chart(view, charts.pisco_timeline(campaigns, lang), present.pisco_timeline_table(campaigns, lang),
             "pisco-timeline")
    st.caption(t("pisco_timeline_note", lang))

    st.subheader(t("pisco_section_results", lang))
    ui.chart(view, charts.pisco_targets_vs_actuals(campaigns, lang), present.pisco_targets_table(campaigns, lang),
             "pisco-targets")
    funnel = ui.query(view, queries.campaign_funnel)
    ui.chart(view, charts.pisco_funnel(funnel, lang), present.pisco_funnel_table(funnel, lang), "pisco-funnel")
    st.caption(t("pisco_funnel_note", lang))

    st.subheader(t("pisco_table_title", lang))
    ui.table(view, present.pisco_campaign_table(campaigns, view.labels, lang), "pisco-campaigns", expanded=True)
