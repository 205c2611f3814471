"""Placeholder replaced by the outcomes page."""

import streamlit as st

from plan import ui

view = ui.page("outcomes")
st.write("...")
