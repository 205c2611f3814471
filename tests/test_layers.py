"""plan/ is in layers, and the imports keep them: a layer imports only itself and the layers before it.

    model -> data -> outlook -> impact -> edit -> view -> ui        (plan/__init__.py draws the map)
    bench, cli, serve: tools beside the layers, which nothing in a layer imports; serve (self-hosting) imports
    no other tool: the benchmark and the command line use it, not the other way round

Two sides stay apart besides: view (what the dashboard shows, read-only) imports nothing of edit (changing the
plan), so what a viewer runs holds none of the code that writes, and what both need (a plan's tables, the name
an imported figure's source carries) lives in model. The benchmark imports nothing of the command line, which
runs it: it measures the library (plan.edit.imports for an import) or runs `python -m plan` in its own process.

Streamlit is imported only by plan/ui (the pages' helpers) and plan/bench (the tool that drives the served app),
so the domain runs and is tested without it; plan/serve starts `streamlit run` as processes of their own.
Every module of plan/ lives in a layer or is one of the tools.
"""

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PLAN = REPO / "plan"
LAYERS = ("model", "data", "outlook", "impact", "edit", "view", "ui")
TOOLS = ("bench", "cli", "serve")
STREAMLIT_ALLOWED = ("ui", "bench")
PACKAGE_FILES = ("__init__.py", "__main__.py")
# Beside the order of LAYERS, what a layer or tool never imports: the read-only side nothing that writes;
# self-hosting no other tool (the benchmark and the command line use it); the benchmark not the command line.
APART = {"view": ("edit",), "serve": ("bench", "cli"), "bench": ("cli",)}


def layer_of(path: Path) -> str:
    """The layer or tool a file belongs to: `model` … `ui`, `bench`, `cli`, `serve`, `package` (plan's own
    __init__/__main__), or `outside` (app.py, pages/, tests/)."""
    try:
        parts = path.resolve().relative_to(PLAN).parts
    except ValueError:
        return "outside"
    if len(parts) > 1:
        return parts[0]
    return "package" if parts[0] in PACKAGE_FILES else parts[0].removesuffix(".py")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every import in `source`, also those inside functions; `from plan import x`
    counts as importing `plan.x`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "plan":
                found += [(node.lineno, f"plan.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, node.module))
    return found


def wrong_imports(sources: dict[str, tuple[str, str]]) -> list[str]:
    """Every import against the rules, as `file:line: what`; `sources` maps a shown name to (layer, source)."""
    wrong = []
    for shown, (layer, source) in sources.items():
        for line, module in imported_modules(source):
            parts = module.split(".")
            if parts[0] == "streamlit" and layer not in STREAMLIT_ALLOWED:
                wrong.append(f"{shown}:{line}: {layer} imports streamlit (only plan/ui and plan/bench may)")
            if parts[0] != "plan" or len(parts) < 2:
                continue
            target = parts[1]
            if target in APART.get(layer, ()):
                wrong.append(f"{shown}:{line}: {layer} imports {module}: {layer} and plan.{target} are kept apart")
            if layer not in LAYERS:
                continue
            if target in TOOLS:
                wrong.append(f"{shown}:{line}: {layer} imports the tool plan.{target}")
            elif target in LAYERS and LAYERS.index(target) > LAYERS.index(layer):
                wrong.append(f"{shown}:{line}: {layer} imports {module}, a later layer")
    return wrong


def plan_sources() -> dict[str, tuple[str, str]]:
    return {str(path.relative_to(REPO)): (layer_of(path), path.read_text(encoding="utf-8"))
            for path in sorted(PLAN.rglob("*.py"))}


def test_every_module_of_plan_lives_in_a_layer_or_is_a_tool():
    homes = {layer_of(path) for path in PLAN.rglob("*.py")}
    assert homes <= {*LAYERS, *TOOLS, "package"}, homes - {*LAYERS, *TOOLS, "package"}
    assert set(LAYERS) <= homes


def test_imports_run_only_towards_earlier_layers_and_streamlit_stays_in_ui_and_bench():
    sources = plan_sources()
    assert len(sources) > 30
    assert wrong_imports(sources) == []


def test_the_rule_finds_a_planted_wrong_way_import():
    # The same check on a copy of the real modules with imports planted against each rule.
    sources = plan_sources()
    layer, source = sources["plan/model/parsing.py"]
    sources["plan/model/parsing.py"] = (layer, source + "\nfrom plan.view import queries\n")
    layer, source = sources["plan/data/loader.py"]
    sources["plan/data/loader.py"] = (layer, source + "\ndef late():\n    import streamlit\n")
    layer, source = sources["plan/view/report.py"]
    sources["plan/view/report.py"] = (layer, source + "\nfrom plan import cli\nfrom plan.edit import official\n")
    layer, source = sources["plan/serve/server.py"]
    sources["plan/serve/server.py"] = (layer, source + "\nfrom plan.bench.pages import APP\nimport streamlit\n")
    layer, source = sources["plan/bench/importing.py"]
    sources["plan/bench/importing.py"] = (layer, source + "\ndef run_command():\n    from plan.cli import main\n")
    assert [finding.split(": ", 1)[1] for finding in wrong_imports(sources)] == [
        "bench imports plan.cli: bench and plan.cli are kept apart",
        "data imports streamlit (only plan/ui and plan/bench may)",
        "model imports plan.view, a later layer",
        "serve imports plan.bench.pages: serve and plan.bench are kept apart",
        "serve imports streamlit (only plan/ui and plan/bench may)",
        "view imports the tool plan.cli",
        "view imports plan.edit: view and plan.edit are kept apart",
    ]


def module_name(shown: str) -> str:
    """`plan/ui/live.py` -> `plan.ui.live`; a package's `__init__.py` is the package."""
    parts = Path(shown).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_cycles(sources: dict[str, tuple[str, str]]) -> list[list[str]]:
    """The modules of plan/ that import each other, directly or around a loop (imports inside functions too),
    each loop as a sorted list. `from plan.ui import store` is an import of the module plan.ui.store, not of
    the package plan.ui."""
    modules = {module_name(shown): source for shown, (_layer, source) in sources.items()}
    graph = {}
    for name, source in modules.items():
        targets = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    found = alias.name
                    while found and found not in modules:
                        found = found.rpartition(".")[0]
                    targets.add(found)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets |= {f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules
                            else node.module for alias in node.names}
        graph[name] = {target for target in targets if target in modules and target != name}
    reaches = {}
    for start in graph:  # every module each one leads to (plan/ is small: a walk from each is cheap)
        seen, todo = set(), [start]
        while todo:
            for target in graph[todo.pop()] - seen:
                seen.add(target)
                todo.append(target)
        reaches[start] = seen
    loops = {frozenset(m for m in graph if start in reaches[m] and m in reaches[start]) for start in graph
             if start in reaches[start]}
    return sorted(sorted(loop) for loop in loops)


def test_no_module_of_plan_imports_itself_around_a_loop():
    assert import_cycles(plan_sources()) == []


def test_the_loop_check_finds_a_planted_loop():
    sources = plan_sources()
    layer, source = sources["plan/model/parsing.py"]
    sources["plan/model/parsing.py"] = (layer, source + "\ndef late():\n    from plan.model import i18n\n")
    layer, source = sources["plan/model/i18n.py"]
    assert "plan.model.parsing" not in source
    sources["plan/model/i18n.py"] = (layer, source + "\nfrom plan.model.parsing import parse_date\n")
    assert import_cycles(sources) == [["plan.model.i18n", "plan.model.parsing"]]


def test_the_domain_imports_without_streamlit():
    # Run in a fresh interpreter: every layer but ui, the command line and self-hosting load with streamlit absent.
    import subprocess
    import sys

    modules = [".".join(path.relative_to(REPO).with_suffix("").parts) for path in sorted(PLAN.rglob("*.py"))
               if layer_of(path) in ("model", "data", "impact", "edit", "view", "cli", "serve")]
    code = ("import sys; sys.modules['streamlit'] = None\n"
            + "".join(f"import {module}\n" for module in modules)
            + "print(len([m for m in sys.modules if m.startswith('plan.')]))")
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= len(modules)
