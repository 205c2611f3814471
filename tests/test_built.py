"""Tables built once and sent as built (plan.ui.built): a later session sees exactly what the first one
built, a different language or content is never served from another's table, and the Streamlit internals the
module relies on are still there."""

import dataclasses
import inspect

import pytest
from streamlit.delta_generator import DeltaGenerator
from streamlit.elements.lib.layout_utils import LayoutConfig
from streamlit.runtime.scriptrunner_utils.script_run_context import ScriptRunContext

from plan.ui import built
from tests.apptest import open_page


@pytest.fixture
def empty_tables():
    built._built.clear()
    yield
    built._built.clear()


def _tables(at) -> list[bytes]:
    return [table.proto.SerializeToString() for table in at.dataframe]


def test_a_later_session_gets_the_tables_the_first_built_exactly(app_env, empty_tables, monkeypatch):
    first = open_page(None)
    drawn = _tables(first)
    assert len(drawn) >= 3 and len(built._built) == len(drawn)  # the total, the plans, the late activities

    def build_again(draw):
        raise AssertionError("a table was built again instead of sent as built")

    monkeypatch.setattr(built, "_sent_while", build_again)
    later = open_page(None)
    assert _tables(later) == drawn
    assert list(later.dataframe[1].value["Plan"]) == ["ProChile Atacama 2021", "Alianza del Pacífico 2020"]


def test_another_language_or_view_is_built_apart(app_env, empty_tables):
    spanish = open_page(None)
    english = open_page(None, lang="en")
    assert "Plan" in spanish.dataframe[1].value.columns and "Actividades realizadas" in spanish.dataframe[1].value
    assert "Activities done" in english.dataframe[1].value.columns
    atacama = open_page(None, office="ProChile Atacama")
    assert list(atacama.dataframe[-1].value["ID"])[:1] == ["ATA-21-06"]
    assert _tables(atacama) != _tables(spanish)


def test_the_streamlit_internals_it_uses_are_still_there():
    # If one of these fails, Streamlit changed what plan.ui.built relies on: read its docstring, then adapt it.
    assert "_enqueue" in {field.name for field in dataclasses.fields(ScriptRunContext)}
    parameters = inspect.signature(DeltaGenerator._enqueue).parameters
    assert list(parameters)[:4] == ["self", "delta_type", "element_proto", "layout_config"]
    assert LayoutConfig(width="stretch").width == "stretch"
