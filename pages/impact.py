"""Impact: did the activities move exports? Every done activity of one plan side by side, then one activity
before and after, against a comparison."""

import streamlit as st

from plan import ui
from plan.impact import inputs, results
from plan.impact.estimates import meaning
from plan.model.i18n import t
from plan.view import impact

view = ui.page("impact", filtered=False)
lang = view.lang
plan_ids = list(view.plans["plan_id"])
plan_id = plan_ids[0] if len(plan_ids) == 1 else st.selectbox(t("impact_pick_plan", lang), plan_ids,
                                                              key="impact-plan", format_func=view.label)
st.caption(t("impact_per_plan", lang))
estimates = ui.query_unfiltered(view.db_path, view.version, results.estimates, plan_id)
if not estimates:
    st.info(t("impact_none_done", lang))
    st.stop()
done = ui.query_unfiltered(view.db_path, view.version, inputs.done_activities, plan_id).set_index("id")
titles = done["title"].to_dict()

st.subheader(t("impact_section_plan", lang))
if impact.drawn(estimates):
    ui.chart(view, ui.figure(view, "impact-side", lambda: impact.side_by_side(estimates, titles, lang), plan_id),
             impact.table(estimates, titles, lang), "impact-activities")
else:  # nothing to draw: every row says why it has no estimate
    ui.table(view, impact.table(estimates, titles, lang), "impact-activities", expanded=True)
for level in sorted({e.level for e in estimates}):
    st.caption(f"{t(f'impact_level_{level}', lang)}: {meaning(level, lang)}")
if all(e.level == "aggregate" for e in estimates):
    st.caption(t("impact_no_firm_data", lang))
elif ui.query_unfiltered(view.db_path, view.version, inputs.customs_ids, plan_id):
    st.caption(t("firms_customs_assumption", lang))

st.subheader(t("impact_section_activity", lang))
activity_id = st.selectbox(t("impact_pick_activity", lang), list(done.index), key="impact-activity",
                           format_func=lambda key: f"{key} · {titles.get(key, '')}")
for estimate in (e for e in estimates if e.activity_id == activity_id):
    st.markdown(ui.literal(impact.sentence(estimate, titles.get(activity_id, ""), lang)))
monthly = ui.query_unfiltered(view.db_path, view.version, results.before_after, plan_id, activity_id)
if impact.shown_groups(monthly):
    figure = ui.figure(view, "impact-before-after", lambda: impact.before_after(
        monthly, (int(done.at[activity_id, "year"]), int(done.at[activity_id, "month"])), titles[activity_id], lang),
        plan_id, activity_id)
    ui.chart(view, figure, impact.before_after_table(monthly, lang), "impact-before-after")
    st.caption(t("impact_before_after_note", lang))
elif not monthly.empty:
    st.caption(t("impact_chart_hidden", lang, min=impact.MIN_FIRMS))
