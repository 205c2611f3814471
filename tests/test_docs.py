"""The README and docs/ say what the code does: the column tables, every command, the two make targets, the
bad-input count, and links that lead somewhere. The README is the front door; a new feature adds or extends a
page under docs/ (linked from the README) and, when the page states what the code decides, a check here."""

import re
import subprocess
import sys
from pathlib import Path

from plan.cli import build_parser
from plan.cli.reference import commands_markdown, subcommands
from plan.model.column_docs import columns_markdown
from tests.test_bad_input import CATALOG

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
README = (REPO / "README.md").read_text(encoding="utf-8")
PAGES = sorted(DOCS.glob("*.md"))
EDITING = (DOCS / "editing.md").read_text(encoding="utf-8")
REGENERATE_COMMANDS = ".venv/bin/python -m plan commands > docs/commands.md"


def test_column_tables_match_the_models():
    documented = EDITING.split("<!-- columns:start -->\n")[1].split("<!-- columns:end -->")[0]
    assert documented == columns_markdown(), (
        "docs/editing.md's column tables differ from the models: replace the text between the columns markers "
        "with the output of `.venv/bin/python -m plan columns`")


def test_every_model_column_is_documented():
    from plan.model.models import TABLES

    for table in TABLES:
        for name in table.model.model_fields:
            assert re.search(rf"\| `{name}` \|", EDITING), f"{table.file_name}: {name}"


def test_the_command_reference_is_the_one_generated_from_the_parser():
    written = (DOCS / "commands.md").read_text(encoding="utf-8")
    assert written == commands_markdown(build_parser()), (
        f"docs/commands.md differs from the command-line parser (plan/cli/): regenerate it with "
        f"`{REGENERATE_COMMANDS}`")


def test_the_reference_has_every_command_and_subcommand_and_each_has_help():
    reference = commands_markdown(build_parser())
    for name, parser in subcommands(build_parser()).items():
        assert f"## `{name}`\n" in reference, name
        assert parser.format_help().startswith(f"usage: python -m plan {name} "), name
    for name in subcommands(build_parser()):
        if " " not in name:  # each command through `python -m plan`, as a user runs it
            result = subprocess.run([sys.executable, "-m", "plan", name, "--help"], cwd=REPO, capture_output=True,
                                    text=True, timeout=60)
            assert result.returncode == 0 and "usage:" in result.stdout, name


def test_the_two_commands_and_the_ci_script_agree():
    assert "make run" in README and "make test" in README
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "PLAN_LOCAL_EDIT=1" in makefile.split("\nrun:")[1].split("\n\n")[0]
    assert "(docs/overview.png)" in README and (REPO / "docs" / "overview.png").exists()


def test_the_readme_shows_the_sample_pdf_report_and_its_first_page():
    """Issue 26: the sample's report as a PDF in docs/, small, with a picture of its first page in the README."""
    assert "(docs/report-sample.png)" in README and "(docs/report-sample.pdf)" in README
    pdf, png = REPO / "docs" / "report-sample.pdf", REPO / "docs" / "report-sample.png"
    assert pdf.read_bytes().startswith(b"%PDF-") and png.read_bytes().startswith(b"\x89PNG")
    assert pdf.stat().st_size < 300_000 and png.stat().st_size < 300_000


def test_the_docs_count_the_bad_input_catalog():
    counts = {path.name: re.findall(r"\((\d+) cases:", path.read_text(encoding="utf-8"))
              for path in [REPO / "README.md", *PAGES]}
    stated = {count for found in counts.values() for count in found}
    assert stated == {str(len(CATALOG))}, f"the catalog has {len(CATALOG)} cases; the docs say {counts}"


def test_the_readme_links_every_docs_page():
    for page in PAGES:
        assert f"(docs/{page.name})" in README, page.name


def heading_anchors(markdown: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as hyphens, a repeated
    heading numbered."""
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} +(.+?) *$", _without_code_blocks(markdown), flags=re.M):
        anchor = re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        repeated, n = anchor, 0
        while repeated in anchors:
            n += 1
            repeated = f"{anchor}-{n}"
        anchors.add(repeated)
    return anchors


def _without_code_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.M | re.S)


def relative_links(markdown: str) -> list[str]:
    """Link and image targets that are not web addresses, outside code blocks and code spans."""
    text = re.sub(r"`[^`\n]*`", "", _without_code_blocks(markdown))
    targets = re.findall(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)", text)
    return [target for target in targets if not re.match(r"[a-z][a-z0-9+.-]*:", target)]


def test_heading_anchors_and_relative_links_are_read_as_github_does():
    page = "# Host and share the link\n## `plan.csv` — Plan\n## Notes\n## Notes\n```\n# not a heading\n```\n"
    assert heading_anchors(page) == {"host-and-share-the-link", "plancsv--plan", "notes", "notes-1"}
    links = "[a](docs/x.md#y) ![b](docs/p.png) [c](https://e.cl) `[d](no.md)` [e](#top)\n```\n[f](no.md)\n```"
    assert relative_links(links) == ["docs/x.md#y", "docs/p.png", "#top"]


def test_every_relative_link_leads_to_an_existing_file_and_heading():
    broken = []
    for page in [REPO / "README.md", *PAGES]:
        for target in relative_links(page.read_text(encoding="utf-8")):
            path_part, _, anchor = target.partition("#")
            linked = (page.parent / path_part).resolve() if path_part else page
            if not linked.exists():
                broken.append(f"{page.relative_to(REPO)}: {target} (no such file)")
            elif anchor and linked.suffix == ".md" and anchor not in heading_anchors(linked.read_text("utf-8")):
                broken.append(f"{page.relative_to(REPO)}: {target} (no such heading)")
    assert broken == []
