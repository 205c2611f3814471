"""Every message the code asks for exists in both languages with the same placeholders."""

import re
import string
from pathlib import Path

from plan.model.i18n import LANGS, MESSAGES

REPO = Path(__file__).resolve().parent.parent
CODE = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "plan").glob("*.py"))]


def test_every_literal_message_key_in_the_code_exists():
    asked = {key for path in CODE for key in re.findall(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']", path.read_text())}
    assert asked, "the scan found no t() call"
    assert sorted(asked - MESSAGES.keys()) == []


def test_every_message_has_both_languages_with_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGS), key
        assert fields(texts["es"]) == fields(texts["en"]), key
