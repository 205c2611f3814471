"""`python -m plan`, run as a real subprocess: help, exit codes, messages, paths from options and env."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from plan.cli import main
from plan.data import database
from plan.data.demo import MARKER
from tests.conftest import REPO, SAMPLE_DATA, copy_sample

ISSUE_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<column>[^:]+): (?P<message>.+)$")


def plain_env(**extra: str) -> dict[str, str]:
    """The environment without PLAN_* settings (so a developer's shell cannot leak in), plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLAN_") and k != "PYTHONPATH"}
    return {**env, **extra}


def plan(*args, env: dict[str, str] | None = None, cwd: Path = REPO) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "plan", *map(str, args)], cwd=cwd, env=env or plain_env(),
                          capture_output=True, text=True, timeout=120)


def break_plan(data: Path) -> None:
    """Two errors in two files: an unknown activity type (line 5) and a target that is not a number (line 2)."""
    activities = data / "prochile-atacama-2021" / "activities.csv"
    activities.write_text(activities.read_text(encoding="utf-8").replace(",roundtable,", ",roundtabel,", 1),
                          encoding="utf-8")
    targets = data / "alianza-pacifico-2020" / "targets.csv"
    targets.write_text(targets.read_text(encoding="utf-8").replace("exporters,2020,,,300,",
                                                                   "exporters,2020,,,trescientos,", 1),
                       encoding="utf-8")


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# --- help and usage --------------------------------------------------------------------------


@pytest.mark.parametrize(("command", "mentions"), [
    ([], ["validate", "build", "demo", "bench", "columns"]),
    (["validate"], ["data_dir", "--lang", "--max-bytes", "PLAN_DATA_DIR"]),
    (["build"], ["data_dir", "--db", "--if-stale", "--lang", "--max-bytes", "PLAN_DB_PATH"]),
    (["demo"], ["--scale", "--out", "--seed", "sample", "national"]),
    (["bench"], ["--scale", "--quick", "--repetitions", "--out", "--work"]),
    (["columns"], ["Markdown"]),
])
def test_help_of_every_command_names_its_options(command, mentions):
    # The CLI is documented by its help; a director must find every option there.
    result = plan(*command, "--help")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: python -m plan")
    for word in mentions:
        assert word in result.stdout, (command, word)


@pytest.mark.parametrize("args", [
    [],
    ["frobnicate"],
    ["validate", "--nope"],
    ["validate", "--lang", "fr"],
    ["build", "--max-bytes", "lots"],
    ["demo"],  # --out is required
    ["demo", "--scale", "galactic", "--out", "x"],
])
def test_usage_errors_exit_2_and_change_nothing(args, tmp_path):
    # Exit code 2 tells scripts "you called me wrong", distinct from 1 "the plan has errors".
    result = plan(*args, cwd=REPO)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "usage:" in result.stderr
    assert result.stdout == ""


def test_bad_max_bytes_in_the_environment_is_a_usage_error(tmp_path):
    # A typo in PLAN_MAX_CSV_BYTES must be reported like a bad option, not as a traceback.
    data = copy_sample(tmp_path / "data")
    result = plan("validate", data, env=plain_env(PLAN_MAX_CSV_BYTES="lots"))
    assert result.returncode == 2
    assert "--max-bytes" in result.stderr and "Traceback" not in result.stderr


# --- validate --------------------------------------------------------------------------------


def test_validate_accepts_the_sample(tmp_path):
    data = copy_sample(tmp_path / "data")
    before = tree_bytes(tmp_path)
    result = plan("validate", data)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("plan válido: 2 plan(es), ")
    assert plan("validate", data, "--lang", "en").stdout.startswith("plan is valid: 2 plan(s), ")
    assert tree_bytes(tmp_path) == before  # validate writes nothing, not even a database


def test_validate_lists_every_error_as_path_line_column_in_spanish(tmp_path):
    # Editors and CI jump to `path:line:column`; the director reads Spanish by default.
    data = copy_sample(tmp_path / "data")
    break_plan(data)
    result = plan("validate", data)
    assert result.returncode == 1
    assert result.stdout == ""
    *lines, summary = result.stderr.strip().split("\n")
    assert summary == "2 error(es); no se modificó nada"
    found = [ISSUE_LINE.match(line).groupdict() for line in lines]
    assert [(f["path"], f["line"], f["column"]) for f in found] == [
        ("data/alianza-pacifico-2020/targets.csv", "2", "target"),
        ("data/prochile-atacama-2021/activities.csv", "5", "type"),
    ]
    assert found[1]["message"].startswith("«roundtabel» no es un valor permitido; se espera uno de: Rueda de negocios")
    assert "trescientos" in found[0]["message"]


def test_validate_speaks_english_with_lang_en(tmp_path):
    data = copy_sample(tmp_path / "data")
    break_plan(data)
    for result in (plan("validate", data, "--lang", "en"), plan("validate", data, env=plain_env(PLAN_LANG="en"))):
        assert result.returncode == 1
        *lines, summary = result.stderr.strip().split("\n")
        assert summary == "2 error(s); nothing was changed"
        assert lines[1] == ("data/prochile-atacama-2021/activities.csv:5:type: 'roundtabel' is not an allowed value; "
                            "expected one of: Business roundtable, Trade mission, Inbound importer visit, Trade fair, "
                            "Webinar, Training, Market intelligence")


def test_validate_and_build_refuse_a_plan_file_named_in_upper_case(tmp_path):
    # It used to say "plan válido" and build the plan without its outcomes.
    data = copy_sample(tmp_path / "data")
    db = tmp_path / "db" / "plan.duckdb"
    assert plan("build", data, "--db", db).returncode == 0
    folder = data / "prochile-atacama-2021"
    (folder / "outcomes.csv").rename(folder / "OUTCOMES.CSV")
    before = tree_bytes(tmp_path)
    for args in (["validate", data], ["build", data, "--db", db], ["build", data, "--db", db, "--if-stale"]):
        result = plan(*args, "--lang", "en")
        assert result.returncode == 1 and result.stdout == ""
        assert result.stderr.splitlines()[0] == ("data/prochile-atacama-2021/OUTCOMES.CSV:1:-: the file "
                                                 "'OUTCOMES.CSV' must be named outcomes.csv (in lower case); rename it")
    assert tree_bytes(tmp_path) == before


def test_validate_of_a_folder_without_plans_exits_1(tmp_path):
    (tmp_path / "empty").mkdir()
    result = plan("validate", tmp_path / "empty", "--lang", "en")
    assert result.returncode == 1
    assert "there are no plan folders with CSV files" in result.stderr


# --- build -----------------------------------------------------------------------------------


def test_build_writes_the_database_where_db_says(tmp_path):
    # --db puts the database anywhere (a volume, a shared folder); nothing lands beside the CSVs.
    data = copy_sample(tmp_path / "data")
    db = tmp_path / "elsewhere" / "custom.duckdb"
    result = plan("build", data, "--db", db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().startswith(f"base de datos construida en {db}: 2 plan(es), ")
    assert database.verify(db)
    assert not (data / database.DB_FILE_NAME).exists()
    assert sorted(p.name for p in db.parent.iterdir()) == ["custom.duckdb", "custom.duckdb.lock"]


def test_build_defaults_to_the_data_folder_then_to_plan_db_path(tmp_path):
    data = copy_sample(tmp_path / "data")
    assert plan("build", data).returncode == 0
    assert database.verify(data / database.DB_FILE_NAME)
    db = tmp_path / "from-env.duckdb"
    result = plan("build", data, "--lang", "en", env=plain_env(PLAN_DB_PATH=str(db)))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"database built at {db}: ")
    assert database.verify(db)


def test_build_of_an_invalid_plan_exits_1_and_keeps_the_database(tmp_path):
    # The rule for bad input: errors listed, the previous database byte-identical.
    data = copy_sample(tmp_path / "data")
    db = tmp_path / "db" / "plan.duckdb"
    assert plan("build", data, "--db", db).returncode == 0
    break_plan(data)
    before = tree_bytes(tmp_path)
    for args in (["build", data, "--db", db], ["build", data, "--db", db, "--if-stale"]):
        result = plan(*args)
        assert result.returncode == 1
        assert result.stderr.strip().endswith("2 error(es); no se modificó nada")
        assert tree_bytes(tmp_path) == before
    missing = tmp_path / "none" / "plan.duckdb"
    assert plan("build", data, "--db", missing).returncode == 1
    assert not missing.exists()


def test_build_if_stale_builds_once_then_says_fresh(tmp_path):
    # `build --if-stale` runs at every deploy; it must not rebuild an up-to-date database.
    data = copy_sample(tmp_path / "data")
    db = tmp_path / "plan.duckdb"
    first = plan("build", data, "--db", db, "--if-stale")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith(f"base de datos construida en {db}")
    built = db.read_bytes()
    second = plan("build", data, "--db", db, "--if-stale")
    assert second.returncode == 0
    assert second.stdout.strip() == f"la base de datos {db} ya está al día"
    assert plan("build", data, "--db", db, "--if-stale", "--lang", "en").stdout.strip() == (
        f"the database {db} is already up to date")
    assert db.read_bytes() == built


def test_build_if_stale_sets_a_corrupt_database_aside(tmp_path):
    data = copy_sample(tmp_path / "data")
    db = tmp_path / "plan.duckdb"
    db.write_bytes(b"not a database" * 1000)
    result = plan("build", data, "--db", db, "--if-stale", "--lang", "en")
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.strip().split("\n")
    assert first.startswith(f"the database was damaged; it was set aside as {db}.corrupt-")
    assert second.startswith(f"database built at {db}")
    assert [p.read_bytes() for p in tmp_path.glob("plan.duckdb.corrupt-*")] == [b"not a database" * 1000]
    assert database.verify(db)


# --- demo ------------------------------------------------------------------------------------


def test_demo_writes_data_that_validate_accepts(tmp_path):
    out = tmp_path / "demo"
    result = plan("demo", "--scale", "sample", "--out", out)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"{out}: 2 plans, ")
    assert (out / MARKER).is_file()
    checked = plan("validate", out, "--lang", "en")
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("plan is valid: 2 plan(s), ")
    assert plan("build", out, "--db", tmp_path / "demo.duckdb").returncode == 0


def test_demo_refuses_a_folder_that_is_not_a_demo(tmp_path):
    # `demo --out data` by mistake must not wipe the director's real plan.
    data = copy_sample(tmp_path / "data")
    before = tree_bytes(data)
    result = plan("demo", "--scale", "sample", "--out", data)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and "refusing to overwrite" in result.stderr
    assert tree_bytes(data) == before


# --- PLAN_DATA_DIR ---------------------------------------------------------------------------


def test_plan_data_dir_is_the_default_data_folder(tmp_path):
    # Deployments point the CLI (and the app) at their data with PLAN_DATA_DIR. Run from an
    # empty folder, so falling back to ./data would fail rather than touch the repository's data.
    data = copy_sample(tmp_path / "mine")
    work = tmp_path / "work"
    work.mkdir()
    env = plain_env(PLAN_DATA_DIR=str(data), PYTHONPATH=str(REPO))
    repo_data = tree_bytes(SAMPLE_DATA)
    valid = plan("validate", env=env, cwd=work)
    assert valid.returncode == 0, valid.stderr
    built = plan("build", "--if-stale", env=env, cwd=work)
    assert built.returncode == 0, built.stderr
    assert database.verify(data / database.DB_FILE_NAME)
    break_plan(data)
    invalid = plan("validate", env=env, cwd=work)
    assert invalid.returncode == 1
    assert invalid.stderr.startswith("mine/alianza-pacifico-2020/targets.csv:2:target: ")
    assert plan("validate", env=plain_env(PYTHONPATH=str(REPO)), cwd=work).returncode == 1  # no ./data there
    assert list(work.iterdir()) == []
    assert tree_bytes(SAMPLE_DATA) == repo_data


def test_serve_refuses_no_replicas_in_either_language(capsys):
    assert main(["serve", "--replicas", "0"]) == 2
    assert main(["serve", "--replicas", "0", "--lang", "en"]) == 2
    assert capsys.readouterr().err.splitlines() == ["error: --replicas debe ser 1 o más, no 0",
                                                    "error: --replicas must be 1 or more, not 0"]
