"""The command reference, docs/commands.md, written from the parser so it cannot drift from the code."""

import argparse

COMMANDS_DOC = "docs/commands.md"


def subcommands(parser: argparse.ArgumentParser, prefix: str = "") -> dict[str, argparse.ArgumentParser]:
    """Every command and subcommand under `parser`, in the order of its help, by its words (`store push`)."""
    found = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found[prefix + name] = sub
                found |= subcommands(sub, f"{prefix}{name} ")
    return found


def _summaries(parser: argparse.ArgumentParser) -> dict[str, str]:
    """A parser's subcommands and their one-line help."""
    return {choice.dest: choice.help or "" for action in parser._actions
            if isinstance(action, argparse._SubParsersAction) for choice in action._choices_actions}


def _argument_rows(parser: argparse.ArgumentParser) -> list[str]:
    """One table row per argument (help left out: every command has it), with its default when the help does not
    already say it. A default the help states may come from the environment ($PLAN_LANG...), so it is not
    written twice, and the reference stays the same wherever it is generated."""
    formatter = argparse.HelpFormatter(parser.prog, width=10_000)
    rows = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        text = formatter._expand_help(action) if action.help else ""
        if action.default not in (None, False, [], argparse.SUPPRESS) and "default" not in text:
            text = f"{text} (default: {action.default})".lstrip()
        invocation = formatter._format_action_invocation(action)
        rows.append(f"| `{invocation}` | {'yes' if action.required else ''} | {text.replace('|', chr(92) + '|')} |")
    return rows


def commands_markdown(parser: argparse.ArgumentParser) -> str:
    """The command reference, docs/commands.md: every command and subcommand with its description, usage and
    arguments, as the parser defines them (so the reference cannot drift from the code)."""
    lines = ["# Command reference", "",
             f"<!-- Generated from the parser in plan/cli/ by `python -m plan commands > {COMMANDS_DOC}`; "
             "tests/test_docs.py checks that this file matches it. -->", "",
             parser.description or "", "", parser.epilog or "", "",
             "Every command and subcommand takes `-h` / `--help`.", "",
             "| command | what it does |", "| --- | --- |"]
    lines += [f"| [`{name}`](#{name}) | {summary} |" for name, summary in _summaries(parser).items()]
    for name, sub in subcommands(parser).items():
        level = "#" * (2 + name.count(" "))
        formatter = argparse.HelpFormatter(sub.prog, width=10_000)
        formatter.add_usage(sub.usage, sub._actions, sub._mutually_exclusive_groups, prefix="")
        lines += ["", f"{level} `{name}`", "", sub.description or "", "", "```", formatter.format_help().strip(),
                  "```"]
        rows = _argument_rows(sub)
        if rows:
            lines += ["", "| argument | required | help |", "| --- | --- | --- |", *rows]
        summaries = _summaries(sub)
        if summaries:
            lines += ["", "| subcommand | what it does |", "| --- | --- |"]
            lines += [f"| [`{name} {word}`](#{name.replace(' ', '-')}-{word}) | {text} |"
                      for word, text in summaries.items()]
    return "\n".join(lines) + "\n"
