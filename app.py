"""The dashboard's entrypoint: language, data readiness, filters, then the chosen page.

Every page runs inside this file (see `plan.ui.page`), so a shared deep link gets the same
page config, sidebar, filters and banners as navigating there.
"""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.model.issues import PlanInvalid
from plan.ui import access

st.set_page_config(page_title=t("app_title"), page_icon="🌎", layout="wide")
lang = ui.language()
store_problem = ui.sync_store()
ready, version = ui.readiness()
if store_problem:
    st.warning(t("banner_store_unreachable", lang))
if isinstance(ready, PlanInvalid) and store_problem:  # a new host that could not copy the plan yet
    st.info(t("store_no_data_yet", lang))
    st.stop()
if isinstance(ready, PlanInvalid):
    ui.show_issues(t("no_data", lang), ready.issues, lang)
    if access.editor() is None:
        st.stop()
    ui.publish(ui.without_data(lang))  # no data to show, but an editor can mend the CSVs here
    mending = st.navigation([ui.editor_page(lang, visible=True)])
    ui.follow_saves(None, mending)
    mending.run()
    st.stop()
if ready.set_aside:
    st.warning(t("banner_set_aside", lang, path=ready.set_aside))
if ready.issues:
    ui.show_issues(t("banner_invalid", lang, count=len(ready.issues)), ready.issues, lang)

view = ui.sidebar(ready, version, lang)
navigation = st.navigation(ui.pages(lang, editor=access.editor() is not None))
st.set_page_config(page_title=f"{navigation.title} · {t('app_title', lang)}")
if view is None:
    st.info(t("no_plan_matches", lang))
    st.stop()
ui.publish(view)
ui.follow_saves(view, navigation)
ui.report_button(view)
navigation.run()
