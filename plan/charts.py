"""Plotly figures for the pages and the report, built from query results, labelled in es/en.

Every builder takes a DataFrame from `plan.queries` and the language and returns a figure
with a title, axis titles with units and hover texts; numbers use the language's separators
(es-CL `1.500.000,5`, en `1,500,000.5`). No builder reads the database or Streamlit.
"""

import plotly.graph_objects as go

from plan.i18n import t

# A sober palette readable on a projector; statuses and modalities keep their colour everywhere.
PALETTE = ["#0b5394", "#e69138", "#6aa84f", "#a64d79", "#45818e", "#cc0000", "#674ea7", "#999999"]
STATUS_COLORS = {"planned": "#9fc5e8", "in_progress": "#f6b26b", "done": "#6aa84f", "postponed": "#a64d79",
                 "cancelled": "#999999"}
MODALITY_COLORS = {"virtual": "#0b5394", "in_person": "#e69138", "hybrid": "#6aa84f"}
USD_FORMAT = ",.0f"  # d3 format; the separators come from the layout


def separators(lang: str) -> str:
    """Plotly's decimal and thousands marks for the language."""
    return ".," if lang == "en" else ",."


def styled(figure: go.Figure, title: str, lang: str, x_title: str | None = None, y_title: str | None = None,
           height: int = 420) -> go.Figure:
    """The shared look: title, axis titles, language separators, legend on top, no Plotly logo."""
    figure.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        separators=separators(lang),
        colorway=PALETTE,
        height=height,
        margin={"l": 10, "r": 10, "t": 70, "b": 10},
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.0, "xanchor": "left", "x": 0, "title": None},
        font={"size": 14},
        hoverlabel={"namelength": -1},
    )
    if x_title is not None:
        figure.update_xaxes(title_text=x_title)
    if y_title is not None:
        figure.update_yaxes(title_text=y_title)
    return figure


def usd_axis(lang: str) -> str:
    return t("axis_usd", lang)


# --- progress page ---


# --- markets page ---


# --- mix page ---


# --- pisco page ---


# --- outcomes page ---
