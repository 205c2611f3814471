"""Overview: are we on track? KPIs against target and the year before, late activities."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import kpis, present, queries

view = ui.page("overview")
lang = view.lang
plan_ids = list(view.plans["plan_id"])

if len(plan_ids) > 1:
    st.subheader(t("compare_plans", lang))
    ui.table(view, ui.presented(view, kpis.overview, present.kpi_comparison, view.labels), "kpis", expanded=True)
# Cards per plan only for a handful: a national view (160 plans) is compared in the table above.
for plan_id in ([kpis.TOTAL] if len(plan_ids) > 1 else []) + ([] if view.filters.plans_summed() else plan_ids):
    st.subheader(ui.literal(view.label(plan_id)) if plan_id != kpis.TOTAL else t("alliance_total", lang))
    ui.cards(ui.presented(view, kpis.overview, present.kpi_cards, plan_id), per_row=3)

st.caption(present.status_rule(view.plans, view.labels, lang, escape=ui.literal))

st.subheader(t("late_activities", lang))
late = ui.presented(view, queries.late_activities, present.late_table, view.labels)
if late.raw.empty:
    st.success(t("late_none", lang))
else:
    ui.table(view, late, "late-activities", expanded=True)

info = ui.query_unfiltered(view.db_path, view.version, queries.build_info)
st.caption(present.data_as_of(info, lang))
