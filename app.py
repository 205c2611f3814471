"""The dashboard's entry page: a plain overview of the selected plans (until the pages land)."""

import streamlit as st

from plan import present, queries, store, ui
from plan.i18n import format_date, format_number, format_usd, t
from plan.issues import PlanInvalid

st.set_page_config(page_title=t("app_title"), page_icon="🌎", layout="wide")
lang = ui.language()
st.title(t("app_title", lang))

ready = ui.readiness()
if isinstance(ready, PlanInvalid):
    ui.show_issues(t("no_data", lang), ready.issues, lang)
    st.stop()
if ready.set_aside:
    st.warning(t("banner_set_aside", lang, path=ready.set_aside))
if ready.issues:
    ui.show_issues(t("banner_invalid", lang, count=len(ready.issues)), ready.issues, lang)

with store.reader(ready.db_path) as con:
    all_plans = queries.plans(con)
    labels = {row.plan_id: f"{row.office} {row.year}" for row in all_plans.itertuples()}
    chosen = st.sidebar.multiselect(t("plans", lang), list(labels), default=list(labels), format_func=labels.get,
                                    help=t("plans_help", lang), key="plan", bind="query-params")
    if not chosen:
        st.info(t("no_plan_selected", lang))
        st.stop()
    totals = queries.activity_totals(con, chosen)
    exports = queries.exports_by_year(con, chosen)
    info = queries.build_info(con)

for row in totals.itertuples():
    st.subheader(labels[row.plan_id])
    cards = st.columns(4)
    cards[0].metric(t("activities_done", lang), format_number(row.activities_done, lang),
                    t("of_planned", lang, planned=row.activities_planned), delta_color="off", delta_arrow="off")
    cards[1].metric(t("budget_spent", lang), format_usd(row.spent_usd, lang),
                    t("of_budget", lang, budget=format_usd(row.budget_usd, lang)), delta_color="off",
                    delta_arrow="off")
    cards[2].metric(t("exporters", lang), format_number(row.exporters, lang))
    cards[3].metric(t("importers", lang), format_number(row.importers, lang))
    cards = st.columns(3)
    cards[0].metric(t("meetings_held", lang), format_number(row.meetings_held, lang))
    cards[1].metric(t("deals_closed", lang), format_usd(row.deals_closed_usd, lang))
    cards[2].metric(t("deals_projected", lang), format_usd(row.deals_projected_usd, lang))

if len(exports):
    st.subheader(t("exports_by_year", lang))
    st.dataframe(present.exports_table(exports, labels, lang), hide_index=True)

st.caption(t("data_as_of", lang, built=format_date(info["built_at_utc"].date(), lang)
             + info["built_at_utc"].strftime(" %H:%M"), version=info["fingerprint"][:12]))
