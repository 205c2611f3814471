"""Overview: are we on track? KPIs against target and the year before, late activities."""

import streamlit as st

from plan import kpis, present, queries, ui
from plan.i18n import format_date, t

view = ui.page("overview")
lang = view.lang
table = ui.query(view, kpis.overview)
plan_ids = list(view.plans["plan_id"])

if len(plan_ids) > 1:
    st.subheader(t("compare_plans", lang))
    ui.table(view, present.kpi_comparison(table, view.labels, lang), "kpis", expanded=True)
for plan_id in ([kpis.TOTAL] if len(plan_ids) > 1 else []) + plan_ids:
    st.subheader(ui.literal(view.label(plan_id)) if plan_id != kpis.TOTAL else t("alliance_total", lang))
    ui.cards(present.kpi_cards(table, plan_id, lang), per_row=3)

as_of = ", ".join(f"{ui.literal(view.label(row.plan_id))}: {format_date(row.as_of, lang)}"
                  for row in view.plans.dropna(subset=["as_of"]).itertuples())
st.caption(t("status_rule", lang, as_of=as_of or t("today", lang)))

st.subheader(t("late_activities", lang))
late = ui.query(view, queries.late_activities)
if late.empty:
    st.success(t("late_none", lang))
else:
    ui.table(view, present.late_table(late, view.labels, lang), "late-activities", expanded=True)

info = ui.query_unfiltered(view.db_path, view.version, queries.build_info)
st.caption(t("data_as_of", lang, built=format_date(info["built_at_utc"].date(), lang)
             + info["built_at_utc"].strftime(" %H:%M"), version=info["fingerprint"][:12]))
