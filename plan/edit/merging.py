"""Two changes of one CSV made from the same version, put together by row (a three-way merge).

    merge(table, shown, base, mine, theirs) -> Merged | Collided | Unreadable

`base` is the version both sides started from, `mine` the local file, `theirs` the version someone else saved
since. Rows are known by their key (the table's unique columns), so my changes are applied on top of theirs
when they touch other rows; a row that both sides changed (or one changed and the other deleted) to different
values is a collision, named with both sides' values, and nothing is merged. Lines of `theirs` that my changes
do not touch stay byte for byte (`editing.apply`).
"""

from dataclasses import dataclass, field

from plan.edit.editing import Changes, Key, apply, parse_version
from plan.model.issues import Issue
from plan.model.models import PlanModel, Table


@dataclass(frozen=True)
class RowCollision:
    """One row both sides changed differently: None is a side that deleted it (or never had it)."""

    key: Key
    mine: PlanModel | None
    theirs: PlanModel | None
    columns: tuple[str, ...]  # the columns whose values differ between the two sides (all when one is None)


@dataclass
class Merged:
    raw: bytes | None  # None: the file stays absent (neither side has it)
    counts: dict  # my rows "added", "changed", "removed", as applied on theirs


@dataclass
class Collided:
    rows: list[RowCollision] = field(default_factory=list)


@dataclass
class Unreadable:
    """One of the three versions does not read as rows (it cannot be merged by row)."""

    issues: list[Issue]


def _values(row: PlanModel) -> dict[str, object]:
    return {name: getattr(row, name) for name in type(row).model_fields}


def merge(table: Table, shown: str, base: bytes | None, mine: bytes | None, theirs: bytes | None,
          ) -> Merged | Collided | Unreadable:
    """My changes since `base`, applied on `theirs` when no row collides."""
    versions = [parse_version("", table, shown, raw) for raw in (base, mine, theirs)]
    issues = [issue for version in versions for issue in version.issues]
    if issues:
        return Unreadable(issues)
    old, new, other = versions
    before, after, current = old.by_key(), new.by_key(), other.by_key()
    changes = Changes()
    collisions = []
    for key in {*before, *after}:
        was, now = before.get(key), after.get(key)
        mine_value = now.value if now else None
        if was is not None and now is not None and was.value == now.value:
            continue  # I did not touch this row
        theirs_row = current.get(key)
        theirs_value = theirs_row.value if theirs_row else None
        if theirs_value == mine_value:
            continue  # both sides made the same change (or both deleted it)
        theirs_touched = theirs_value != (was.value if was else None)
        if theirs_touched:
            collisions.append(RowCollision(key, mine_value, theirs_value, _differing(mine_value, theirs_value)))
        elif now is None:
            changes.deleted.add(key)
        elif was is None:
            changes.added.append(_values(now.value))
        else:
            changes.changed[key] = {name: getattr(now.value, name)
                                    for name in _differing(was.value, now.value)}
    if collisions:
        return Collided(sorted(collisions, key=lambda collision: tuple(map(str, collision.key))))
    counts = {"added": len(changes.added), "changed": len(changes.changed), "removed": len(changes.deleted)}
    if not changes:
        return Merged(theirs, counts)
    return Merged(apply(other, changes).raw, counts)


def _differing(one: PlanModel | None, other: PlanModel | None) -> tuple[str, ...]:
    if one is None or other is None:
        model = type(one if one is not None else other)
        return tuple(model.model_fields)
    return tuple(name for name in type(one).model_fields if getattr(one, name) != getattr(other, name))
