"""Overview: are we on track? KPIs against target and the year before, late activities."""

import streamlit as st

from plan import kpis, present, queries, ui
from plan.i18n import t

CARDS_UP_TO = 4  # plans shown as cards one by one

view = ui.page("overview")
lang = view.lang
table = ui.query(view, kpis.overview)
plan_ids = list(view.plans["plan_id"])

if len(plan_ids) > 1:
    st.subheader(t("compare_plans", lang))
    ui.table(view, present.kpi_comparison(table, view.labels, lang), "kpis", expanded=True)
# Cards per plan only for a handful: a national view (160 plans) is compared in the table above.
for plan_id in ([kpis.TOTAL] if len(plan_ids) > 1 else []) + (plan_ids if len(plan_ids) <= CARDS_UP_TO else []):
    st.subheader(ui.literal(view.label(plan_id)) if plan_id != kpis.TOTAL else t("alliance_total", lang))
    ui.cards(present.kpi_cards(table, plan_id, lang), per_row=3)

st.caption(present.status_rule(view.plans, view.labels, lang, escape=ui.literal))

st.subheader(t("late_activities", lang))
late = ui.query(view, queries.late_activities)
if late.empty:
    st.success(t("late_none", lang))
else:
    ui.table(view, present.late_table(late, view.labels, lang), "late-activities", expanded=True)

info = ui.query_unfiltered(view.db_path, view.version, queries.build_info)
st.caption(present.data_as_of(info, lang))
