"""Placeholder replaced by the progress page."""

import streamlit as st

from plan import ui

view = ui.page("progress")
st.write("...")
