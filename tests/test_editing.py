"""Editing a plan table: changes applied in place, checked like the CSVs, saved whole or not at all,
conflicts refused, versions kept, downloads that come back unchanged."""

import csv
import datetime as dt
import hashlib
import io
import multiprocessing
import re
from decimal import Decimal
from pathlib import Path

import pytest

from plan import outlook
from plan.data import database
from plan.data.history import sha256
from plan.data.store import FolderStore
from plan.edit import editing, editor_display, workbooks
from plan.edit.downloads import table_csv
from plan.model.models import ACTIVITIES, OUTCOMES, PISCO_CAMPAIGNS, PLAN, TARGETS, Status

ATACAMA = "prochile-atacama-2021"
ALIANZA = "alianza-pacifico-2020"


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` (CSVs, database, history) by content hash."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".locks" not in p.parts}


def key_of(version: editing.TableVersion, index: int) -> editing.Key:
    return list(version.by_key())[index]


def test_a_change_rewrites_only_its_row_and_keeps_every_other_byte(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    key = ("ATA-21-10",)
    draft = editing.apply(version, editing.Changes(changed={key: {"status": "cancelled", "actual_start": None,
                                                                  "actual_end": None}}))
    before, after = version.raw.decode().splitlines(), draft.raw.decode().splitlines()
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert changed == [version.by_key()[key].line - 1]
    assert after[changed[0]].split(",")[4] == "cancelled"
    assert editing.check(sample_dir, ATACAMA, ACTIVITIES, draft.raw) == []


def test_a_spanish_excel_file_keeps_its_dialect_and_encoding(sample_dir):
    # A file saved by Excel in Spanish: Windows-1252, `;`, decimal comma, labels as headers, CRLF.
    path = sample_dir / ATACAMA / "pisco_campaigns.csv"
    original = editing.load(sample_dir, ATACAMA, PISCO_CAMPAIGNS)
    text = table_csv(editor_display.download_frame(original), spanish_excel=True).decode("utf-8-sig")
    path.write_bytes(text.replace("\u2014", "-").encode("cp1252"))
    version = editing.load(sample_dir, ATACAMA, PISCO_CAMPAIGNS)
    assert version.csv_file.encoding == "cp1252" and version.csv_file.delimiter == ";"
    key = key_of(version, 0)
    draft = editing.apply(version, editing.Changes(changed={key: {"spent_usd": 24350.5, "notes": "Añadido"}}))
    assert draft.raw.decode("cp1252").count("\r\n") == version.raw.decode("cp1252").count("\r\n")
    line = draft.raw.decode("cp1252").splitlines()[version.by_key()[key].line - 1]
    assert "24350,5" in line.split(";") and "Añadido" in line
    saved = editing.parse_version(ATACAMA, PISCO_CAMPAIGNS, "x", draft.raw)
    assert saved.by_key()[key].value.spent_usd == Decimal("24350.50")
    # A character Windows-1252 cannot hold turns the file into UTF-8 with BOM, still read right.
    draft = editing.apply(version, editing.Changes(changed={key: {"notes": "上海 campaign"}}))
    assert draft.raw.startswith(b"\xef\xbb\xbf")
    assert editing.parse_version(ATACAMA, PISCO_CAMPAIGNS, "x", draft.raw).by_key()[key].value.notes == "上海 campaign"


def test_added_and_deleted_rows(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    new = {"id": "ATA-21-28", "title": "Webinar pisco Corea", "type": "webinar", "modality": "virtual",
           "status": "planned", "planned_start": dt.date(2021, 11, 3), "planned_end": "2021-11-03",
           "markets": ["KOR"], "sectors": ["pisco"], "budget_usd": 900.0}
    draft = editing.apply(version, editing.Changes(deleted={("ATA-21-27",)}, added=[new]))
    after = editing.parse_version(ATACAMA, ACTIVITIES, "x", draft.raw)
    assert ("ATA-21-27",) not in after.by_key() and len(after.rows) == len(version.rows)
    added = after.by_key()[("ATA-21-28",)].value
    assert added.markets == ["KOR"] and added.budget_usd == Decimal("900.00")
    assert draft.origin[after.by_key()[("ATA-21-28",)].line] == 0  # the new row is known as "new row 1"


def test_a_column_the_file_leaves_out_is_added_when_used(sample_dir):
    path = sample_dir / ATACAMA / "targets.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(",".join(line.split(",")[:5]) for line in lines) + "\n", encoding="utf-8")
    version = editing.load(sample_dir, ATACAMA, TARGETS)
    assert "notes" not in version.csv_file.headers
    key = key_of(version, 0)
    draft = editing.apply(version, editing.Changes(changed={key: {"notes": "meta revisada"}}))
    after = editing.parse_version(ATACAMA, version.table, "x", draft.raw)
    assert after.by_key()[key].value.notes == "meta revisada"
    assert [row.value for row in after.rows][1:] == [row.value for row in version.rows][1:]


def test_a_new_optional_file_is_written_in_the_canonical_form(sample_dir):
    version = editing.load(sample_dir, ALIANZA, PISCO_CAMPAIGNS)
    assert version.raw is None and version.sha == ""
    campaign = {"id": "PIS-1", "name": "Pisco en Lima", "market": "PER", "channel": "tasting", "status": "planned",
                "modality": "in_person", "planned_start": "2020-10-01", "planned_end": "2020-10-31"}
    draft = editing.apply(version, editing.Changes(added=[campaign]))
    assert draft.raw.decode().splitlines()[0] == ",".join(PISCO_CAMPAIGNS.model.model_fields)
    history = FolderStore(sample_dir)
    result = editing.save(sample_dir, history, ALIANZA, PISCO_CAMPAIGNS, draft.raw, version.sha, "ana")
    assert isinstance(result, editing.Saved)
    assert (sample_dir / ALIANZA / "pisco_campaigns.csv").read_bytes() == draft.raw


def test_a_rejected_save_changes_nothing_on_disk(sample_dir, tmp_path):
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    history = FolderStore(sample_dir)
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    before = {**snapshot(sample_dir), "db": hashlib.sha256(db.read_bytes()).hexdigest()}
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-03",): {"planned_end": "2020-01-01",
                                                                             "campaign_id": "NOPE"}}))
    result = editing.save(sample_dir, history, ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana", db_path=db)
    assert isinstance(result, editing.Rejected)
    assert sorted((i.line, i.column, i.code) for i in result.issues) == [
        (4, "campaign_id", "reference_unknown"), (4, "planned_end", "end_before_start")]
    assert {**snapshot(sample_dir), "db": hashlib.sha256(db.read_bytes()).hexdigest()} == before


def test_deleting_a_referenced_campaign_is_refused_naming_the_activity(sample_dir):
    version = editing.load(sample_dir, ATACAMA, PISCO_CAMPAIGNS)
    draft = editing.apply(version, editing.Changes(deleted={("PIS-21-01",)}))
    issues = editing.check(sample_dir, ATACAMA, PISCO_CAMPAIGNS, draft.raw)
    assert issues and {i.path for i in issues} == {f"data/{ATACAMA}/activities.csv"}
    assert {i.code for i in issues} == {"reference_unknown"}


def test_save_lands_rebuilds_and_is_kept_in_the_history(sample_dir, tmp_path):
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    history = FolderStore(sample_dir)
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-20",): {"status": "done",
                                                                             "actual_start": "2021-09-06"}}))
    result = editing.save(sample_dir, history, ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana",
                          counts={"changed": 1}, db_path=db)
    assert isinstance(result, editing.Saved) and result.rebuild_issues == []
    with database.reader(db) as con:
        assert con.execute("SELECT status FROM activities WHERE id = 'ATA-21-20'").fetchone() == ("done",)
    [saved] = FolderStore(sample_dir).versions(ATACAMA, "activities")  # read again: survives restarts
    assert (saved.previous, saved.sha256, saved.editor, saved.counts) == (version.sha, sha256(draft.raw), "ana",
                                                                          {"changed": 1})
    assert history.content(saved.previous) == version.raw and history.content(saved.sha256) == draft.raw


def test_a_save_based_on_an_old_version_is_a_conflict_and_writes_nothing(sample_dir):
    history = FolderStore(sample_dir)
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    path = sample_dir / ATACAMA / "activities.csv"
    path.write_bytes(path.read_bytes().replace("Shanghái".encode(), b"Shanghai"))  # someone edits it on disk
    on_disk = path.read_bytes()
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-01",): {"notes": "mine"}}))
    result = editing.save(sample_dir, history, ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana")
    assert result == editing.Conflict(version.sha, sha256(on_disk))
    assert path.read_bytes() == on_disk and history.versions(ATACAMA, "activities") == []
    assert history.content(sha256(on_disk)) == on_disk  # kept, so the conflict can show what changed


def test_pending_changes_carry_over_to_the_new_version_by_row_key(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    changes = editing.Changes(changed={("ATA-21-05",): {"notes": "mine"}, ("ATA-21-06",): {"notes": "gone"}})
    theirs = editing.apply(version, editing.Changes(deleted={("ATA-21-06",)}, changed={("ATA-21-01",): {
        "notes": "theirs"}}))
    current = editing.parse_version(ATACAMA, ACTIVITIES, "x", theirs.raw)
    assert changes.missing_in(current) == [("ATA-21-06",)]
    changes.changed.pop(("ATA-21-06",))
    merged = editing.parse_version(ATACAMA, ACTIVITIES, "x", editing.apply(current, changes).raw).by_key()
    assert merged[("ATA-21-05",)].value.notes == "mine" and merged[("ATA-21-01",)].value.notes == "theirs"


def _writer(data_dir: str, name: str, rounds: int, results) -> None:
    """One editor in its own process: load, change its own activity's notes, save; again and again."""
    landed = conflicts = 0
    history = FolderStore(Path(data_dir))
    key = ("ATA-21-01",) if name == "a" else ("ATA-21-02",)
    for n in range(rounds):
        version = editing.load(Path(data_dir), ATACAMA, ACTIVITIES)
        draft = editing.apply(version, editing.Changes(changed={key: {"notes": f"{name}{n}"}}))
        result = editing.save(Path(data_dir), history, ATACAMA, ACTIVITIES, draft.raw, version.sha, name)
        if isinstance(result, editing.Saved):
            landed += 1
        elif isinstance(result, editing.Conflict):
            conflicts += 1
        else:
            raise AssertionError(result)
    results.put((name, landed, conflicts))


def test_two_writers_in_two_processes_lose_nothing(sample_dir):
    # Each save lands whole or is reported as a conflict. The history proves no update was lost:
    # every version was based on the one saved just before it, and the file is the last one.
    rounds = 100
    context = multiprocessing.get_context("fork")
    results = context.Queue()
    writers = [context.Process(target=_writer, args=(str(sample_dir), name, rounds, results)) for name in "ab"]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=300)
        assert process.exitcode == 0
    counts = {name: (landed, conflicts) for name, landed, conflicts in (results.get() for _ in writers)}
    assert all(landed + conflicts == rounds for landed, conflicts in counts.values())
    history = FolderStore(sample_dir)
    versions = history.versions(ATACAMA, "activities")[::-1]
    assert len(versions) == sum(landed for landed, _ in counts.values())
    assert {v.editor: 0 for v in versions} and all(landed > 0 for landed, _ in counts.values())
    original = editing.parse_version(ATACAMA, ACTIVITIES, "x", history.content(versions[0].previous))
    for before, after in zip(versions, versions[1:], strict=False):
        assert after.previous == before.sha256  # never saved over a version it had not seen
    for version in versions:  # each saved file holds its writer's change and the other's last one
        rows = editing.parse_version(ATACAMA, ACTIVITIES, "x", history.content(version.sha256)).by_key()
        changed = [row.value.notes for key, row in rows.items() if row.value != original.by_key()[key].value]
        assert any(note.startswith(version.editor) for note in changed)
    assert sha256((sample_dir / ATACAMA / "activities.csv").read_bytes()) == versions[-1].sha256
    lost = sum(landed for landed, _ in counts.values()) - len(versions)
    print(f"two writers x {rounds} saves: landed {counts['a'][0]}+{counts['b'][0]}, "
          f"conflicts {counts['a'][1]}+{counts['b'][1]}, lost {lost}")
    assert lost == 0


def test_restore_brings_back_an_old_version_as_a_new_one(sample_dir):
    history = FolderStore(sample_dir)
    first = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(first, editing.Changes(changed={("ATA-21-01",): {"title": "Otro título"}}))
    assert isinstance(editing.save(sample_dir, history, ATACAMA, ACTIVITIES, draft.raw, first.sha, "ana"),
                      editing.Saved)
    second = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    result = editing.save(sample_dir, history, ATACAMA, ACTIVITIES, history.content(first.sha), second.sha, "luis",
                          kind="restore", restored=first.sha)
    assert isinstance(result, editing.Saved)
    assert (sample_dir / ATACAMA / "activities.csv").read_bytes() == first.raw
    assert [v.kind for v in history.versions(ATACAMA, "activities")] == ["restore", "edit"]


def test_diff_compares_values_not_spellings(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    spelled = version.raw.replace(b",done,", b",Realizada,").replace(b"1500.00", b"1500")
    other = editing.parse_version(ATACAMA, ACTIVITIES, "x", spelled)
    assert not editing.diff(version, other)
    changed = editing.apply(version, editing.Changes(changed={("ATA-21-02",): {"status": "in_progress",
                                                                               "actual_end": None}}))
    difference = editing.diff(version, editing.parse_version(ATACAMA, ACTIVITIES, "x", changed.raw))
    assert difference.counts() == {"added": 0, "changed": 1, "removed": 0}
    table = editor_display.diff_table(difference, ACTIVITIES, "es")
    assert table[["Columna", "Antes", "Después"]].values.tolist() == [
        ["Estado", "Realizada", "En curso"], ["Término real", "07-05-2021", ""]]


@pytest.mark.parametrize("form", ["excel_csv", "plain_csv", "xlsx"])
@pytest.mark.parametrize("table", [ACTIVITIES, PISCO_CAMPAIGNS, OUTCOMES, PLAN], ids=lambda t: t.name)
def test_a_downloaded_table_uploaded_again_is_unchanged(sample_dir, form, table):
    version = editing.load(sample_dir, ATACAMA, table)
    if table is ACTIVITIES:  # a title a spreadsheet would run as a formula, and one that only looks like one
        version = editing.parse_version(ATACAMA, table, version.shown, editing.apply(version, editing.Changes(
            changed={("ATA-21-01",): {"title": "=HYPERLINK(\"http://x\")"}, ("ATA-21-02",): {"notes": "-5 %"}})).raw)
    frame = editor_display.download_frame(version)
    if form == "xlsx":
        raw = workbooks.xlsx_to_csv(workbooks.xlsx_bytes(frame, table.name), f"{table.name}.xlsx")
    else:
        raw = table_csv(frame, spanish_excel=form == "excel_csv")
    if table is ACTIVITIES and form != "xlsx":
        assert b"'=HYPERLINK" in raw and b"'-5 %" in raw  # neutralized for the spreadsheet
    again = editing.parse_version(ATACAMA, table, "upload", raw)
    assert again.issues == [] and not editing.diff(version, again)
    assert editing.check(sample_dir, ATACAMA, table, raw) == []


def test_a_neutralized_text_in_a_bulk_table_reads_back_as_written(sample_dir, tmp_path):
    path = sample_dir / ATACAMA / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 1)[0] + ",'=fuente"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    database.build(sample_dir, tmp_path / "plan.duckdb", derive=outlook.derive)
    with database.reader(tmp_path / "plan.duckdb") as con:
        assert con.execute("SELECT count(*) FROM outcomes WHERE source = '=fuente'").fetchone() == (1,)


def test_proposed_ids_follow_the_plans_numbering():
    assert editor_display.proposed_ids(["ATA-21-01", "ATA-21-27", "X"], 2) == ["ATA-21-28", "ATA-21-29"]
    assert editor_display.proposed_ids(["PIS-9", "PIS-10"], 1) == ["PIS-11"]
    assert editor_display.proposed_ids([], 1) == ["01"]


def test_status_enum_round_trip_in_the_grid(sample_dir):
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    keys = list(version.by_key())
    grid = editor_display.grid(version, keys)
    assert list(grid.columns) == list(ACTIVITIES.model.model_fields)
    assert grid.loc[0, "status"] == Status.DONE.value and grid["exporters"].dtype == "Int64"
    changes = editing.Changes.from_editor(keys, {"edited_rows": {"2": {"status": "planned"}}, "deleted_rows": [3],
                                                 "added_rows": [{}, {"title": "x"}]})
    assert changes.changed == {keys[2]: {"status": "planned"}} and changes.deleted == {keys[3]}
    assert changes.added == [{"title": "x"}]  # an empty added row is ignored


# ----------------------------------------------------------------------------- a bulk table held in part


def outcome_changes(version: editing.TableVersion) -> editing.Changes:
    """One 2020 export changed, one deleted, a row added: what an import of 2020 does."""
    rows = [key for key, row in version.by_key().items()
            if row.value.year == 2020 and row.value.metric == "exports_usd"]
    added = {"metric": "exports_usd", "year": 2020, "month": 3, "market": "KOR", "sector": "wine", "value": 12.5,
             "source": "Aduanas DUS 2020-03"}
    return editing.Changes(changed={rows[0]: {"value": Decimal("1.00"), "source": "Ana"}}, deleted={rows[1]},
                           added=[added])


@pytest.fixture
def held_in_part(monkeypatch):
    """`load_where` holds the chosen rows only, even of the sample's small outcomes.csv."""
    monkeypatch.setattr(editing, "HELD_WHOLE_BELOW", 0)


def test_load_where_holds_only_the_chosen_rows_and_applies_like_a_whole_load(sample_dir, held_in_part):
    # An import holds the rows of the years it replaces, not a million rows as models; what it writes must
    # be the very bytes a whole load would write, lines of every other row untouched.
    whole = editing.load(sample_dir, ATACAMA, OUTCOMES)
    part = editing.load_where(sample_dir, ATACAMA, OUTCOMES, "year", {2020})
    assert part.partial and not part.issues and part.sha == whole.sha
    assert {key: row for key, row in whole.by_key().items() if row.value.year == 2020} == part.by_key()
    assert len(part.rows) < len(whole.rows)
    changes = outcome_changes(whole)
    assert editing.apply(part, changes).raw == editing.apply(whole, changes).raw
    path = sample_dir / ATACAMA / "outcomes.csv"  # without the source column: every row written again
    with open(path, "w", newline="", encoding="utf-8") as out:
        csv.writer(out, lineterminator="\n").writerows(row[:-1] for row in csv.reader(io.StringIO(whole.raw.decode())))
    whole, part = (editing.load(sample_dir, ATACAMA, OUTCOMES),
                   editing.load_where(sample_dir, ATACAMA, OUTCOMES, "year", {2020}))
    assert "source" not in part.csv_file.fields and part.partial
    draft = editing.apply(part, changes)
    assert draft.raw == editing.apply(whole, changes).raw and b"Aduanas DUS 2020-03" in draft.raw


@pytest.mark.parametrize("encoding, ending", [("cp1252", "\r\n"), ("utf-8-sig", "\n"), ("utf-16", "\r\n")])
def test_a_partial_version_keeps_the_files_encoding_and_line_endings(sample_dir, held_in_part, encoding, ending):
    path = sample_dir / ATACAMA / "outcomes.csv"
    text = re.sub(",ilustrativo$", ',"ilustrativo, según Aduana"', path.read_text(encoding="utf-8"), flags=re.M)
    path.write_bytes(text.replace("\n", ending).encode(encoding))
    whole = editing.load(sample_dir, ATACAMA, OUTCOMES)
    part = editing.load_where(sample_dir, ATACAMA, OUTCOMES, "year", {2020})
    assert whole.csv_file.encoding == part.csv_file.encoding and not part.issues
    changes = outcome_changes(whole)
    draft = editing.apply(part, changes)
    assert draft.raw == editing.apply(whole, changes).raw and draft.raw.decode(encoding).count(ending) > 10
    changes.added[0]["source"] = "Aduanas — DUS"  # a dash Windows-1252 lacks: the file becomes UTF-8 with BOM
    assert editing.apply(part, changes).raw == editing.apply(whole, changes).raw


def test_load_where_gives_the_whole_files_issues_and_a_partial_version_only_when_duckdb_is_sure(sample_dir,
                                                                                                 held_in_part):
    path = sample_dir / ATACAMA / "outcomes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace("2017", "20l7")  # a 2017 row, not among the rows held
    lines.append(lines[2])  # a repeated key, of 2017 too
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = editing.load(sample_dir, ATACAMA, OUTCOMES)
    part = editing.load_where(sample_dir, ATACAMA, OUTCOMES, "year", {2020})
    assert [issue.code for issue in whole.issues] == ["number_invalid", "duplicate_key"]
    assert part.issues == whole.issues and not part.partial
