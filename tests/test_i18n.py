"""Every message the code asks for exists in both languages with the same placeholders, defined once, in the
catalogue of a layer that may use it."""

import re
import string
from pathlib import Path

import pytest

from plan.model.i18n import LANGS, MESSAGES, catalogue_files, format_compact, load_messages
from tests.test_layers import LAYERS, layer_of

REPO = Path(__file__).resolve().parent.parent
CODE = [REPO / "app.py", *sorted((REPO / "pages").glob("*.py")), *sorted((REPO / "plan").rglob("*.py"))]
LITERAL_KEY = re.compile(r"\bt\(\s*[\"']([a-z0-9_]+)[\"']")


def test_the_scan_covers_every_layer_and_the_tools():
    scanned = {path.relative_to(REPO).parts[1] for path in CODE if path.relative_to(REPO).parts[0] == "plan"}
    assert {*LAYERS, "bench", "cli"} <= scanned


def test_every_literal_message_key_in_the_code_exists():
    asked = {key for path in CODE for key in LITERAL_KEY.findall(path.read_text())}
    assert asked, "the scan found no t() call"
    assert sorted(asked - MESSAGES.keys()) == []


def test_every_message_has_both_languages_with_the_same_placeholders():
    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, texts in MESSAGES.items():
        assert set(texts) == set(LANGS), key
        assert fields(texts["es"]) == fields(texts["en"]), key


def test_each_layer_keeps_its_messages_in_its_own_folder():
    files = catalogue_files()
    assert {path.relative_to(REPO / "plan").parts[0] for path in files} == set(LAYERS)
    assert all(path.parent.name == "messages" for path in files)


def test_a_layer_asks_only_for_messages_of_its_own_layer_or_one_before_it():
    # A message sits next to the layer that uses it; a key asked for by an earlier layer than its
    # catalogue's would make that layer depend on a later one's words.
    layer_of_key = {key: path.relative_to(REPO / "plan").parts[0]
                    for path in catalogue_files() for key in load_messages([path])}
    wrong = []
    for path in CODE:
        layer = layer_of(path)
        if layer not in LAYERS:
            continue  # pages, app, cli and bench stand above every layer
        for key in LITERAL_KEY.findall(path.read_text()):
            if LAYERS.index(layer_of_key[key]) > LAYERS.index(layer):
                wrong.append(f"{path.relative_to(REPO)}: {key} is in {layer_of_key[key]}/messages")
    assert wrong == []


def test_a_key_defined_twice_is_refused(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text('[same]\nes = "uno"\nen = "one"\n', encoding="utf-8")
    second.write_text('[same]\nes = "dos"\nen = "two"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="'same' is defined in .*a.toml and again in .*b.toml"):
        load_messages([first, second])


@pytest.mark.parametrize(("value", "usd", "es", "en"), [
    (1_272, False, "1.272", "1,272"),  # counts below a million are written whole
    (233_486.4, True, "US$ 233.486", "US$233,486"),
    (999_999.6, True, "MMUS$ 1,0", "US$1.0M"),  # rounds up to a million: never `1.000.000` beside `MMUS$ 1,1`
    (578_030_000, True, "MMUS$ 578,0", "US$578.0M"),
    (5_780_300_000, True, "MMUS$ 5.780", "US$5,780M"),  # thousands separators; no decimal from 1,000 millions
    (486_700_000_000, True, "MMUS$ 486.700", "US$486,700M"),
    (1_600_000, False, "1,6 millones", "1.6M"),
    (-2_500_000, True, "MMUS$ -2,5", "US$-2.5M"),
])
def test_short_figures_follow_each_language_convention(value, usd, es, en):
    assert (format_compact(value, "es", usd), format_compact(value, "en", usd)) == (es, en)
