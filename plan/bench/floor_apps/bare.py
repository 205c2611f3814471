"""The benchmark's lower floor: a bare Streamlit app, a title and ten metric cards, no data at all
(`python -m plan bench` serves it beside the dashboard to measure what Streamlit itself costs)."""

import streamlit as st

st.title("Bare app")
for row in range(2):
    for column, card in zip(st.columns(5), range(5), strict=True):
        column.metric(f"Card {5 * row + card + 1}", f"{1000 * (card + 1):,}", f"{card - 2:+d}")
