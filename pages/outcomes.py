"""Outcomes: regional exports and growth, deals closed and projected, meetings, participants by country."""

import streamlit as st

from plan import charts, present, queries, ui
from plan.i18n import t

view = ui.page("outcomes")
lang = view.lang

st.subheader(t("outcomes_section_exports", lang))
exports = ui.query(view, queries.exports_by_year)
ui.chart(view, charts.outcomes_exports(exports, view.labels, lang), present.exports_table(exports, view.labels, lang),
         "outcomes-exports")
st.caption(t("outcomes_exports_note", lang))

st.subheader(t("outcomes_section_deals", lang))
deals = ui.query(view, queries.deals_by_event)
deals_tables = present.outcomes_deals_table(deals, view.labels, lang)
by_event, over_time = st.columns(2)
with by_event:
    ui.chart(view, charts.outcomes_deals_by_event(deals, view.labels, lang), deals_tables, "outcomes-deals-by-event")
with over_time:
    ui.chart(view, charts.outcomes_deals_over_time(deals, view.labels, lang), deals_tables,
             "outcomes-deals-over-time")
st.caption(t("outcomes_deals_note", lang))

st.subheader(t("outcomes_section_meetings", lang))
ui.chart(view, charts.outcomes_meetings(deals, view.labels, lang),
         present.outcomes_meetings_table(deals, view.labels, lang), "outcomes-meetings")

st.subheader(t("outcomes_section_participants", lang))
participants = ui.query(view, queries.participants_by_country)
ui.chart(view, charts.outcomes_participants(participants, lang),
         present.outcomes_participants_table(participants, view.labels, lang), "outcomes-participants")
