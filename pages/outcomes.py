"""Outcomes: regional exports and growth, deals closed and projected, meetings, participants by country."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import firms, outcome_queries, outcomes, present, queries

view = ui.page("outcomes")
lang = view.lang

st.subheader(t("outcomes_section_exports", lang))
ui.chart(view, outcomes.exports(ui.query(view, outcome_queries.exports_drawn), view.labels, lang),
         ui.presented(view, outcome_queries.exports_drawn, present.exports_table, view.labels), "outcomes-exports")
st.caption(t("outcomes_exports_note", lang))
ui.note(present.plans_summed_note(view.filters, lang))
official_note = present.official_note(ui.query(view, outcome_queries.official_exports), lang)
ui.note(official_note)

sectors = ui.query(view, outcome_queries.exports_by_sector)
if not sectors.empty:
    st.subheader(t("outcomes_section_sectors", lang))
    ui.chart(view, outcomes.exports_by_sector(sectors, lang),
             ui.presented(view, outcome_queries.exports_by_sector, outcomes.exports_by_sector_table),
             "outcomes-sectors")
    ui.note(official_note)

exporting = ui.query(view, outcome_queries.exporting_firms)
if not exporting.empty:  # plans with firm_exports.csv only
    st.subheader(t("outcomes_section_firms", lang))
    ui.table(view, ui.presented(view, outcome_queries.exporting_firms, firms.by_year_table), "outcomes-firms",
             expanded=True)
    st.caption(firms.note(exporting, lang))

st.subheader(t("outcomes_section_deals", lang))
events = ui.query(view, queries.top_events)
deals_tables = ui.presented(view, queries.deals_by_event, outcomes.deals_table, view.labels)
ui.chart(view, outcomes.deals_by_event(events, view.labels, lang), deals_tables, "outcomes-deals-by-event")
ui.chart(view, outcomes.deals_over_time(ui.query(view, queries.deals_over_time), lang), deals_tables,
         "outcomes-deals-over-time")
st.caption(t("outcomes_deals_note", lang))
ui.note(present.capped_note(events, "capped_events", lang))

st.subheader(t("outcomes_section_meetings", lang))
ui.chart(view, outcomes.meetings(events, view.labels, lang),
         ui.presented(view, queries.deals_by_event, outcomes.meetings_table, view.labels), "outcomes-meetings")
ui.note(present.capped_note(events, "capped_events", lang))

st.subheader(t("outcomes_section_participants", lang))
participants = ui.query(view, outcome_queries.participants_by_country)
ui.chart(view, outcomes.participants(participants, lang),
         ui.presented(view, outcome_queries.participants_by_country, outcomes.participants_table, view.labels),
         "outcomes-participants")
ui.note(outcomes.participants_note(participants, ui.query(view, queries.activity_totals), lang))
