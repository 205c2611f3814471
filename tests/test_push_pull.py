"""Local copies of the PostgreSQL plan store, as two directors use them: pull, edit by hand or by an import,
push; in both orders, on the same row and on different rows. No command may lose an edit or count a plan
twice while saying it saved: it keeps both changes or refuses, naming the rows, and writes nothing."""

import shutil
import threading

import pytest
import sqlalchemy

from plan import outlook
from plan.cli import main
from plan.data import database
from plan.data.history import Version, now_utc, sha256
from plan.edit import editing
from plan.edit.push_pull import BASES, Bases
from plan.model.models import ACTIVITIES, OUTCOMES, TARGETS
from tests.test_store import ATACAMA

ALLIANCE = "alianza-pacifico-2020"


def store(store_url, *args: str) -> int:
    return main(["store", *args, "--url", store_url])


def edit_rows(folder, table, changed=None, deleted=(), added=(), plan_id=ATACAMA) -> None:
    """Change a CSV of a local copy as a person would, outside any command (no lock, no history)."""
    version = editing.load(folder, plan_id, table)
    draft = editing.apply(version, editing.Changes(changed=changed or {}, deleted=set(deleted), added=list(added)))
    (folder / plan_id / table.file_name).write_bytes(draft.raw)


def titles(folder, plan_id=ATACAMA) -> dict[str, str]:
    return {row.value.id: row.value.title for row in editing.load(folder, plan_id, ACTIVITIES).rows}


def store_titles(url, tmp_path, name="check") -> dict[str, str]:
    """What the store holds now, seen through a fresh pull."""
    assert store(url, "pull", str(tmp_path / name)) == 0
    return titles(tmp_path / name)


@pytest.fixture
def two_copies(pushed, store_url, tmp_path):
    """The sample plan in the store, pulled by Ana and by Beto into their own folders."""
    opened = pushed()
    copies = {}
    for name in ("ana", "beto"):
        copies[name] = tmp_path / name
        assert store(store_url, "pull", str(copies[name])) == 0
    return opened, copies


@pytest.mark.parametrize("first", ["ana", "beto"])
def test_two_pulls_and_two_pushes_of_different_rows_keep_both_changes(two_copies, store_url, tmp_path, first,
                                                                       capsys):
    _store, copies = two_copies
    edit_rows(copies["ana"], ACTIVITIES, {("ATA-21-01",): {"title": "Título de Ana"}})
    edit_rows(copies["beto"], ACTIVITIES, {("ATA-21-02",): {"title": "Título de Beto"}})
    second = "beto" if first == "ana" else "ana"
    assert store(store_url, "push", str(copies[first])) == 0
    assert store(store_url, "push", str(copies[second])) == 0
    assert "1 unidas" in capsys.readouterr().out  # the second push merged onto the first
    held = store_titles(store_url, tmp_path)
    assert held["ATA-21-01"] == "Título de Ana" and held["ATA-21-02"] == "Título de Beto"
    assert titles(copies[second]) == held  # the second copy took the first's row too
    # The first copy pulls the second's change without a word of conflict.
    assert store(store_url, "pull", str(copies[first])) == 0
    assert titles(copies[first]) == held


@pytest.mark.parametrize("first", ["ana", "beto"])
def test_the_second_push_of_the_same_row_is_refused_naming_both_values(two_copies, store_url, tmp_path, first,
                                                                        capsys):
    opened, copies = two_copies
    edit_rows(copies["ana"], ACTIVITIES, {("ATA-21-01",): {"title": "Título de Ana"}})
    edit_rows(copies["beto"], ACTIVITIES, {("ATA-21-01",): {"title": "Título de Beto"}})
    second = "beto" if first == "ana" else "ana"
    assert store(store_url, "push", str(copies[first])) == 0
    before_store, before_copy = opened.token(), (copies[second] / ATACAMA / "activities.csv").read_bytes()
    capsys.readouterr()
    assert store(store_url, "push", str(copies[second])) == 1
    err = capsys.readouterr().err
    assert "no se escribió nada" in err and f"{ATACAMA}/activities.csv" in err and "ATA-21-01" in err
    assert "Título de Ana" in err and "Título de Beto" in err  # both sides of the row
    assert opened.token() == before_store
    assert (copies[second] / ATACAMA / "activities.csv").read_bytes() == before_copy
    assert store_titles(store_url, tmp_path)["ATA-21-01"] == f"Título de {first.capitalize()}"


def test_a_pull_over_a_local_edit_keeps_it_merges_it_or_refuses(two_copies, store_url, tmp_path, capsys):
    opened, copies = two_copies
    ana, beto = copies["ana"], copies["beto"]
    edit_rows(ana, ACTIVITIES, {("ATA-21-01",): {"title": "Título de Ana"}})
    # The store did not change: the local edit stays, waiting for a push.
    assert store(store_url, "pull", str(ana)) == 0
    assert titles(ana)["ATA-21-01"] == "Título de Ana"
    # The store changed another row: both are in the local file afterwards.
    edit_rows(beto, ACTIVITIES, {("ATA-21-02",): {"title": "Título de Beto"}})
    assert store(store_url, "push", str(beto)) == 0
    assert store(store_url, "pull", str(ana)) == 0
    assert titles(ana)["ATA-21-01"] == "Título de Ana" and titles(ana)["ATA-21-02"] == "Título de Beto"
    # The store changed the same row: refused, and the local file is as it was.
    edit_rows(beto, ACTIVITIES, {("ATA-21-01",): {"title": "Otro título de Beto"}})
    assert store(store_url, "pull", str(beto)) == 0 and store(store_url, "push", str(beto)) == 0
    before = (ana / ATACAMA / "activities.csv").read_bytes()
    capsys.readouterr()
    assert store(store_url, "pull", str(ana)) == 1
    err = capsys.readouterr().err
    assert "ATA-21-01" in err and "Título de Ana" in err and "Otro título de Beto" in err
    assert (ana / ATACAMA / "activities.csv").read_bytes() == before
    # --force is the explicit way to discard the local edit.
    assert store(store_url, "pull", str(ana), "--force") == 0
    assert titles(ana)["ATA-21-01"] == "Otro título de Beto"
    assert opened.current()[(ATACAMA, "activities.csv")] == sha256((ana / ATACAMA / "activities.csv").read_bytes())


def test_a_pull_over_a_folder_never_pulled_does_not_overwrite_it(pushed, sample_dir, store_url, capsys):
    pushed()
    (sample_dir / BASES).unlink()  # a folder from git, never pulled from this store
    edit_rows(sample_dir, ACTIVITIES, {("ATA-21-01",): {"title": "Cambiado en git"}})
    assert store(store_url, "pull", str(sample_dir)) == 1
    assert "nunca se bajó" in capsys.readouterr().err
    assert titles(sample_dir)["ATA-21-01"] == "Cambiado en git"


def test_a_folder_never_pulled_pushes_only_where_the_store_has_nothing_or_with_force(
        pushed, sample_dir, store_url, tmp_path, capsys):
    opened = pushed()
    (sample_dir / BASES).unlink()  # a folder from git, never pulled from this store
    edit_rows(sample_dir, ACTIVITIES, {("ATA-21-01",): {"title": "Desde git"}})
    before = opened.token()
    capsys.readouterr()
    assert store(store_url, "push", str(sample_dir)) == 1
    assert "nunca la bajó" in capsys.readouterr().err
    assert opened.token() == before
    assert store(store_url, "push", str(sample_dir), "--force") == 0
    assert store_titles(store_url, tmp_path)["ATA-21-01"] == "Desde git"
    assert "(forced)" in opened.versions(ATACAMA, "activities")[0].message  # the history says it was forced


def test_a_renamed_plan_is_not_counted_twice_and_leaves_the_store_only_when_told(two_copies, store_url, tmp_path,
                                                                                  capsys):
    opened, copies = two_copies
    ana = copies["ana"]
    (ana / ALLIANCE).rename(ana / "alianza-pacifico-2020-b")
    capsys.readouterr()
    assert store(store_url, "push", str(ana)) == 0
    out = capsys.readouterr().out
    assert f"{ALLIANCE}/activities.csv" in out and "--delete" in out  # said, not silently kept
    plans = {plan for plan, _name in opened.current()}
    assert plans == {ATACAMA, ALLIANCE, "alianza-pacifico-2020-b"}
    assert store(store_url, "push", str(ana), "--delete") == 0
    assert {plan for plan, _name in opened.current()} == {ATACAMA, "alianza-pacifico-2020-b"}
    assert [v.kind for v in opened.versions(ALLIANCE, "activities")][0] == "remove"
    assert opened.content(opened.versions(ALLIANCE, "activities")[0].previous) is not None  # the history keeps it
    # Beto's copy follows: the old folder goes, the new one comes, and a build counts the plan once.
    assert store(store_url, "pull", str(copies["beto"])) == 0
    assert not (copies["beto"] / ALLIANCE).exists()
    report = database.build(copies["beto"], tmp_path / "beto.duckdb", derive=outlook.derive)
    assert sorted(report.plans) == sorted([ATACAMA, "alianza-pacifico-2020-b"])


def test_a_deleted_file_is_not_brought_back_and_is_removed_only_when_told(two_copies, store_url, capsys):
    opened, copies = two_copies
    ana = copies["ana"]
    (ana / ATACAMA / TARGETS.file_name).unlink()
    assert store(store_url, "push", str(ana)) == 0
    assert f"{ATACAMA}/targets.csv" in capsys.readouterr().out
    assert (ATACAMA, "targets.csv") in opened.current()
    assert store(store_url, "pull", str(ana)) == 0
    assert not (ana / ATACAMA / TARGETS.file_name).exists()  # the next pull does not bring it back
    assert store(store_url, "push", str(ana), "--delete") == 0
    assert (ATACAMA, "targets.csv") not in opened.current()


def test_store_remove_takes_a_plan_out_of_the_store_and_of_every_replica(pushed, store_url, tmp_path, capsys):
    opened = pushed()
    replica, db_path = tmp_path / "replica", tmp_path / "replica.duckdb"
    opened.materialize(replica)
    database.build(replica, db_path, derive=outlook.derive)
    assert store(store_url, "remove", "no-such-plan") == 2
    assert "no-such-plan" in capsys.readouterr().err and (ALLIANCE, "plan.csv") in opened.current()
    token = opened.token()
    assert store(store_url, "remove", ALLIANCE) == 0
    assert {plan for plan, _name in opened.current()} == {ATACAMA}
    assert {v.kind for v in opened.versions(ALLIANCE, "plan")} == {"import", "remove"}
    assert opened.token() != token  # replicas notice the removal
    database.refresh(replica, db_path, opened.materialize(replica), derive=outlook.derive)
    with database.reader(db_path) as con:
        assert con.execute("SELECT list(DISTINCT plan_id) FROM activities").fetchone()[0] == [ATACAMA]


def test_a_push_is_checked_as_the_store_will_hold_the_plan(two_copies, store_url, capsys):
    # Beto's outcome now points at ATA-21-27 in the store; Ana, who never saw it, deletes that activity.
    opened, copies = two_copies
    ana, beto = copies["ana"], copies["beto"]
    edit_rows(beto, OUTCOMES, added=[{"metric": "meetings_held", "year": 2021, "activity_id": "ATA-21-27",
                                      "value": "3", "source": "ilustrativo"}])
    assert store(store_url, "push", str(beto)) == 0
    edit_rows(ana, ACTIVITIES, deleted=[("ATA-21-27",)])
    database.validate(ana)  # valid as Ana's folder holds it
    before = opened.token()
    capsys.readouterr()
    assert store(store_url, "push", str(ana)) == 1
    err = capsys.readouterr().err
    assert "ATA-21-27" in err and "outcomes.csv" in err
    assert opened.token() == before


def test_a_hand_edit_during_a_pull_is_kept(two_copies, store_url, monkeypatch):
    opened, copies = two_copies
    ana, beto = copies["ana"], copies["beto"]
    edit_rows(beto, ACTIVITIES, {("ATA-21-02",): {"title": "Título de Beto"}})
    assert store(store_url, "push", str(beto)) == 0
    target = ana / ATACAMA / "activities.csv"
    real_content = opened.__class__.content

    def content_then_hand_edit(self, version):  # the person saves in Excel while the pull reads the store
        found = real_content(self, version)
        if not target.read_bytes().endswith(b"# hand\n"):
            target.write_bytes(target.read_bytes() + b"# hand\n")
        return found

    monkeypatch.setattr(opened.__class__, "content", content_then_hand_edit)
    assert store(store_url, "pull", str(ana)) == 0
    assert target.read_bytes().endswith(b"# hand\n")  # not overwritten
    monkeypatch.undo()
    assert Bases.read(ana).files[f"{ATACAMA}/activities.csv"] != opened.current()[(ATACAMA, "activities.csv")]


def test_pull_into_a_file_and_a_copy_of_another_store_get_clear_messages(pushed, store_url, postgres_server,
                                                                         tmp_path, capsys):
    pushed()
    not_a_folder = tmp_path / "plan.txt"
    not_a_folder.write_text("x")
    assert store(store_url, "pull", str(not_a_folder)) == 2
    assert "no es una carpeta" in capsys.readouterr().err
    assert store(store_url, "pull", str(tmp_path / "copy")) == 0
    other = postgres_server.create_database("test_push_pull_other_store")
    assert store(other, "push", str(tmp_path / "copy")) == 1
    assert "no de este" in capsys.readouterr().err


def test_a_save_that_commits_after_a_later_one_still_reaches_every_copy(pushed, store_url, tmp_path, connect):
    # Save A takes its sequence number first and commits last; a copy that looked in between must still see it.
    opened = pushed()
    copy = tmp_path / "replica"
    opened.materialize(copy)
    inside, release = threading.Event(), threading.Event()

    def slow_save():
        with connect(store_url).saving(ATACAMA) as plan:
            version = editing.load(copy, ATACAMA, TARGETS)
            raw = version.raw + b"exports_usd,2021,PER,,999,,ilustrativo\n"
            plan.commit(Version(ATACAMA, "targets", sha256(raw), version.sha, now_utc(), "a", "edit"), raw)
            inside.set()
            release.wait(60)

    thread = threading.Thread(target=slow_save)
    thread.start()
    assert inside.wait(60)
    version = editing.load(copy, ALLIANCE, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("PA-20-MR",): {"notes": "después"}}))
    assert isinstance(editing.save(copy, connect(store_url), ALLIANCE, ACTIVITIES, draft.raw, version.sha, "b"),
                      editing.Saved)
    seen = opened.token()
    opened.materialize(copy)
    release.set()
    thread.join(60)
    assert opened.token() != seen  # the late commit changes the version a copy watches
    assert opened.materialize(copy) == {ATACAMA}
    assert b"999" in (copy / ATACAMA / "targets.csv").read_bytes()


def test_init_on_a_database_with_its_own_plan_files_table_refuses_and_leaves_nothing(postgres_server, capsys):
    url = postgres_server.create_database("test_push_pull_foreign_table")
    engine = sqlalchemy.create_engine(url)
    with engine.begin() as con:
        con.execute(sqlalchemy.text("CREATE TABLE plan_files (id serial PRIMARY KEY, path text)"))
    assert store(url, "init") == 1
    err = capsys.readouterr().err
    assert "plan_files" in err and "Traceback" not in err
    with engine.connect() as con:
        tables = set(con.execute(sqlalchemy.text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'")).scalars())
    engine.dispose()
    assert tables == {"plan_files"}


def test_a_copy_deleted_and_pulled_again_is_whole(two_copies, store_url):
    _store, copies = two_copies
    shutil.rmtree(copies["ana"] / ATACAMA)
    assert store(store_url, "pull", str(copies["ana"])) == 0  # deleted here, unchanged there: kept deleted
    assert not (copies["ana"] / ATACAMA).exists()
    assert store(store_url, "pull", str(copies["ana"]), "--force") == 0
    assert titles(copies["ana"]) == titles(copies["beto"])
