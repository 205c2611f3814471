"""A local copy of the plan store: pull it, change it (by hand, in Excel, by an import), push it back, and lose
no one's edit on the way.

    <copy>/.store-bases.json    where the copy came from, and the store version each file was pulled or pushed at

    pull(store, copy)   the store's versions into the copy. A file changed here is kept when the store did not
                        change it, or merged by row with the store's changes; a row changed on both sides, or a
                        file here that was never pulled, refuses the whole pull (naming files and rows) and
                        writes nothing, unless `force` (the store's versions replace the copy's).
    push(store, copy)   the files changed here since their base, as new versions: on top of the store's current
                        version when others changed other rows since (by row id); a row both sides changed, or a
                        file the store holds that this copy never pulled, refuses the whole push and nothing is
                        written, unless `force` (recorded in the history). Each plan is checked as the store will
                        hold it after the push, from the bytes sent. Plans and files the store holds and the copy
                        does not are listed, and removed from the store only with `delete`.

A file is in one of these states, by its version here (L), in the store (S) and when last pulled (B):
L = S in step; L = B behind (the store moved on: pull); S = B changed here (push sends it); all three differ:
changed on both sides (merged by row, or refused).
"""

import functools
import getpass
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from plan.data import database
from plan.data.csv_writer import cell_text
from plan.data.files import write_atomically
from plan.data.history import ABSENT, Version, now_utc, sha256
from plan.data.loader import plan_dirs
from plan.data.store import PlanStore
from plan.data.store_base import TABLE_OF_FILE, StaleBase, plan_file_names
from plan.edit.editing import check_files
from plan.edit.merging import Collided, Merged, RowCollision, merge
from plan.model.i18n import t
from plan.model.issues import Issue, PlanInvalid, UsageError
from plan.model.models import TABLES_BY_NAME

BASES = ".store-bases.json"


@dataclass
class Bases:
    """The version of each file of a copy when it was last pulled or pushed ("plan/file.csv" -> sha256)."""

    store: str = ""
    files: dict[str, str] = field(default_factory=dict)

    @classmethod
    def read(cls, copy: Path) -> "Bases | None":
        """None: the folder was never pulled (or its record is unreadable, which counts the same: safe)."""
        try:
            found = json.loads((copy / BASES).read_text(encoding="utf-8"))
            return cls(str(found["store"]), {str(key): str(sha) for key, sha in found["files"].items()})
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, copy: Path) -> None:
        raw = json.dumps({"store": self.store, "files": dict(sorted(self.files.items()))}, indent=1)
        write_atomically(copy / BASES, raw.encode("utf-8"))

    def of_plan(self, plan_id: str) -> dict[str, str]:
        prefix = f"{plan_id}/"
        return {key.removeprefix(prefix): sha for key, sha in self.files.items() if key.startswith(prefix)}

    def set_plan(self, plan_id: str, files: dict[str, str]) -> None:
        self.files = {key: sha for key, sha in self.files.items() if not key.startswith(f"{plan_id}/")}
        self.files.update({f"{plan_id}/{name}": sha for name, sha in files.items()})


@dataclass
class Refusal:
    """Why one file stops the whole command: a message key, the rows both sides changed, or the plan's issues."""

    path: str  # plan/file.csv
    code: str
    collisions: list[RowCollision] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    who: str = ""  # who changed it in the store since this copy's base, and when


@dataclass
class Report:
    refusals: list[Refusal] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    listed: dict[str, list[str]] = field(default_factory=dict)  # message key -> files (behind, only in store...)

    def count(self, what: str, by: int = 1) -> None:
        self.counts[what] = self.counts.get(what, 0) + by

    def list(self, code: str, path: str) -> None:
        self.listed.setdefault(code, []).append(path)


class Refused(Exception):
    """Nothing was written; `report.refusals` says why, file by file."""

    def __init__(self, report: Report):
        super().__init__(f"{len(report.refusals)} file(s) refused")
        self.report = report


def _local_files(copy: Path, plan_id: str) -> dict[str, bytes]:
    folder = copy / plan_id
    return {name: (folder / name).read_bytes() for name in plan_file_names(folder)} if folder.is_dir() else {}


def _by_plan(current: dict[tuple[str, str], str]) -> dict[str, dict[str, str]]:
    plans: dict[str, dict[str, str]] = {}
    for (plan_id, name), sha in current.items():
        plans.setdefault(plan_id, {})[name] = sha
    return plans


def _who(store: PlanStore, plan_id: str, name: str, base: str | None) -> str:
    """The editors (and the last time) of the store's versions of a file since `base`."""
    newer = []
    for version in store.versions(plan_id, TABLE_OF_FILE[name]):
        if version.sha256 == base:
            break
        newer.append(version)
    if not newer:
        return ""
    editors = ", ".join(dict.fromkeys(version.editor for version in newer))
    return f"{editors}, {newer[0].saved_at}"


def _bases_for(store: PlanStore, copy: Path, force: bool) -> Bases:
    """The copy's bases; a copy of another store is refused (its bases mean nothing here) unless `force`."""
    bases = Bases.read(copy)
    if bases is not None and bases.store != store.where():
        if not force:
            raise Refused(Report([Refusal(bases.store, "sync_other_store")]))
        bases = None
    return bases or Bases(store.where())


# --- push -------------------------------------------------------------------------------------------------


@dataclass
class _PlanPush:
    sends: dict[str, tuple[bytes | None, str]] = field(default_factory=dict)  # name -> (bytes or None, how)
    merged: dict[str, bytes] = field(default_factory=dict)  # written back into the copy after the push
    bases: dict[str, str] = field(default_factory=dict)


def _push_plan(plan_id: str, local: dict[str, bytes], known: dict[str, str], store_sha: dict[str, str],
               store_raw: Callable[[str], bytes | None], base_raw: Callable[[str], bytes | None], force: bool,
               delete: bool, report: Report) -> _PlanPush:
    """What pushing one plan sends, given its files here, their bases (a file without one was never pulled) and
    the store's versions."""
    result = _PlanPush()
    for name in sorted({*local, *store_sha, *known}):
        path = f"{plan_id}/{name}"
        mine = local.get(name)
        here, there, base = sha256(mine), store_sha.get(name, ABSENT), known.get(name)
        if here == there:
            if there != ABSENT:
                result.bases[name] = there
            report.count("unchanged")
            continue
        if mine is None:  # in the store, not here
            if base is not None and base != there and delete:
                report.refusals.append(Refusal(path, "push_deleted_here_changed_there"))
            elif delete and (base == there or force):
                result.sends[name] = (None, "removed")
            else:
                report.list("push_only_in_store" if base is None else "push_deleted_here", path)
                if base is not None:
                    result.bases[name] = base
            continue
        if base is not None and here == base:  # the store moved on, nothing changed here
            report.list("push_behind", path)
            result.bases[name] = base
        elif there == ABSENT and (base is None or base == ABSENT):
            result.sends[name] = (mine, "new")
        elif force:
            result.sends[name] = (mine, "forced")
        elif base is None:
            report.refusals.append(Refusal(path, "push_never_pulled"))
        elif there == base:
            result.sends[name] = (mine, "changed")
        elif there == ABSENT:
            report.refusals.append(Refusal(path, "push_removed_there"))
        else:
            _merge_into(result, report, path, name, base_raw(base), mine, store_raw(name))
    return result


def _merge_into(result: _PlanPush, report: Report, path: str, name: str, base: bytes | None, mine: bytes,
                theirs: bytes | None) -> None:
    merged = merge(TABLES_BY_NAME[TABLE_OF_FILE[name]], path, base, mine, theirs)
    if isinstance(merged, Merged):
        result.sends[name] = (merged.raw, "merged")
        result.merged[name] = merged.raw
    elif isinstance(merged, Collided):
        report.refusals.append(Refusal(path, "sync_rows_collide", collisions=merged.rows))
    else:
        report.refusals.append(Refusal(path, "sync_cannot_merge", issues=merged.issues))


Checked = set[frozenset]  # sets of (file name, sha256) known to make a valid plan


def _check(copy: Path, plan_id: str, store_files: dict[str, bytes], push: _PlanPush, checked: Checked,
           max_bytes: int) -> list[Issue]:
    """The plan's issues as the store will hold it after the push (no files left: the plan is removed). The same
    bytes are checked once: a plan whose files are exactly the ones already found valid is not read again."""
    after = dict(store_files)
    for name, (raw, _how) in push.sends.items():
        if raw is None:
            after.pop(name, None)
        else:
            after[name] = raw
    fingerprint = frozenset((name, sha256(raw)) for name, raw in after.items())
    if not after or fingerprint in checked:
        return []
    issues = check_files(copy, plan_id, after, max_bytes)
    if not issues:
        checked.add(fingerprint)
    return issues


CHECK_BATCH_BYTES = 16 * 1024 * 1024  # plans checked together up to this much CSV: bounded memory, few passes


def _validate_copy(copy: Path, plan_ids: Iterable[str], max_bytes: int) -> Checked:
    """Every plan folder of the copy checked like a build, a batch of plans at a time (memory: a batch, never
    the whole national folder); raises PlanInvalid with every issue of every plan. Returns the files found
    valid, by content."""
    batches: list[set[str]] = [set()]
    size = 0
    for plan_id in plan_ids:
        plan_size = sum(path.stat().st_size for path in (copy / plan_id).glob("*") if path.is_file())
        if batches[-1] and size + plan_size > CHECK_BATCH_BYTES:
            batches.append(set())
            size = 0
        batches[-1].add(plan_id)
        size += plan_size
    checked, issues = set(), []
    for batch in batches:
        try:
            report = database.validate(copy, max_bytes, only=batch) if batch else None
        except PlanInvalid as invalid:
            issues.extend(invalid.issues)
            continue
        for plan_id in batch:
            checked.add(frozenset((TABLES_BY_NAME[f.table].file_name, f.sha256)
                                  for f in report.files if f.plan_id == plan_id))
    if issues:
        raise PlanInvalid(issues)
    return checked


def push(store: PlanStore, copy: Path, force: bool = False, delete: bool = False, editor: str = "",
         max_bytes: int = database.DEFAULT_MAX_BYTES) -> Report:
    """Push the copy's changes (see the module's docstring); raises PlanInvalid (every issue of the copy's plans)
    or Refused, having written nothing, when any file cannot be pushed without losing an edit. Plans are saved
    one at a time, each whole, under the store's lock, and checked again there: if someone saved in between, a
    plan that now collides is refused then."""
    bases = _bases_for(store, copy, force)
    editor = editor or getpass.getuser()
    report = Report()
    local_plans = {folder.name for folder in plan_dirs(copy)} if copy.is_dir() else set()
    checked = _validate_copy(copy, sorted(local_plans), max_bytes)
    store_plans = _by_plan(store.current())
    base_plans = {key.split("/", 1)[0] for key in bases.files}
    planned = {}
    for plan_id in sorted(local_plans | set(store_plans) | base_plans):
        local, store_sha, known = _local_files(copy, plan_id), store_plans.get(plan_id, {}), bases.of_plan(plan_id)
        refused = len(report.refusals)
        stored = functools.cache(store.content)  # this plan's versions, each read from the store once
        plan_push = _push_plan(plan_id, local, known, store_sha, lambda name, s=store_sha, read=stored: read(s[name]),
                               stored, force, delete, report)
        for refusal in report.refusals[refused:]:
            if refusal.collisions:
                name = refusal.path.split("/", 1)[1]
                refusal.who = _who(store, plan_id, name, known.get(name))
        if plan_push.sends:
            store_files = {name: stored(sha) for name, sha in store_sha.items()}
            issues = _check(copy, plan_id, store_files, plan_push, checked, max_bytes)
            if issues:
                report.refusals.append(Refusal(plan_id, "push_invalid", issues=issues))
        planned[plan_id] = plan_push
    if report.refusals:
        raise Refused(report)
    done = Report(counts={"unchanged": report.counts.get("unchanged", 0)}, listed=report.listed)
    for plan_id, plan_push in planned.items():
        if plan_push.sends:
            plan_push = _save_plan(store, copy, plan_id, bases.of_plan(plan_id), force, delete, editor, done,
                                   checked, max_bytes)
            bases.set_plan(plan_id, plan_push.bases)
            bases.write(copy)  # at once: a push killed at the next plan leaves this one's bases right
        else:
            bases.set_plan(plan_id, plan_push.bases)
    if copy.is_dir():
        bases.write(copy)
    return done


def _save_plan(store: PlanStore, copy: Path, plan_id: str, plan_bases: dict[str, str], force: bool,
               delete: bool, editor: str, done: Report, checked: Checked, max_bytes: int) -> _PlanPush:
    """One plan's push under the store's lock, computed again from the files the store holds now."""
    with store.saving(plan_id) as plan:
        store_files = dict(plan.files)
        store_sha = {name: sha256(raw) for name, raw in store_files.items()}
        again = Report()
        local = _local_files(copy, plan_id)
        plan_push = _push_plan(plan_id, local, plan_bases, store_sha, store_files.get, store.content, force, delete,
                               again)
        if not again.refusals and plan_push.sends:
            issues = _check(copy, plan_id, store_files, plan_push, checked, max_bytes)
            if issues:
                again.refusals.append(Refusal(plan_id, "push_invalid", issues=issues))
        if again.refusals:
            raise Refused(Report(again.refusals, done.counts))
        for name, (raw, how) in plan_push.sends.items():
            message = f"push {copy / plan_id}" + ("" if how in ("new", "changed") else f" ({how})")
            version = Version(plan_id, TABLE_OF_FILE[name], sha256(raw), store_sha.get(name, ABSENT), now_utc(),
                              editor, "remove" if raw is None else "import", message=message)
            try:
                plan.commit(version, raw)
            except StaleBase:
                raise Refused(Report([Refusal(f"{plan_id}/{name}", "sync_moved_meanwhile")], done.counts)) from None
            done.count("removed" if raw is None else "merged" if how == "merged" else "sent")
            if raw is not None:
                plan_push.bases[name] = sha256(raw)
    for name, raw in plan_push.merged.items():  # the copy takes the others' rows too, unless edited meanwhile
        if _replace_if_unchanged(copy / plan_id / name, sha256(local.get(name)), raw):
            continue
        plan_push.bases.pop(name, None)
        done.list("sync_edited_meanwhile", f"{plan_id}/{name}")
    return plan_push


def _replace_if_unchanged(path: Path, expected: str, raw: bytes | None) -> bool:
    """Write (None: remove) `path` unless someone changed it since it was read as `expected`."""
    current = path.read_bytes() if path.exists() else None
    if sha256(current) != expected:
        return False
    if raw is None:
        path.unlink(missing_ok=True)
    else:
        write_atomically(path, raw)
    return True


# --- pull -------------------------------------------------------------------------------------------------


def pull(store: PlanStore, copy: Path, force: bool = False) -> Report:
    """Bring the copy in step with the store (see the module's docstring); raises Refused, having written
    nothing, when a local change would be lost."""
    if copy.exists() and not copy.is_dir():
        raise NotADirectoryError(copy)
    bases = _bases_for(store, copy, force)
    report = Report()
    store_plans = _by_plan(store.current())
    base_plans = {key.split("/", 1)[0] for key in bases.files}
    writes: list[tuple[str, str, bytes | None, str]] = []  # plan, name, bytes (None: remove), version read here
    new_bases: dict[str, dict[str, str]] = {}
    for plan_id in sorted(set(store_plans) | base_plans):
        local, store_sha, known = _local_files(copy, plan_id), store_plans.get(plan_id, {}), bases.of_plan(plan_id)
        new_bases[plan_id] = {}
        for name in sorted({*local, *store_sha, *known}):
            path, mine = f"{plan_id}/{name}", local.get(name)
            here, there, base = sha256(mine), store_sha.get(name, ABSENT), known.get(name)
            keep_base = new_bases[plan_id]
            if here == there:
                if there != ABSENT:
                    keep_base[name] = there
                continue
            if there == ABSENT and base is None:
                continue  # a file only here, never in the store: the next push sends it
            if force or (base is not None and here == base):  # nothing changed here: take the store's
                writes.append((plan_id, name, None if there == ABSENT else store.content(there), here))
                if there != ABSENT:
                    keep_base[name] = there
            elif there == ABSENT:
                report.refusals.append(Refusal(path, "pull_removed_there"))
            elif mine is None:
                if base is None:
                    writes.append((plan_id, name, store.content(there), here))
                    keep_base[name] = there
                elif base == there:
                    keep_base[name] = base  # deleted here; the next push says so
                else:
                    report.refusals.append(Refusal(path, "pull_deleted_here_changed_there",
                                                   who=_who(store, plan_id, name, base)))
            elif base is None:
                report.refusals.append(Refusal(path, "pull_never_pulled"))
            elif there == base:
                keep_base[name] = base  # changed here only: kept, the next push sends it
                report.count("kept")
            else:
                merged = merge(TABLES_BY_NAME[TABLE_OF_FILE[name]], path, store.content(base), mine,
                               store.content(there))
                if isinstance(merged, Merged):
                    writes.append((plan_id, name, merged.raw, here))
                    keep_base[name] = there
                    report.count("merged")
                elif isinstance(merged, Collided):
                    report.refusals.append(Refusal(path, "sync_rows_collide", collisions=merged.rows,
                                                   who=_who(store, plan_id, name, base)))
                else:
                    report.refusals.append(Refusal(path, "sync_cannot_merge", issues=merged.issues))
    if report.refusals:
        raise Refused(report)
    copy.mkdir(parents=True, exist_ok=True)
    for plan_id, name, raw, read in writes:
        if _replace_if_unchanged(copy / plan_id / name, read, raw):
            report.count("removed" if raw is None else "written")
        else:  # a hand edit while pulling: kept, and its base left as it was
            new_bases[plan_id].pop(name, None)
            if name in bases.of_plan(plan_id):
                new_bases[plan_id][name] = bases.of_plan(plan_id)[name]
            report.list("sync_edited_meanwhile", f"{plan_id}/{name}")
    for plan_id, files in new_bases.items():
        bases.set_plan(plan_id, files)
        if not files and (copy / plan_id).is_dir() and not any((copy / plan_id).iterdir()):
            (copy / plan_id).rmdir()
    bases.write(copy)
    return report


def remove_plans(store: PlanStore, plan_ids: Iterable[str], editor: str = "") -> dict[str, int]:
    """Remove whole plans from the store (each file a version that removes it; the history keeps them all).
    Returns the files removed by plan. A plan the store does not hold refuses them all (UsageError), so a
    mistyped id removes nothing."""
    current = _by_plan(store.current())
    unknown = [plan_id for plan_id in plan_ids if plan_id not in current]
    if unknown:
        raise UsageError.every([("store_remove_absent", {"plan": plan_id, "plans": ", ".join(sorted(current))})
                                for plan_id in unknown])
    removed = {}
    for plan_id in plan_ids:
        with store.saving(plan_id) as plan:
            for name, raw in sorted(plan.files.items()):
                plan.commit(Version(plan_id, TABLE_OF_FILE[name], ABSENT, sha256(raw), now_utc(),
                                    editor or getpass.getuser(), "remove", message="store remove"), None)
            removed[plan_id] = len(current[plan_id])
    return removed


# --- what a person reads -------------------------------------------------------------------------------------


def _row_text(collision: RowCollision, side, lang: str) -> str:
    row = getattr(collision, side)
    if row is None:
        return t("sync_row_deleted", lang)
    return ", ".join(f"{name} «{_cell(getattr(row, name))}»" for name in collision.columns[:4]) + (
        " …" if len(collision.columns) > 4 else "")


def _cell(value) -> str:
    text = cell_text(value)
    return text if len(text) <= 60 else text[:57] + "…"


def describe_refusals(report: Report, lang: str) -> list[str]:
    lines = [t("sync_refused", lang, count=len(report.refusals))]
    for refusal in report.refusals:
        who = t("sync_who", lang, who=refusal.who) if refusal.who else ""
        lines.append(f"  {refusal.path}: {t(refusal.code, lang)}{who}")
        for collision in refusal.collisions[:20]:
            key = " · ".join(str(part) for part in collision.key if part not in (None, "")) or "plan"
            lines.append("    " + t("sync_row_collision", lang, row=key, mine=_row_text(collision, "mine", lang),
                                     theirs=_row_text(collision, "theirs", lang)))
        if len(refusal.collisions) > 20:
            lines.append("    " + t("sync_more_rows", lang, count=len(refusal.collisions) - 20))
        lines.extend(f"    {issue.render(lang)}" for issue in refusal.issues[:20])
    return lines


def describe_listed(report: Report, lang: str) -> list[str]:
    return [t(code, lang, count=len(paths), files=", ".join(paths)) for code, paths in sorted(report.listed.items())]


__all__ = ["BASES", "Bases", "Refused", "Report", "describe_listed", "describe_refusals", "pull", "push",
           "remove_plans"]
