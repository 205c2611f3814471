"""Streamlit's secrets read without Streamlit, for the command line (the app reads them through `st.secrets`).

    read(project, home)    the tables of `~/.streamlit/secrets.toml` and of the project's `.streamlit/secrets.toml`
                           (the folder the app is run from), merged as Streamlit does: a top-level key of the
                           project's file replaces the same key of the global one; `Secrets.where(key)` is the
                           file a key came from, for messages
    toml_table(path, raw)  one TOML file's table; UsageError naming the file, line and column when it is not TOML

The files are git-ignored; nothing read here is ever printed but the names of its keys.
"""

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from plan.model.issues import UsageError

SECRETS_FILE = Path(".streamlit") / "secrets.toml"
WHERE = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


@dataclass(frozen=True)
class Secrets:
    values: dict = field(default_factory=dict)
    origin: dict[str, Path] = field(default_factory=dict)

    def get(self, key: str):
        return self.values.get(key)

    def where(self, key: str) -> Path:
        return self.origin.get(key, SECRETS_FILE)


def toml_table(path: Path, raw: bytes) -> dict:
    """The table of a TOML file; UsageError `toml_invalid` with its line and column (the parser's words, which
    never quote a value) when it is not TOML, `file_not_utf8` when it is not text."""
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError("toml_not_utf8", path=path) from None
    except tomllib.TOMLDecodeError as error:
        said = str(error)
        found = WHERE.search(said)
        line, column = (found.group(1), found.group(2)) if found else ("-", "-")
        raise UsageError("toml_invalid", path=path, line=line, column=column, reason=WHERE.sub("", said)) from None


def read(project: Path | None = None, home: Path | None = None) -> Secrets:
    """The secrets of the global file (`home`, default the user's) and the project's (`project`, default the
    working folder), the project's winning; empty when neither exists."""
    values, origin = {}, {}
    for folder in (home or Path.home(), project or Path()):  # the working folder, shown as a relative path
        path = folder / SECRETS_FILE
        if path.is_file():
            found = toml_table(path, path.read_bytes())
            values |= found
            origin |= dict.fromkeys(found, path)
    return Secrets(values, origin)
