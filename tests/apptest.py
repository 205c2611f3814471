"""Shared AppTest helpers: open a page through the entrypoint, read the figures it draws."""

import base64
import json
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from plan.ui import literal

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def open_page(page: str | None = None, **params: str) -> AppTest:
    """Run app.py with `params` in the URL, then switch to `page` (e.g. "pages/pisco.py")."""
    at = AppTest.from_file(APP)
    for key, value in params.items():
        at.query_params[key] = value
    at.run(timeout=60)
    if page is not None:
        at.switch_page(page).run(timeout=60)
    assert not at.exception
    return at


def card_tooltips(at: AppTest) -> list[str]:
    """Each card's tooltip, in the order of `at.metric`: it sits on the card's label, drawn as Markdown above
    the figure (a metric's own label is cut to one line)."""
    labels = [m for m in at.markdown if m.value.startswith("**")]
    tooltips, start = [], 0
    for metric in at.metric:
        index = next(i for i in range(start, len(labels)) if labels[i].value == f"**{literal(metric.label)}**")
        tooltips.append(labels[index].proto.help)
        start = index + 1
    return tooltips


def decoded(value):
    """Plotly 7 sends numeric arrays as base64 typed arrays; lists of plain numbers for asserting."""
    if isinstance(value, dict) and "bdata" in value:
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"]).tolist()
    if isinstance(value, dict):
        return {key: decoded(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decoded(item) for item in value]
    return value


def figures_by_title(at: AppTest) -> dict[str, dict]:
    """Every plotly figure on the page, by its title (as one line: charts wrap long titles)."""
    figures = [decoded(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]
    return {title_of(figure): figure for figure in figures}


def title_of(figure: dict) -> str:
    return figure["layout"]["title"]["text"].replace("<br>", " ")


def trace_named(figure: dict, name: str) -> dict:
    """The first trace of `figure` called `name`."""
    return next(item for item in figure["data"] if item.get("name") == name)


def table_with(at: AppTest, *columns: str):
    """The first data table on the page that has all these columns."""
    return next(frame.value for frame in at.dataframe if set(columns) <= set(frame.value.columns))
