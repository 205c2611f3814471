"""Progress: are we on plan? Activities planned and done by month, the calendar, the list."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import present, progress, queries, year_end

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

st.subheader(t("year_end_heading", lang))
if not view.filters.whole_plans:
    st.info(t("outlook_whole_plans_only", lang))
else:
    plan_ids = list(view.plans["plan_id"])
    plan_id = plan_ids[0] if len(plan_ids) == 1 else st.selectbox(
        t("year_end_pick_plan", lang), plan_ids, key="progress-year-end-plan", format_func=view.label)
    kpi = st.selectbox(t("year_end_pick_kpi", lang), year_end.kpi_options(), key="progress-year-end-kpi",
                       format_func=lambda key: t(f"kpi_{key}", lang))
    row = year_end.kpi_row(ui.query_unfiltered(view.db_path, view.version, queries.outlook_kpi, plan_id, kpi))
    months = ui.query_unfiltered(view.db_path, view.version, queries.outlook_months, plan_id, kpi)
    fan = ui.figure(view, "year-end", lambda: year_end.fan_chart(months, row, lang), plan_id, kpi)
    ui.chart(view, fan, year_end.fan_table(months, row.unit, lang), "progress-year-end")
    st.caption(year_end.fan_note(row, lang))

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
