"""An import of official export statistics into a plan's outcomes, one flow for the command line
(`python -m plan import`), the editor's import tab and the benchmark:

    SOURCES[key].read(files, region, max_bytes) -> Figures      every problem of every file: PlanInvalid
    preview(data_dir, plan_id, figures) -> Preview              what would change, `Preview.lines(lang)`
    Preview.draft() -> Draft; save(data_dir, store, draft, editor, db_path) -> Saved | Conflict | Rejected

A source that names exporters (customs) also writes firm_exports.csv, in the same save as the outcomes.

Each statistic is listed once, in SOURCES, with what the command and the editor ask of it; the name its rows'
source carries is the model's (plan.model.official_sources). Wrong usage (an unknown region, a plan that does not
say its region, a folder that is not a plan's) is a `UsageError`, told in the person's language.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from plan.data.store import PlanStore
from plan.edit import aduanas, comtrade, editing, official
from plan.model.i18n import t
from plan.model.issues import PlanInvalid, UsageError
from plan.model.models import PLAN
from plan.model.regions import Region

KIND = "official"  # a saved version's kind in the history
# What the readers open (plain files, ZIP and RAR archives, told apart by their content), as the editor's uploader
# accepts them for every source.
FILE_TYPES = ("txt", "zip", "rar", "csv")


@dataclass(frozen=True)
class Source:
    """An official statistic and what the command (`python -m plan import KEY`) and the editor ask of it."""

    key: str  # the command's word, the editor's choice; plan.model.official_sources.OFFICIAL_SOURCES' value
    summary: str  # the command's help for it (English, as every option's help)
    about: str  # what the command's description says of it
    needs_region: bool  # its files hold every region of Chile: the plan's region is summed
    read: Callable[[Iterable[Path], Region | None, int], official.Figures]  # (files, region, max_bytes)
    file_types: tuple[str, ...] = FILE_TYPES

    def label(self, lang: str) -> str:
        """Its name for people, in `lang` (the editor's choice)."""
        return t(f"import_source_{self.key}", lang)


SOURCES = {source.key: source for source in (
    Source("aduanas", "customs' export declarations (DUS) files",
           "customs' monthly export declarations (DUS, .txt, .zip or .rar as published), the lines of the plan's "
           "region summed by month, destination and sector.", True, aduanas.read_dus),
    Source("comtrade", "UN Comtrade export CSV files",
           "UN Comtrade export CSV files, by reporter (origin country), partner and sector.", False,
           lambda files, _region, max_bytes: comtrade.read_comtrade(files, max_bytes)),
)}


def plan_folder(path: Path, data_dir: Path | None = None) -> tuple[Path, str]:
    """(data folder, plan id) of the plan `path` names: a folder, or a plan id (a bare name that is no folder
    here) inside `data_dir` (with a store, its local copy: the folder appears when the copy is made). Check it
    with `check_plan`."""
    if data_dir is not None and len(path.parts) == 1 and not path.is_dir():
        return data_dir, path.name
    plan_dir = path.resolve()
    return plan_dir.parent, plan_dir.name


def check_plan(data_dir: Path, plan_id: str, given: Path) -> None:
    """A UsageError naming `given` if that plan has no plan.csv."""
    if not (data_dir / plan_id / PLAN.file_name).is_file():
        raise UsageError("import_not_a_plan", path=given)


def _region_of(plan: editing.TableVersion) -> Region | None:
    return plan.rows[0].value.region_code if plan.rows else None


def own_region(data_dir: Path, plan_id: str) -> Region | None:
    """plan.csv's region_code, None if it gives none (or its row does not read): the editor's choice to start
    from."""
    return _region_of(editing.load(data_dir, plan_id, PLAN))


def region_to_import(data_dir: Path, plan_id: str, given: str | None) -> Region:
    """The region whose exports are summed: `given` (3, III or Atacama), else plan.csv's region_code. An unknown
    region, or a plan that names none, is a UsageError; a plan.csv that does not read, PlanInvalid."""
    if given is not None:
        region = Region.lookup(given)
        if region is None:
            raise UsageError("import_region_unknown", value=given)
        return region
    plan = editing.load(data_dir, plan_id, PLAN)
    if plan.issues:
        raise PlanInvalid(plan.issues)
    region = _region_of(plan)
    if region is None:
        raise UsageError("import_no_region")
    return region


@dataclass
class Draft:
    """What saving an import writes: outcomes.csv with the figures merged (and, for a source that names exporters,
    firm_exports.csv with its firms' rows), over the versions they were merged into: one save for both files."""

    plan_id: str
    shown: str  # the files as the messages name them
    files: list[editing.FileDraft]


@dataclass
class Preview:
    """An import's figures merged into the plan's outcomes (and firm rows), not saved yet."""

    figures: official.Figures
    version: editing.TableVersion  # outcomes.csv as it is, holding the rows of the years imported
    merge: official.Merge
    firm_version: editing.TableVersion | None = None  # firm_exports.csv likewise, for a source naming exporters
    firm_merge: official.FirmMerge | None = None

    @property
    def changes(self) -> bool:
        """Whether saving would change anything."""
        return bool(self.merge.changes or (self.firm_merge and self.firm_merge.changes))

    def lines(self, lang: str) -> list[str]:
        """What would change, one statement a line (the command prints them, the editor shows them)."""
        lines = official.describe(self.figures, self.merge, lang)
        if self.firm_merge is not None:
            lines += official.describe_firms(self.figures, self.firm_merge, lang)
        return lines

    def draft(self) -> Draft:
        """The new files. They hold none of the versions' rows: a caller that lets the preview go before saving
        does not keep the old files' bytes and text (twice the file) through the save."""
        merges = [(self.version, self.merge.changes, self.merge.counts())]
        if self.firm_merge is not None and self.firm_merge.changes:
            merges.append((self.firm_version, self.firm_merge.changes, self.firm_merge.counts()))
        files = [editing.FileDraft(version.table, editing.apply(version, changes).raw, version.sha, counts)
                 for version, changes, counts in merges if changes]
        shown = ", ".join(version.shown for version, changes, _counts in merges if changes)
        return Draft(self.version.plan_id, shown, files)


def preview(data_dir: Path, plan_id: str, figures: official.Figures) -> Preview:
    """What the figures would change in the plan's outcomes.csv (and firm_exports.csv), each checked whole;
    PlanInvalid if one does not read."""
    version = official.outcomes_to_merge(data_dir, plan_id, figures)
    firm_version = official.firm_rows_to_merge(data_dir, plan_id, figures) if figures.firm_level else None
    issues = [*version.issues, *(firm_version.issues if firm_version else [])]
    if issues:
        raise PlanInvalid(issues)
    firm_merge = official.merge_firms(firm_version, figures) if firm_version else None
    return Preview(figures, version, official.merge(version, figures), firm_version, firm_merge)


def save(data_dir: Path, store: PlanStore, draft: Draft, editor: str,
         db_path: Path | None = None) -> editing.Saved | editing.Conflict | editing.Rejected:
    """The draft saved like an edit, through `store`, its files in one save: a conflict if one moved on since the
    preview, rejected if the plan would not be valid, else new versions (kind "official") and the database at
    `db_path` refreshed."""
    return editing.save_files(data_dir, store, draft.plan_id, draft.files, editor, KIND, db_path=db_path)
