"""Progress: are we on plan? Activities planned and done by month, the calendar, the list."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import present, progress, queries

view = ui.page("progress")
lang = view.lang
calendar = ui.query(view, queries.activity_calendar)
if calendar.empty:
    ui.empty_state(view)
    st.stop()

st.subheader(t("progress_to_date", lang))
if len(view.plans) == 1:
    ui.cards(ui.presented(view, progress.to_date, progress.cards), per_row=5)
else:
    ui.table(view, ui.presented(view, progress.to_date, progress.to_date_table, view.labels), "progress-to-date",
             expanded=True)
st.caption(progress.two_gaps_note(lang))

monthly = ui.query(view, queries.progress_drawn)
ui.chart(view, progress.cumulative(monthly, view.plans, view.labels, lang),
         ui.presented(view, queries.progress_drawn, progress.monthly_table, view.labels), "progress-cumulative")
st.caption(t("progress_cumulative_note", lang))
ui.note(present.plans_summed_note(view.filters, lang))

st.subheader(t("progress_timeline", lang))
ui.chart(view, progress.timeline(calendar, view.plans, view.labels, lang),
         ui.presented(view, queries.activity_calendar, progress.timeline_table, view.labels),
         "progress-timeline")
st.caption(t("progress_timeline_note", lang))
ui.note(present.capped_note(calendar, "capped_activities", lang))

st.subheader(t("progress_activities", lang))
ui.table(view, ui.presented(view, queries.activity_list, progress.activity_table, view.labels), "activities",
         expanded=True)
st.caption(t("data_text_note", lang))
