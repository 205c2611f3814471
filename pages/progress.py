"""Progress: are we on plan? Activities planned and done by month, the calendar, the list."""

import streamlit as st

from plan import charts, present, queries, ui
from plan.i18n import t

view = ui.page("progress")
lang = view.lang
activities = ui.query(view, queries.activity_list)
if activities.empty:
    ui.empty_state(view)
    st.stop()

monthly = ui.query(view, queries.monthly_progress)
summary = present.progress_to_date(monthly, view.plans)
st.subheader(t("progress_to_date", lang))
if len(summary) == 1:
    ui.cards(present.progress_cards(summary, lang), per_row=4)
else:
    ui.table(view, present.progress_to_date_table(summary, view.labels, lang), "progress-to-date", expanded=True)

ui.chart(view, charts.progress_cumulative(monthly, view.plans, view.labels, lang),
         present.progress_monthly_table(monthly, view.labels, lang), "progress-cumulative")
st.caption(t("progress_cumulative_note", lang))

st.subheader(t("progress_timeline", lang))
ui.chart(view, charts.progress_timeline(activities, view.plans, view.labels, lang),
         present.progress_timeline_table(activities, view.labels, lang), "progress-timeline")
st.caption(t("progress_timeline_note", lang))

st.subheader(t("progress_activities", lang))
ui.table(view, present.progress_activity_table(activities, view.labels, lang), "activities", expanded=True)
st.caption(t("data_text_note", lang))
