"""The store is chosen in one place (`open_store`): the commands that read plans take `--url`/$PLAN_STORE_URL and
then work on the store's local copy; a folder that is not one is never written over; and a store keeps small
named state beside the plan, with the same no-lost-update rule as a plan file."""

import threading

import pytest

from plan.cli import main
from plan.data import database
from plan.data.loader import plan_dirs
from plan.data.store import FolderStore, default_data_dir, open_store
from plan.data.store_base import StaleBase
from plan.data.store_postgres import MANIFEST, PostgresStore
from plan.edit import editing
from plan.model.models import ACTIVITIES

ATACAMA = "prochile-atacama-2021"


def test_open_store_is_the_folder_without_a_url_and_postgresql_with_one(tmp_path, store_url, monkeypatch):
    monkeypatch.delenv("PLAN_CACHE_DIR", raising=False)
    folder = open_store(None, tmp_path)
    assert isinstance(folder, FolderStore) and folder.data_dir == tmp_path
    assert default_data_dir(None) == database.default_data_dir()
    postgres = open_store(store_url, tmp_path / "copy")
    try:
        assert isinstance(postgres, PostgresStore) and postgres.where().endswith(store_url.rsplit("/", 1)[1])
    finally:
        postgres.close()
    assert str(default_data_dir(store_url)) == ".plan-cache"  # the same local copy the served app keeps


def test_with_a_url_build_and_report_work_on_the_local_copy_of_the_store(store_url, tmp_path, pushed, connect,
                                                                          capsys):
    pushed()
    copy, db_path = tmp_path / "copy", tmp_path / "copy.duckdb"
    assert main(["build", str(copy), "--db", str(db_path), "--url", store_url]) == 0
    assert (copy / MANIFEST).is_file()
    other = tmp_path / "other-copy"  # another process saves through the store, from its own copy
    assert main(["validate", str(other), "--url", store_url]) == 0
    version = editing.load(other, ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-21",): {"status": "done"}}))
    saved = editing.save(other, connect(store_url), ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana")
    assert isinstance(saved, editing.Saved)
    assert main(["build", str(copy), "--db", str(db_path), "--url", store_url]) == 0  # the copy follows
    with database.reader(db_path) as con:
        assert con.execute("SELECT status FROM activities WHERE id = 'ATA-21-21'").fetchone() == ("done",)
    report = tmp_path / "report.html"
    assert main(["report", str(copy), "--db", str(db_path), "--url", store_url, "--out", str(report)]) == 0
    assert "ProChile Atacama" in report.read_text(encoding="utf-8")
    assert "plan válido: 2 plan(es)" in capsys.readouterr().out


def test_the_url_can_come_from_the_environment(store_url, tmp_path, pushed, monkeypatch):
    pushed()
    monkeypatch.setenv("PLAN_STORE_URL", store_url)
    monkeypatch.setenv("PLAN_CACHE_DIR", str(tmp_path / "cache"))
    assert main(["build", "--db", str(tmp_path / "plan.duckdb")]) == 0
    assert sorted(path.name for path in (tmp_path / "cache").iterdir() if path.is_dir()) == [
        "alianza-pacifico-2020", ATACAMA]


def test_a_working_folder_is_never_taken_for_the_local_copy(sample_dir, store_url, pushed, capsys):
    pushed()
    edited = sample_dir / ATACAMA / "activities.csv"
    edited.write_bytes(edited.read_bytes().replace(b"Feria", b"Muestra", 1))  # a change not pushed yet
    before = {path: path.read_bytes() for path in sample_dir.rglob("*.csv")}
    assert main(["validate", str(sample_dir), "--url", store_url]) == 1
    assert "no son una copia del almacén" in capsys.readouterr().err
    assert {path: path.read_bytes() for path in sample_dir.rglob("*.csv")} == before
    assert not (sample_dir / MANIFEST).exists()


def test_a_first_copy_killed_half_way_is_finished_by_the_next(store_url, tmp_path, pushed, monkeypatch):
    store = pushed()
    copy = tmp_path / "copy"
    real_content, calls = store.content, []

    def dies_on_the_second_file(version):
        calls.append(version)
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is stopped while copying
        return real_content(version)

    monkeypatch.setattr(store, "content", dies_on_the_second_file)
    with pytest.raises(KeyboardInterrupt):
        store.materialize(copy)
    monkeypatch.setattr(store, "content", real_content)
    assert store.materialize(copy) == {"alianza-pacifico-2020", ATACAMA}  # a copy, not refused as a working folder
    assert sorted(p.relative_to(copy) for p in copy.glob("*/*.csv")) == sorted(
        p.relative_to(tmp_path / "data") for p in (tmp_path / "data").glob("*/*.csv"))


@pytest.fixture(params=["folder", "postgresql"])
def any_store(request, tmp_path, connect):
    if request.param == "folder":
        (tmp_path / "data").mkdir()
        return lambda: FolderStore(tmp_path / "data")
    url = request.getfixturevalue("store_url")
    connect(url).init()
    return lambda: connect(url)


def test_state_is_kept_beside_the_plan_and_never_in_a_plan_folder(any_store, tmp_path):
    store = any_store()
    assert store.read_state("digest.sent") is None
    store.write_state("digest.sent", b'{"last": 3}', expected=None)
    assert any_store().read_state("digest.sent") == b'{"last": 3}'  # another process reads it
    if isinstance(store, FolderStore):
        assert plan_dirs(tmp_path / "data") == []  # no plan folder appeared for it


def test_two_writers_of_the_same_state_cannot_both_replace_it(any_store):
    first, second = any_store(), any_store()
    first.write_state("digest.sent", b"1", expected=None)
    seen = second.read_state("digest.sent")
    first.write_state("digest.sent", b"2", expected=b"1")
    with pytest.raises(StaleBase):
        second.write_state("digest.sent", b"2 again", expected=seen)
    assert first.read_state("digest.sent") == b"2"


def test_concurrent_writers_of_a_new_state_one_wins(any_store):
    results = []

    def write(value: bytes) -> None:
        try:
            any_store().write_state("once", value, expected=None)
            results.append(value)
        except StaleBase:
            results.append(None)

    threads = [threading.Thread(target=write, args=(str(n).encode(),)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    winners = [value for value in results if value is not None]
    assert len(winners) == 1 and any_store().read_state("once") == winners[0]


@pytest.mark.parametrize("name", ["../plan", "Digest", "", "a/b", "x" * 101])
def test_a_state_name_that_is_not_a_plain_name_is_refused(any_store, name):
    with pytest.raises(ValueError, match="not a state name"):
        any_store().write_state(name, b"x", expected=None)


def test_the_folder_store_logs_its_versions_newest_first(sample_dir):
    store = FolderStore(sample_dir)
    assert store.log() == []
    for status in ("done", "in_progress"):
        version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
        draft = editing.apply(version, editing.Changes(changed={("ATA-21-21",): {"status": status}}))
        assert isinstance(editing.save(sample_dir, store, ATACAMA, ACTIVITIES, draft.raw, version.sha, "ana"),
                          editing.Saved)
    log = store.log()
    assert [seq for seq, _ in log] == [2, 1] and log[0][1].previous == log[1][1].sha256
    assert store.log(1) == log[:1]


COMTRADE_ROWS = ("refYear,refMonth,reporterISO,partnerISO,cmdCode,flowCode,primaryValue\n"
                 "2020,52,CHL,GBR,0806,X,1500000.50\n")
ALLIANCE = "alianza-pacifico-2020"


def test_an_import_with_a_url_is_saved_into_the_store_and_leaves_the_working_folder_alone(
        sample_dir, store_url, tmp_path, pushed, connect, monkeypatch, capsys):
    # The one behaviour change of the store choice: before, a command-line import wrote only to a folder, so a
    # hosted dashboard never saw it. With a URL it is saved into the store, as the editor's import is.
    store = pushed()
    monkeypatch.setenv("PLAN_CACHE_DIR", str(tmp_path / "cache"))
    path = tmp_path / "comtrade.csv"
    path.write_text(COMTRADE_ROWS, encoding="utf-8")
    before = {p: p.read_bytes() for p in sample_dir.rglob("*.csv")}
    token = store.token()
    assert main(["import", "comtrade", str(path), "--plan", ALLIANCE, "--url", store_url]) == 0  # a preview
    assert store.token() == token
    assert main(["import", "comtrade", str(path), "--plan", ALLIANCE, "--url", store_url, "--yes"]) == 0
    latest = connect(store_url).log(1)[0][1]
    assert (latest.plan_id, latest.table, latest.kind) == (ALLIANCE, "outcomes", "official")
    assert b"UN Comtrade" in store.content(latest.sha256)
    assert (tmp_path / "cache" / ALLIANCE / "outcomes.csv").read_bytes() == store.content(latest.sha256)
    assert {p: p.read_bytes() for p in sample_dir.rglob("*.csv")} == before  # the pushed folder is untouched
    capsys.readouterr()
    assert main(["import", "comtrade", str(path), "--plan", str(sample_dir / ALLIANCE), "--url", store_url,
                 "--yes"]) == 1  # a working folder is not the store's copy: refused, nothing written
    assert "no son una copia del almacén" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in sample_dir.rglob("*.csv")} == before
    assert connect(store_url).log(1)[0][1] == latest


def test_an_import_without_a_url_still_saves_into_the_plan_folder(sample_dir, tmp_path, monkeypatch):
    monkeypatch.delenv("PLAN_STORE_URL", raising=False)
    monkeypatch.setenv("PLAN_DATA_DIR", str(sample_dir))
    path = tmp_path / "comtrade.csv"
    path.write_text(COMTRADE_ROWS, encoding="utf-8")
    assert main(["import", "comtrade", str(path), "--plan", ALLIANCE, "--yes"]) == 0  # an id, in PLAN_DATA_DIR
    assert FolderStore(sample_dir).log(1)[0][1].kind == "official"
    assert b"UN Comtrade" in (sample_dir / ALLIANCE / "outcomes.csv").read_bytes()
