"""Pisco plan: campaigns by market and channel, their schedule, budget and spend, targets against results."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import pisco, present, queries

view = ui.page("pisco")
lang = view.lang
calendar = ui.query(view, queries.campaign_calendar)

if calendar.empty:
    ui.empty_state(view)
else:
    ui.cards(ui.presented(view, queries.campaign_totals, pisco.cards), per_row=4)

    st.subheader(t("pisco_section_money", lang))
    ui.chart(view, pisco.budget_by_market(ui.query(view, queries.campaigns), lang),
             ui.presented(view, queries.campaigns, pisco.budget_table), "pisco-budget")

    st.subheader(t("pisco_section_schedule", lang))
    ui.chart(view, pisco.timeline(calendar, lang),
             ui.presented(view, queries.campaign_calendar, pisco.timeline_table), "pisco-timeline")
    st.caption(t("pisco_timeline_note", lang))
    ui.note(present.capped_note(calendar, "capped_campaigns", lang))

    st.subheader(t("pisco_section_results", lang))
    ui.chart(view, pisco.targets_vs_actuals(calendar, lang),
             ui.presented(view, queries.campaign_calendar, pisco.targets_table), "pisco-targets")
    ui.note(present.capped_note(calendar, "capped_campaigns", lang))
    funnel = pisco.one_reach_target(ui.query(view, queries.campaign_funnel), bool(view.filters.narrowed()))
    ui.chart(view, pisco.funnel(funnel, lang), pisco.funnel_table(funnel, lang), "pisco-funnel")
    st.caption(pisco.funnel_note(funnel, lang))
    st.caption(t("pisco_funnel_note", lang))

    st.subheader(t("pisco_table_title", lang))
    ui.table(view, ui.presented(view, queries.campaigns, pisco.campaign_table, view.labels),
             "pisco-campaigns", expanded=True)
