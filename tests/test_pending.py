"""Pending edits kept by row key: grids drawn again from them, and the cells two editors both changed."""

import datetime as dt

import pandas as pd

from plan.edit import editing, editor_display, pending
from plan.edit.pending import Collision
from plan.model.models import ACTIVITIES, Status

ATACAMA = "prochile-atacama-2021"
FIRST, SECOND, THIRD = ("ATA-21-01",), ("ATA-21-02",), ("ATA-21-03",)


def saved(base: editing.TableVersion, changes: editing.Changes) -> editing.TableVersion:
    """`base` with `changes` applied, as the file would read after saving them."""
    return editing.parse_version(ATACAMA, ACTIVITIES, base.shown, editing.apply(base, changes).raw)


def test_a_grid_drawn_from_held_edits_leaves_deleted_rows_out_and_shows_new_ones_last():
    held = editing.Changes(deleted={SECOND}, added=[{"title": "Nueva"}, {"title": "Otra"}])
    assert pending.grid_rows([FIRST, SECOND, THIRD], held) == [FIRST, THIRD, 0, 1]


def test_without_held_edits_combining_is_reading_the_grid():
    state = {"edited_rows": {"1": {"notes": "x"}}, "added_rows": [{"title": "Nueva"}, {}], "deleted_rows": [2]}
    keys = [FIRST, SECOND, THIRD]
    assert pending.combine(editing.Changes(), keys, state) == editing.Changes.from_editor(keys, state)


def test_a_grids_edits_go_on_top_of_the_held_ones_by_row():
    held = editing.Changes(changed={FIRST: {"title": "Uno", "notes": "n"}, THIRD: {"notes": "borrar"}},
                           added=[{"title": "Nueva"}, {"title": "Se va"}])
    rows = pending.grid_rows([FIRST, SECOND, THIRD], held)  # FIRST, SECOND, THIRD, new 0, new 1
    state = {"edited_rows": {"0": {"title": "Uno bis"}, "3": {"notes": "de la nueva"}},
             "added_rows": [{"title": "Tercera"}], "deleted_rows": [2, 4]}
    combined = pending.combine(held, rows, state)
    assert combined == editing.Changes(changed={FIRST: {"title": "Uno bis", "notes": "n"}}, deleted={THIRD},
                                       added=[{"title": "Nueva", "notes": "de la nueva"}, {"title": "Tercera"}])
    assert held.changed[FIRST]["title"] == "Uno" and len(held.added) == 2  # what the grid was drawn from stays


def test_changes_to_rows_the_current_version_lacks_are_left_out(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    current = saved(base, editing.Changes(deleted={SECOND}))
    changes = editing.Changes(changed={FIRST: {"notes": "a"}, SECOND: {"notes": "b"}}, deleted={SECOND, THIRD},
                              added=[{"title": "Nueva"}])
    assert pending.still_applicable(changes, current) == editing.Changes(
        changed={FIRST: {"notes": "a"}}, deleted={THIRD}, added=[{"title": "Nueva"}])


def test_a_cell_both_changed_to_different_values_collides_and_nothing_else_does(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    theirs = saved(base, editing.Changes(changed={FIRST: {"title": "De A"}, SECOND: {"notes": "igual"},
                                                  THIRD: {"title": "Solo de A"}}))
    mine = editing.Changes(changed={FIRST: {"title": "De B", "notes": "solo mía"}, SECOND: {"notes": "igual"},
                                    THIRD: {"notes": "otra columna"}})
    assert pending.collisions(base, theirs, mine) == [Collision(FIRST, "title", "De A", "De B")]


def test_values_are_compared_as_read_so_spellings_do_not_collide(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    theirs = saved(base, editing.Changes(changed={("ATA-21-21",): {"status": "done", "actual_end": "2021-09-30"}}))
    mine = editing.Changes(changed={("ATA-21-21",): {"status": "Realizada", "actual_end": "30-09-2021"}})
    assert pending.collisions(base, theirs, mine) == []


def test_writing_back_the_old_value_over_theirs_collides(sample_dir):
    # The grid can hold a cell retyped as it was: applied on the current file it would undo their change.
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    old = base.by_key()[FIRST].value.title
    theirs = saved(base, editing.Changes(changed={FIRST: {"title": "De A"}}))
    assert pending.collisions(base, theirs, editing.Changes(changed={FIRST: {"title": old}})) == [
        Collision(FIRST, "title", "De A", old)]


def test_a_row_deleted_here_and_changed_there_collides_as_a_whole(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    theirs = saved(base, editing.Changes(changed={SECOND: {"notes": "de A", "title": "De A"}}))
    found = pending.collisions(base, theirs, editing.Changes(deleted={SECOND, THIRD}))
    assert found == [Collision(SECOND, None, ["title", "notes"], None)]
    assert editor_display.collision_table(found, ACTIVITIES, "es").values.tolist() == [
        ["ATA-21-02", "(toda la fila)", "cambiada: Título, Notas", "eliminarla"]]


def test_a_row_whose_id_the_edits_change_is_compared_by_the_key_it_had(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    theirs = saved(base, editing.Changes(changed={FIRST: {"title": "De A"}}))
    mine = editing.Changes(changed={FIRST: {"id": "ATA-21-90", "title": "De B"}})
    assert pending.collisions(base, theirs, mine) == [Collision(FIRST, "title", "De A", "De B")]


def test_keeping_theirs_drops_those_cells_and_the_file_keeps_its_values_line_for_line(sample_dir):
    base = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    theirs = saved(base, editing.Changes(changed={FIRST: {"title": "De A"}, SECOND: {"title": "Otro de A"}}))
    mine = editing.Changes(changed={FIRST: {"title": "De B", "notes": "nota de B"}, SECOND: {"title": "Otro de B"}},
                           deleted={THIRD})
    first, second = pending.collisions(base, theirs, mine)
    kept = pending.keep_theirs(mine, [first])
    assert kept == editing.Changes(changed={FIRST: {"notes": "nota de B"}, SECOND: {"title": "Otro de B"}},
                                   deleted={THIRD})
    result = saved(theirs, kept).by_key()
    assert (result[FIRST].value.title, result[FIRST].value.notes, result[SECOND].value.title) == (
        "De A", "nota de B", "Otro de B")
    before, after = theirs.raw.decode().splitlines(), editing.apply(theirs, kept).raw.decode().splitlines()
    assert [line for line in before if line not in after] == [
        line for line in before if line.startswith(("ATA-21-01,", "ATA-21-02,", "ATA-21-03,"))]
    assert pending.keep_theirs(mine, [second]).changed == {FIRST: {"title": "De B", "notes": "nota de B"}}
    assert pending.keep_theirs(editing.Changes(deleted={SECOND}), [Collision(SECOND, None, [], None)]) == (
        editing.Changes())


def test_a_grid_drawn_from_held_edits_shows_them_as_the_grid_holds_values(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    held = editing.Changes(changed={FIRST: {"status": "done", "actual_end": "2021-09-30", "budget_usd": 2500}},
                           deleted={SECOND},
                           added=[{"title": "Nueva", "planned_start": "2021-11-03", "markets": ["KOR"]}])
    frame = editor_display.grid(version, [FIRST, SECOND, THIRD], held)
    assert frame["id"].tolist()[:2] == ["ATA-21-01", "ATA-21-03"] and pd.isna(frame.loc[2, "id"])
    assert frame.loc[0, ["status", "actual_end", "budget_usd"]].tolist() == [Status.DONE.value, dt.date(2021, 9, 30),
                                                                             2500.0]
    assert frame.loc[2, ["title", "planned_start", "markets"]].tolist() == ["Nueva", dt.date(2021, 11, 3), ["KOR"]]
    assert frame["budget_usd"].dtype == "float64" and frame["exporters"].dtype == "Int64"
