"""The CSV columns as Markdown tables, generated from the models for docs/editing.md (a test
checks the page still matches, so the documentation cannot drift from the code)."""

from plan.model.models import TABLES, Table
from plan.model.schema import kinds

KIND_TEXT = {
    "code": "identifier", "text": "text", "money": "amount (US$)", "count": "whole number", "date": "date",
    "enum": "one of a list", "country": "country", "list": "list (separated by |)",
}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _allowed(table: Table, name: str) -> str:
    kind = kinds(table)[name]
    if kind.enum is None:
        return ""
    members = [m for m in kind.enum if kind.allowed is None or m.value in kind.allowed]
    return ", ".join(f"`{m.value}` ({m.label_es})" for m in members)


def columns_markdown() -> str:
    sections = []
    for table in TABLES:
        lines = [f"#### `{table.file_name}` — {table.label_es} / {table.label_en}"
                 + ("" if table.required else " (optional file)"), "",
                 "| column | Spanish header | required | type | meaning | values |",
                 "| --- | --- | --- | --- | --- | --- |"]
        for name, info in table.model.model_fields.items():
            extra = info.json_schema_extra or {}
            meaning = extra.get("help_en") or extra.get("en", "")
            required = "yes" if info.is_required() else ""
            cells = [f"`{name}`", extra.get("es", ""), required, KIND_TEXT[kinds(table)[name].name], meaning,
                     _allowed(table, name)]
            lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
        sections.append("\n".join(lines))
    return "\n\n".join(sections) + "\n"
