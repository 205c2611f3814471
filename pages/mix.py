"""Placeholder replaced by the mix page."""

import streamlit as st

from plan import ui

view = ui.page("mix")
st.write("...")
