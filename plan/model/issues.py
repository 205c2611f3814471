"""A problem found in the plan, located at file:line:column, rendered in either language."""

from dataclasses import dataclass, field
from pathlib import Path

from plan.model.i18n import DEFAULT_LANG, t


@dataclass(frozen=True, order=True)
class Issue:
    """One error: where (file, line, column as written in the header) and what (message key)."""

    path: str
    line: int
    column: str
    code: str
    params: dict = field(default_factory=dict, compare=False)

    def message(self, lang: str = DEFAULT_LANG) -> str:
        params = {k: (v.get(lang, v.get(DEFAULT_LANG)) if isinstance(v, dict) else v) for k, v in self.params.items()}
        return t(self.code, lang, **params)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        """`path:line:column: message`, the one-line form the CLI prints."""
        return f"{self.path}:{self.line}:{self.column or '-'}: {self.message(lang)}"


def shown_path(path: Path, base: Path | None = None) -> str:
    """The path as the user knows it: relative to `base` (the data folder's parent) if possible."""
    if base is not None:
        try:
            return str(path.resolve().relative_to(base.resolve()))
        except ValueError:
            pass
    return str(path)


class PlanInvalid(Exception):
    """Validation failed; nothing was written. Carries every issue found."""

    def __init__(self, issues: list[Issue]):
        super().__init__(f"{len(issues)} issue(s)")
        self.issues = sorted(issues)

    def render(self, lang: str = DEFAULT_LANG) -> str:
        return "\n".join(issue.render(lang) for issue in self.issues)


class UsageError(Exception):
    """Options or values that cannot be used as given (an unknown market, a region that is not one, a folder
    that is not a plan's): every problem, as a message key and what it names, told in the person's language.
    The command line exits 2 with them; nothing was read or written."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.problems: list[tuple[str, dict]] = [(key, params)]

    @classmethod
    def every(cls, problems: list[tuple[str, dict]]) -> "UsageError":
        """One error for several problems, so that all of them are told at once."""
        error = cls(problems[0][0], **problems[0][1])
        error.problems = list(problems)
        return error

    def messages(self, lang: str = DEFAULT_LANG) -> list[str]:
        return [t(key, lang, **params) for key, params in self.problems]
