"""Overview: are we on track? In one screen: the total's KPIs against target and the year before, the plans
side by side, the late activities; one plan's cards on demand."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import kpis, overview, queries

PLAN_CARDS_KEY = "overview-plan"  # page-local choice, not kept in the URL

view = ui.page("overview")
lang = view.lang
plan_ids = list(view.plans["plan_id"])
several = len(plan_ids) > 1
headline = kpis.TOTAL if several else plan_ids[0]

st.subheader(t("alliance_total", lang) if several else ui.literal(view.label(headline)))
ui.note(overview.years_summed_note(view.plans, lang))
ui.cards(ui.presented(view, kpis.overview, overview.kpi_cards, headline), per_row=5,
         captions_in_tooltips=True)
ui.note(ui.presented(view, kpis.overview, overview.no_previous_note, headline))
ui.note(ui.presented(view, kpis.overview, overview.total_coverage_note))

if several:
    st.subheader(t("compare_plans", lang))
    ui.table(view, ui.presented(view, kpis.overview, overview.kpi_comparison, view.labels), "kpis", expanded=True,
             units=overview.comparison_units(lang), pinned=1)  # the total first, apart from the sortable plans
st.caption(overview.status_rule(view.plans, view.labels, lang, escape=ui.literal,  # for the cards and the table
                                period=view.filters.chooses_period))
st.caption(overview.outlook_note(view.filters.whole_plans, lang))

st.subheader(t("late_activities", lang))
late = ui.presented(view, queries.late_activities, overview.late_table, view.labels)
if late.raw.empty:
    st.success(t("late_none", lang))
else:
    ui.table(view, late, "late-activities", expanded=True)

if several:
    st.subheader(t("overview_plan_cards", lang))
    chosen = st.selectbox(t("overview_plan_pick", lang), plan_ids, key=PLAN_CARDS_KEY,
                          format_func=lambda plan_id: view.label(plan_id))
    ui.cards(ui.presented(view, kpis.overview, overview.kpi_cards, chosen), per_row=5,
             captions_in_tooltips=True)
    ui.note(ui.presented(view, kpis.overview, overview.no_previous_note, chosen))

info = ui.query_unfiltered(view.db_path, view.version, queries.build_info)
st.caption(overview.data_as_of(info, lang))
