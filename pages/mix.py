"""Activity mix: virtual, in-person and hybrid activities over time, and what each modality yields."""

import streamlit as st

from plan import ui
from plan.model.i18n import t
from plan.view import mix, queries

GRAIN_KEY = "mix_grain"  # page-local view choice, deliberately not kept in the URL

view = ui.page("mix")
lang = view.lang
quarterly = ui.query(view, queries.modality_by_period, "quarter")
if mix.grid(quarterly, "quarter", lang).empty:
    ui.empty_state(view)
    st.stop()

halves = mix.halves(quarterly)
st.subheader(t("mix_halves", lang))
if halves["plan_id"].nunique() == 1:
    ui.cards(mix.half_cards(halves, lang), per_row=4)
else:
    ui.table(view, mix.halves_table(halves, view.labels, lang), "mix-halves", expanded=True)

# The switch sits over the charts and the table it groups, below the half-years it leaves alone.
st.subheader(t("mix_section_by_period", lang))
grain = st.segmented_control(t("mix_grain", lang), mix.GRAINS, default="quarter", required=True,
                             format_func=lambda g: t(f"mix_grain_{g}", lang), key=GRAIN_KEY) or "quarter"
grid = mix.grid(ui.query(view, queries.modality_by_period, grain), grain, lang)
table = mix.grid_table(grid, grain, lang)
ui.chart(view, mix.by_period(grid, lang), table, "mix-by-period")
ui.chart(view, mix.share(grid, lang), table, "mix-share")
st.caption(t("mix_by_period_note", lang))

st.subheader(t("mix_effectiveness", lang))
effect = ui.query(view, queries.modality_effectiveness)
tables = mix.effectiveness_table(effect, lang)
ui.chart(view, mix.effectiveness(effect, lang), tables, "mix-effectiveness")
if not effect.empty:
    st.caption(t("mix_effectiveness_note", lang))
    ui.note(mix.effectiveness_note(effect, lang))
