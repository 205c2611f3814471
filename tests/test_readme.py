"""The README documents what the code does: columns, commands, the two make targets."""

import re
import subprocess
import sys
from pathlib import Path

from plan.cli import build_parser, commands_markdown, subcommands
from plan.model.column_docs import columns_markdown
from tests.test_bad_input import CATALOG

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_readme_column_tables_match_the_models():
    # Regenerate with `python -m plan columns` when the models change.
    documented = README.split("<!-- columns:start -->\n")[1].split("<!-- columns:end -->")[0]
    assert documented == columns_markdown()


def test_every_model_column_is_documented():
    from plan.model.models import TABLES

    for table in TABLES:
        for name in table.model.model_fields:
            assert re.search(rf"\| `{name}` \|", README), f"{table.file_name}: {name}"


def test_every_cli_command_is_in_the_readme_and_has_help():
    commands = build_parser()._subparsers._group_actions[0].choices
    for name in commands:
        assert f"python -m plan {name}" in README, name
        result = subprocess.run([sys.executable, "-m", "plan", name, "--help"], cwd=REPO, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0 and "usage:" in result.stdout, name


def test_the_command_reference_is_the_one_generated_from_the_parser():
    written = (REPO / "docs" / "commands.md").read_text(encoding="utf-8")
    assert written == commands_markdown(build_parser()), (
        "docs/commands.md differs from the command-line parser (plan/cli.py): regenerate it with "
        "`.venv/bin/python -m plan commands > docs/commands.md`")


def test_the_reference_has_every_command_and_subcommand():
    reference = commands_markdown(build_parser())
    for name, parser in subcommands(build_parser()).items():
        assert f"## `{name}`\n" in reference, name
        assert parser.format_help().startswith(f"usage: python -m plan {name} "), name


def test_the_two_commands_and_the_ci_script_agree():
    assert "make run" in README and "make test" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "PLAN_LOCAL_EDIT=1" in makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "(docs/overview.png)" in README and (REPO / "docs" / "overview.png").exists()


def test_the_readme_counts_the_bad_input_catalog():
    assert f"({len(CATALOG)} cases:" in README
