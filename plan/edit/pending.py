"""Pending edits of one table while a person works on them: kept by row key, so a grid can be drawn
again from them (another table or plan in between, a new page of a big table, a newer version of the
file), and compared with what others saved meanwhile.

    grid_rows(keys, held)               -> what each row of a grid drawn with `held` is: a key, or a held new row
    combine(held, rows, state)          -> Changes: `held`, with the grid's own edits (st.data_editor's state) on top
    still_applicable(changes, version)  -> the changes without the rows `version` no longer has
    collisions(base, current, changes)  -> cells both the file (since `base`) and `changes` changed, differently
    keep_theirs(changes, chosen)        -> the changes without the chosen collisions: the file's values stay
"""

from dataclasses import dataclass

from plan.edit.editing import Changes, Key, TableVersion, apply, parse_version
from plan.model.models import PlanModel

GridRow = Key | int  # a row of the file, by key, or a held new row, by its index in `Changes.added`


def grid_rows(keys: list[Key], held: Changes) -> list[GridRow]:
    """The rows of a grid drawn from `keys` with `held` applied: the rows not deleted, then the new ones."""
    return [key for key in keys if key not in held.deleted] + list(range(len(held.added)))


def combine(held: Changes, rows: list[GridRow], state: dict) -> Changes:
    """Every pending edit: `held` (what the grid was drawn with), then the grid's `state` over `rows`."""
    fresh = Changes.from_editor(rows, state)
    changes = Changes({key: dict(cells) for key, cells in held.changed.items()}, set(held.deleted),
                      [dict(cells) for cells in held.added])
    for row, cells in fresh.changed.items():
        (changes.added[row] if isinstance(row, int) else changes.changed.setdefault(row, {})).update(cells)
    dropped = {row for row in fresh.deleted if isinstance(row, int)}
    changes.added = [cells for index, cells in enumerate(changes.added) if index not in dropped] + fresh.added
    for key in fresh.deleted - dropped:
        changes.deleted.add(key)
        changes.changed.pop(key, None)
    return changes


def still_applicable(changes: Changes, version: TableVersion) -> Changes:
    """`changes` less those to rows `version` no longer has (deleted, or their key changed)."""
    lost = set(changes.missing_in(version))
    return Changes({key: cells for key, cells in changes.changed.items() if key not in lost},
                   changes.deleted - lost, changes.added)


@dataclass(frozen=True)
class Collision:
    """A cell the file changed since the edits began and the edits change to something else; or, with no
    column, a row the edits delete that the file changed (`theirs`: the names of the columns it changed)."""

    key: Key
    column: str | None
    theirs: object  # the value in the current file
    mine: object  # the value the edits would write (as read back from the file; as typed if the row is invalid)


def collisions(base: TableVersion, current: TableVersion, changes: Changes) -> list[Collision]:
    """What applying `changes` (made on `base`) to `current` would overwrite of what others saved, in file order."""
    before, now = base.by_key(), current.by_key()
    mine = _as_written(base, changes)
    found = []
    for key, cells in changes.changed.items():
        if key not in before or key not in now:
            continue
        for name in cells:
            if name not in base.table.model.model_fields:
                continue
            theirs = getattr(now[key].value, name)
            written = getattr(mine[key], name) if key in mine else cells[name]
            if theirs != getattr(before[key].value, name) and written != theirs:
                found.append(Collision(key, name, theirs, written))
    for key in changes.deleted:
        if key in before and key in now and now[key].value != before[key].value:
            names = [name for name in base.table.model.model_fields
                     if getattr(now[key].value, name) != getattr(before[key].value, name)]
            found.append(Collision(key, None, names, None))
    return sorted(found, key=lambda collision: before[collision.key].line)


def _as_written(base: TableVersion, changes: Changes) -> dict[Key, PlanModel]:
    """Each changed row as the file would hold it, read back (typed), by the key it had; rows that do not
    read are left out."""
    draft = apply(base, Changes(changed=changes.changed))
    version = parse_version(base.plan_id, base.table, base.shown, draft.raw)
    return {draft.origin[row.line]: row.value for row in version.rows if row.line in draft.origin}


def keep_theirs(changes: Changes, chosen: list[Collision]) -> Changes:
    """`changes` without the cells (and deletions) of `chosen`, so the file keeps its values there."""
    changed = {key: dict(cells) for key, cells in changes.changed.items()}
    deleted = set(changes.deleted)
    for collision in chosen:
        if collision.column is None:
            deleted.discard(collision.key)
        else:
            changed.get(collision.key, {}).pop(collision.column, None)
    return Changes({key: cells for key, cells in changed.items() if cells}, deleted, changes.added)
