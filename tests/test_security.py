"""Shared-link security (issue 6, item 4), tried against real servers where it matters.

    raw websocket  forged widget states for every write path of the editor page (grid edit + save,
                   upload + confirm, restore): they DO save on a local-edit server, so the ids and
                   messages are the real ones, and change nothing on a read-only or password link
    browser        a <script> / <img onerror> / javascript: link title shows as text, runs nothing
    SQL            SQL text in plan/ is built from constants only (AST rule below), ruff S608 on
    DuckDB         the viewer connection opens no file; a hostile filter value is only a value
    hosting        .streamlit/config.toml hardened, and the running server enforces it
    secrets        nothing secret is tracked by git; secrets files are ignored
    downloads      chart CSVs (both languages) and table CSVs (both dialects) neutralize formulas
"""

import ast
import asyncio
import csv
import hashlib
import inspect
import io
import json
import re
import socket
import subprocess
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import duckdb
import pandas as pd
import pytest
import requests
from streamlit.elements.lib.utils import _compute_element_id
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.Common_pb2 import FileUploaderState
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.web.server.starlette.starlette_server_config import XSRF_COOKIE_NAME
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from plan import outlook
from plan.bench.viewers import Viewer
from plan.data import database
from plan.edit.downloads import csv_bytes, table_csv
from plan.ui import access
from plan.view import outcome_queries, queries
from plan.view.filters import Filters
from tests.conftest import EDITOR_PASSWORD, REPO, save_screenshot, serve_sample
from tests.test_browser import TIMEOUT, _wait_ready

ATACAMA = "prochile-atacama-2021"
TABLE = "activities"
EDITOR_KEYS = ("grid-", "save-", "discard-", "upload-", "confirm-", "history-", "dl-", "edit_plan", "edit_table")
EDIT = json.dumps({"edited_rows": {"0": {"notes": "forged"}}, "added_rows": [], "deleted_rows": []})
REDACTED = "The original error message is redacted"


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file under a server's data folder (CSVs, .history, .locks)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def sha(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


# --------------------------------------------------------------------------- raw websocket clients


@dataclass
class Forger(Viewer):
    """A browser tab without a browser (plan.bench's viewer): sends any widget state it likes
    and keeps everything the server drew in the last run."""

    drawn: list = field(default_factory=list)  # (element kind, element proto)

    def note_element(self, delta) -> None:
        if delta.WhichOneof("type") == "new_element":
            element = delta.new_element
            kind = element.WhichOneof("type")
            self.drawn.append((kind, getattr(element, kind)))
            if kind == "exception":
                return  # judged by the tests (the bench viewer raises)
        super().note_element(delta)

    async def forge(self, states: dict) -> list:
        """Rerun with these widget states: id -> True (a click), str (text, JSON) or FileUploaderState."""
        self.drawn = []
        message = BackMsg()
        for widget_id, value in states.items():
            state = message.rerun_script.widget_states.widgets.add(id=widget_id)
            if value is True:
                state.trigger_value = True
            elif isinstance(value, str):
                state.string_value = value
            else:
                state.file_uploader_state_value.CopyFrom(value)
        await self.send(message)
        return self.drawn

    async def upload(self, name: str, raw: bytes) -> FileUploaderState:
        """Put a file in this session's uploads as the browser does (ask its URL over the websocket,
        PUT it with the XSRF token); the uploader state that names it."""
        request = BackMsg()
        request.file_urls_request.request_id = "forged"
        request.file_urls_request.file_names.append(name)
        await self.connection.send(request.SerializeToString())
        while True:
            forward = ForwardMsg()
            forward.ParseFromString(await self.connection.recv())
            if forward.WhichOneof("type") == "file_urls_response":
                urls = forward.file_urls_response.file_urls[0]
                break
        assert await asyncio.to_thread(put_file, self.url, urls.upload_url, raw) == 204
        state = FileUploaderState()
        state.uploaded_file_info.add(file_id=urls.file_id, name=name, size=len(raw)).file_urls.CopyFrom(urls)
        return state

    async def clear_cache(self) -> None:
        message = BackMsg()
        message.clear_cache = True
        await self.connection.send(message.SerializeToString())


def put_file(url: str, upload_path: str, raw: bytes, xsrf: bool = True) -> int:
    """PUT a file to Streamlit's upload route, with the XSRF token of a fresh cookie or without one."""
    with requests.Session() as session:
        session.get(f"{url}/_stcore/health", timeout=10).raise_for_status()  # sets the XSRF cookie
        headers = {"X-Xsrftoken": session.cookies[XSRF_COOKIE_NAME]} if xsrf else {}
        return session.put(url + upload_path, files={"file": ("a.csv", raw, "text/csv")}, headers=headers,
                           timeout=60).status_code


def ids_of(drawn: list) -> set[str]:
    return {getattr(element, "id", "") for _kind, element in drawn} - {""}


def editor_parts(drawn: list) -> list[str]:
    """What only an editor may see: a grid, an uploader, any widget of the editor page's keys."""
    kinds = [kind for kind, _element in drawn if kind in ("dataframe", "file_uploader")]
    return kinds + [i for i in ids_of(drawn) if i.split("-", 2)[-1].startswith(EDITOR_KEYS)]


def alerts(drawn: list) -> list[str]:
    return [element.body for kind, element in drawn if kind == "alert"]


def exceptions(drawn: list) -> list:
    return [element for kind, element in drawn if kind == "exception"]


@dataclass(frozen=True)
class EditorIds:
    """The editor page's widget ids. Streamlit hashes the element type, the key and the page
    (`_compute_element_id`), plus, for a grid with addable rows, its data and column config:
    the grid's id is learned from a local-edit server over the same sample, the rest computed."""

    page_hash: str
    grid: str

    def button(self, key: str) -> str:
        return _compute_element_id("button", key, active_script_hash=self.page_hash)

    @property
    def save(self) -> str:
        return self.button("save-" + self.grid.split("-", 2)[2])

    @property
    def upload(self) -> str:
        return _compute_element_id("file_uploader", f"upload-{ATACAMA}-{TABLE}", max_upload_size=None,
                                   type=["csv", "txt", "xlsx"], accept_multiple_files=False,
                                   active_script_hash=self.page_hash)

    @property
    def restore(self) -> str:
        return self.button(f"history-{ATACAMA}-{TABLE}-button")


@dataclass(frozen=True)
class Served:
    """A running server and the data folder it edits."""

    url: str
    data: Path


@pytest.fixture(scope="module")
def local_server(tmp_path_factory):
    """`make run`'s mode (PLAN_LOCAL_EDIT=1): anyone who reaches the app may edit."""
    folder = tmp_path_factory.mktemp("local")
    serving = serve_sample(folder, "local", PLAN_LOCAL_EDIT="1")
    yield Served(next(serving), folder / "local" / "data")
    next(serving, None)  # stops the server


@pytest.fixture(scope="module")
def editor_ids(local_server) -> EditorIds:
    """Learned once per module, before the local server's data is edited (the grid's id depends on it)."""

    async def learn() -> EditorIds:
        forger = Forger(local_server.url)
        try:
            await forger.open("editor")
            grid = next(element.id for kind, element in forger.drawn if kind == "dataframe")
            ids = EditorIds(forger.page_hash, grid)
            assert ids.upload in ids_of(forger.drawn)
            assert ids.save in ids_of(await forger.forge({grid: EDIT}))  # drawn once an edit is pending
            return ids
        finally:
            await forger.close()

    return asyncio.run(learn())


@dataclass
class Step:
    name: str
    drawn: list
    files: dict[str, str]


async def attack(url: str, data: Path, ids: EditorIds) -> tuple[list[Step], bytes]:
    """Every write path of the editor page driven by forged messages, from a session that never
    unlocked anything; what was drawn and the data folder after each step, and the uploaded file."""
    forger = Forger(url, query_string=f"{access.UNLOCKED_KEY}=Mallory&{access.PASSWORD_KEY}=guess")
    steps = []
    original = (data / ATACAMA / f"{TABLE}.csv").read_bytes()
    uploaded = original.replace("Shanghái".encode(), b"Shanghai")

    async def step(name: str, states: dict | None = None) -> None:
        drawn = forger.drawn if states is None else await forger.forge(states)
        steps.append(Step(name, drawn, snapshot(data)))

    try:
        await forger.open("editor")  # a deep link to the editor (on a fresh server: its first request)
        await step("deep link")
        await step("grid edit", {ids.grid: EDIT})
        await step("save click", {ids.grid: EDIT, ids.save: True})
        upload = await forger.upload("activities.csv", uploaded)
        await step("upload", {ids.upload: upload})
        confirm = ids.button(f"confirm-{upload.uploaded_file_info[0].file_id}")
        await step("upload confirm click", {ids.upload: upload, confirm: True})
        await step("restore click", {ids.restore: True})
        await step("unlock key as a widget", {f"$$ID-{'0' * 32}-{access.UNLOCKED_KEY}": "Mallory"})
        await forger.clear_cache()
        await step("cache cleared", {ids.grid: EDIT, ids.save: True})
        # Last: Streamlit fails every later run of a session that sent a state under a non-element id.
        await step("unlock key as a raw id", {access.UNLOCKED_KEY: "Mallory"})
    finally:
        await forger.close()
    return steps, uploaded


def assert_nothing_reached(steps: list[Step], before: dict[str, str], notice) -> None:
    for step in steps:
        assert step.files == before, step.name
        assert editor_parts(step.drawn) == [], step.name
        if step.name == "unlock key as a raw id":
            # Streamlit cannot read a widget state whose id is no element id: this session's runs fail,
            # with no details shown (client.showErrorDetails = "none") and nothing granted.
            assert all(REDACTED in e.message and not e.stack_trace for e in exceptions(step.drawn))
        else:
            assert exceptions(step.drawn) == [] and notice(step.drawn), step.name


def test_forged_editor_messages_do_save_on_a_local_edit_server(local_server, editor_ids):
    # The control: the very same messages are a working attack where the access check lets anyone in,
    # so on the other servers only that check stops them.
    original = sha((local_server.data / ATACAMA / f"{TABLE}.csv").read_bytes())
    steps, uploaded = asyncio.run(attack(local_server.url, local_server.data, editor_ids))
    csv_after = {step.name: step.files[f"{ATACAMA}/{TABLE}.csv"] for step in steps}
    assert csv_after["grid edit"] == original
    assert csv_after["save click"] not in (original, sha(uploaded))
    assert csv_after["upload confirm click"] == sha(uploaded)
    assert csv_after["restore click"] == original  # the oldest version, the default choice
    assert exceptions(steps[0].drawn) == []


def test_forged_editor_messages_change_nothing_on_a_read_only_link(server, editor_ids, tmp_path):
    data = tmp_path / "viewer" / "data"
    before = snapshot(data)
    steps, _uploaded = asyncio.run(attack(server, data, editor_ids))
    assert_nothing_reached(steps, before, lambda drawn: any("solo lectura" in a for a in alerts(drawn)))


async def submit_password(url: str, password: str) -> list:
    """A new session types `password` into the editor's form and submits it."""
    forger = Forger(url)
    try:
        await forger.open("editor")
        submit = next(element.id for kind, element in forger.drawn if kind == "button" and element.is_form_submitter)
        return await forger.forge({forger.widgets[access.NAME_KEY]: "Mallory",
                                  forger.widgets[access.PASSWORD_KEY]: password, submit: True})
    finally:
        await forger.close()


def asks_password(drawn: list) -> bool:
    return any(kind == "text_input" and element.id.endswith(access.PASSWORD_KEY) for kind, element in drawn)


def test_forged_editor_messages_change_nothing_on_a_password_link_without_the_password(editor_server, editor_ids,
                                                                                       tmp_path):
    data = tmp_path / "editor" / "data"
    before = snapshot(data)
    steps, _uploaded = asyncio.run(attack(editor_server, data, editor_ids))
    assert_nothing_reached(steps, before, asks_password)
    wrong = asyncio.run(submit_password(editor_server, "pisco-sour-2"))
    assert "Contraseña incorrecta." in alerts(wrong) and editor_parts(wrong) == []
    assert snapshot(data) == before
    # The forged ids are this server's own: the session that types the password gets that very grid.
    assert editor_ids.grid in ids_of(asyncio.run(submit_password(editor_server, EDITOR_PASSWORD)))


# --------------------------------------------------------------------------- hosting settings


def test_config_toml_is_hardened_for_a_shared_link():
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    server, client = config["server"], config["client"]
    assert server["enableXsrfProtection"] is True and server["enableCORS"] is True
    assert server["allowedHosts"] and "*" not in server["allowedHosts"]  # an empty list accepts any Host
    assert server["maxUploadSize"] <= 20 and server["headless"] is True
    assert server["enableAgentApi"] is False  # drives the app over plain HTTP when on
    assert "trustedUserHeaders" not in server and "corsAllowedOrigins" not in server
    assert "developmentMode" not in config.get("global", {})  # dev mode accepts every origin
    assert client["showErrorDetails"] == "none" and client["toolbarMode"] == "viewer"


async def websocket_answer(url: str, host: str = "127.0.0.1", origin: str | None = None) -> int:
    """101 when this server opens a websocket for a request naming `host` (and coming from `origin`),
    else the HTTP status refusing it."""
    port = urlsplit(url).port
    with socket.create_connection(("127.0.0.1", port)) as sock:  # this server, whatever name the request gives
        try:
            async with connect(f"ws://{host}:{port}/_stcore/stream", sock=sock, origin=origin,
                               subprotocols=["streamlit"], open_timeout=30):
                return 101
        except InvalidStatus as refused:
            return refused.response.status_code


def test_the_server_enforces_hosts_origins_xsrf_and_the_upload_size(server):
    with requests.get(f"{server}/_stcore/health", timeout=10) as health:
        assert health.status_code == 200 and health.text == "ok"
    assert asyncio.run(websocket_answer(server)) == 101
    # DNS rebinding: a page on another name that resolves to this server gets no session (allowedHosts)...
    assert asyncio.run(websocket_answer(server, host="evil.example")) == 403
    # ...and a page on another origin cannot open one either (CORS).
    assert asyncio.run(websocket_answer(server, origin="http://evil.example")) == 403
    # The agent API (a way to drive the app over plain HTTP) is off.
    with requests.post(f"{server}/_stcore/agent/interact", json={}, timeout=10) as agent:
        assert agent.status_code == 403

    async def uploads() -> list[int]:
        forger = Forger(server)
        try:
            await forger.open("overview")
            state = await forger.upload("ok.csv", b"a\n1\n")  # with the XSRF token: accepted
            path = state.uploaded_file_info[0].file_urls.upload_url
            return [await asyncio.to_thread(put_file, server, path, b"a\n1\n", xsrf=False),
                    await asyncio.to_thread(put_file, server, path, b"x" * (21 * 1024 * 1024))]
        finally:
            await forger.close()

    assert asyncio.run(uploads()) == [403, 413]  # no XSRF token; over maxUploadSize (20 MB)


# --------------------------------------------------------------------------- secrets and git

SECRET_NAMES = ("editor_password", "cookie_secret", "client_secret", "PLAN_EDITOR_PASSWORD")
SECRET_ASSIGNMENT = re.compile(rf"\b({'|'.join(SECRET_NAMES)})\s*[:=]\s*(['\"])(.*?)\2")


def secret_assignments(text: str) -> list[str]:
    """Secrets written into a file: one of the app's secret names (secrets.toml keys, the password's
    environment variable) given a quoted value by `=` or `:`, unless the value is a placeholder:
    empty, an ellipsis ("..."), <angle brackets>, a $reference, or words with spaces ("a long
    passphrase"; a real secret is one token)."""
    found = []
    for match in SECRET_ASSIGNMENT.finditer(text):
        value = match.group(3)
        if not (value == "" or "..." in value or "…" in value or value.startswith(("<", "$")) or " " in value):
            found.append(match.group(0))
    return found


def test_the_secret_rule_catches_a_real_value_and_lets_placeholders_pass():
    # Names spliced in, so that this file holds no secret assignment itself.
    password, cookie, client, variable = SECRET_NAMES
    assert secret_assignments(f'{password} = "Pisco!2021"\n{cookie}: \'f3a9c1\'') == [
        f'{password} = "Pisco!2021"', f"{cookie}: 'f3a9c1'"]
    assert secret_assignments(f'{variable}="s3cr3t" make run') == [f'{variable}="s3cr3t"']
    assert secret_assignments(f'{password} = "a long passphrase"\n{client} = "..."\n'
                              f'{cookie} = "<random>"\n{variable}="$PASSWORD"') == []


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=False)


def test_no_secret_is_tracked_and_secrets_files_are_ignored():
    tracked = git("ls-files", "-z").stdout.split("\0")
    assert "app.py" in tracked  # git answered
    names = [name for name in tracked if re.search(r"(^|/)(secrets\.toml|\.env(\..*)?)$|\.(pem|key)$", name)]
    assert names == []
    leaks = {}
    for name in tracked:
        path = REPO / name
        if name and path.is_file() and path.stat().st_size < 2_000_000:
            try:
                found = secret_assignments(path.read_text(encoding="utf-8"))
            except UnicodeDecodeError:
                continue  # binary
            if found:
                leaks[name] = found
    assert leaks == {}
    for name in (".streamlit/secrets.toml", "secrets.toml", ".env", ".env.local", "server.key", "tls/cert.pem"):
        assert git("check-ignore", "-q", "--no-index", name).returncode == 0, name


# --------------------------------------------------------------------------- SQL from constants only

SQL_CALLS = {"execute", "executemany", "sql", "query"}
# Builders reviewed by hand: their SQL joins identifiers of plan.model.models (table, column and alias names),
# constant regexes and literals; every value from a file or a person is a bound parameter. A call to a
# listed builder counts as constant SQL, and the SQL calls inside one are not checked again.
REVIEWED = {
    ("plan.data.sql_reader", "_select_sql"): "model columns, constant regexes; paths, delimiter, skip bound",
    ("plan.data.sql_reader", "_create_alias_table"): "alias_<model field>",
    ("plan.data.sql_reader", "plans_breaking_rules"): "key and reference columns of a model table",
    ("plan.data.sql_reader", "plans_repeating_keys"): "key columns of a model table",
    ("plan.model.schema", "create_table_sql"): "model columns and their DuckDB types",
    # The demo's own output path (quotes doubled). DuckDB 2.0 binds `COPY ... TO ?`: could be bound.
    ("plan.data.demo_files", "write_outcomes"): "demo output path",
}


@dataclass
class Scope:
    """Where a piece of SQL text is read: a module, maybe one of its functions, and the arguments a
    call gave that function's parameters (name -> (expression, the caller's Scope))."""

    module: str
    function: ast.FunctionDef | ast.AsyncFunctionDef | None = None
    bound: dict | None = None  # None: the function is read for every call of it


def own_nodes(node):
    """Every node in `node`'s own code; a function nested in it is code of its own."""
    stack = list(ast.iter_child_nodes(node))
    while stack:
        child = stack.pop()
        if not isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            yield child
            stack.extend(ast.iter_child_nodes(child))


class SqlRule:
    """Which SQL texts may reach `.execute()`, `.executemany()`, `.sql()` or `.query()` in plan/:

    - string literals, and names bound at module level to allowed text (here or imported from
      another plan module);
    - f-strings, `+`, `%` and `.format` whose every part is allowed text, or a schema name:
      `<x>.table.name` / `table.name` (a plan.model.models Table) or anything imported from plan.model.models
      (e.g. `Sector.PISCO.value`);
    - a local name whose every assignment is allowed text; `a if c else b` of allowed texts;
    - SQLAlchemy's `text(...)` of allowed text (the PostgreSQL plan store);
    - a call to a plan function whose returned text is allowed with the call's arguments in place
      of its parameters (e.g. `queries._most_relevant(ACTIVITY_LIST, ...)`), or to a REVIEWED builder;
    - a parameter of the enclosing function when every call of that function, in any module, passes
      allowed text there (a helper such as `queries.frame(con, sql, ...)`).
    Anything else (a function's argument from outside, a loop variable, a file's content) is a finding."""

    def __init__(self, sources: dict[str, str]):
        self.trees = {name: ast.parse(source) for name, source in sources.items()}
        self.names = {name: self._module_names(tree) for name, tree in self.trees.items()}
        self.functions = {name: {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
                          for name, tree in self.trees.items()}

    @staticmethod
    def _module_names(tree: ast.Module) -> dict:
        names = {}
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                names[node.targets[0].id] = node.value
            elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
                names[node.target.id] = node.value
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith(("plan", "sqlalchemy")):
                for alias in node.names:
                    names[alias.asname or alias.name] = (node.module, alias.name)  # imported: (module, name)
        return names

    def findings(self) -> list[str]:
        found = []
        for module, tree in self.trees.items():
            functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
            for function in [None, *functions]:
                if function is not None and (module, function.name) in REVIEWED:
                    continue
                for call in own_nodes(tree if function is None else function):
                    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                            and call.func.attr in SQL_CALLS):
                        continue
                    sql = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "query"),
                                                              None)
                    if sql is not None and not self.allowed(sql, Scope(module, function)):
                        where = function.name if function else "<module>"
                        found.append(f"{module}.{where}:{call.lineno}: {ast.unparse(sql)[:80]}")
        return found

    def allowed(self, node, scope: Scope, seen: frozenset = frozenset()) -> bool:
        if isinstance(node, ast.Constant):
            return isinstance(node.value, str | int | float)
        if isinstance(node, ast.JoinedStr):
            return all(self._part(part.value, scope, seen) for part in node.values
                       if isinstance(part, ast.FormattedValue))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Mod):
            right = node.right.elts if isinstance(node.right, ast.Tuple) else [node.right]
            return all(self._part(part, scope, seen) for part in [node.left, *right])
        if isinstance(node, ast.IfExp):
            return self.allowed(node.body, scope, seen) and self.allowed(node.orelse, scope, seen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
            return all(self._part(part, scope, seen)
                       for part in [node.func.value, *node.args, *(k.value for k in node.keywords)])
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and self._is_text(node.func.id, scope):
            return len(node.args) == 1 and not node.keywords and self.allowed(node.args[0], scope, seen)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            return self._allowed_call(node, scope, seen)
        if isinstance(node, ast.Name):
            return self._allowed_name(node.id, scope, seen)
        return False

    def _is_text(self, name: str, scope: Scope) -> bool:
        """`name` is SQLAlchemy's `text`: it wraps a SQL text, which must be allowed itself."""
        return self.names[scope.module].get(name) == ("sqlalchemy", "text")

    def _part(self, node, scope: Scope, seen: frozenset) -> bool:
        return self.allowed(node, scope, seen) or self._schema_name(node, scope.module)

    def _allowed_name(self, name: str, scope: Scope, seen: frozenset) -> bool:
        if scope.bound and name in scope.bound:
            given, caller = scope.bound[name]
            return self.allowed(given, caller, seen)
        function = scope.function
        if function is not None:
            parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args, *function.args.kwonlyargs)]
            if name in parameters:  # and not given by the call being read (`bound`): every call must give text
                return scope.bound is None and self._callers_pass_allowed(scope, name, parameters.index(name), seen)
            assigned = [n.value for n in own_nodes(function) if isinstance(n, ast.Assign)
                        and any(isinstance(t, ast.Name) and t.id == name for t in n.targets)]
            if assigned or self._bound_otherwise(function, name):
                return bool(assigned) and not self._bound_otherwise(function, name) and all(
                    self.allowed(value, scope, seen) for value in assigned)
        value = self.names[scope.module].get(name)
        if value is None or (scope.module, name) in seen:
            return False
        seen = seen | {(scope.module, name)}
        if isinstance(value, tuple):  # imported from another plan module
            origin, original = value
            return origin in self.names and self._allowed_name(original, Scope(origin), seen)
        return self.allowed(value, Scope(scope.module), seen)

    def _allowed_call(self, call: ast.Call, scope: Scope, seen: frozenset) -> bool:
        """A builder's result: every `return` of the function, read with this call's arguments."""
        imported = self.names[scope.module].get(call.func.id)
        target = imported if isinstance(imported, tuple) else (scope.module, call.func.id)
        if target in REVIEWED:
            return True
        function = self.functions.get(target[0], {}).get(target[1])
        if function is None or target in seen or any(isinstance(a, ast.Starred) for a in call.args):
            return False
        arguments = function.args
        positional = [a.arg for a in (*arguments.posonlyargs, *arguments.args)]
        defaults = dict(zip(positional[len(positional) - len(arguments.defaults):], arguments.defaults, strict=True))
        defaults |= {a.arg: d for a, d in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True) if d}
        bound = {name: (given, Scope(target[0])) for name, given in defaults.items()}
        bound |= {name: (given, scope) for name, given in zip(positional, call.args, strict=False)}
        bound |= {k.arg: (k.value, scope) for k in call.keywords if k.arg}
        returns = [n.value for n in own_nodes(function) if isinstance(n, ast.Return) and n.value is not None]
        inner = Scope(target[0], function, bound)
        return bool(returns) and all(self.allowed(value, inner, seen | {target}) for value in returns)

    @staticmethod
    def _bound_otherwise(function, name: str) -> bool:
        """Bound by a loop, `with`, augmented assignment or walrus: a value that is not one text."""
        for node in own_nodes(function):
            targets = []
            if isinstance(node, ast.For | ast.AsyncFor | ast.comprehension | ast.AugAssign | ast.NamedExpr):
                targets = [node.target]
            elif isinstance(node, ast.withitem) and node.optional_vars is not None:
                targets = [node.optional_vars]
            if any(isinstance(n, ast.Name) and n.id == name for t in targets for n in ast.walk(t)):
                return True
        return False

    def _callers_pass_allowed(self, scope: Scope, name: str, index: int, seen: frozenset) -> bool:
        """Every call of the function, in its module or any other (`queries.frame(...)`, an imported name),
        gives allowed text for parameter `name`."""
        key = (scope.module, scope.function.name, name)
        calls = list(self._calls_of(scope.module, scope.function.name))
        if not calls or key in seen:
            return False
        for module, caller, call in calls:
            given = call.args[index] if index < len(call.args) else next(
                (k.value for k in call.keywords if k.arg == name), None)
            if given is None or not self.allowed(given, Scope(module, caller), seen | {key}):
                return False
        return True

    def _calls_of(self, module: str, function: str):
        """(module, enclosing function or None, call) for every call of `module`'s `function` in the sources: by
        its name in its module or where it was imported, or as an attribute of its module (`queries.frame`)."""
        for calling, tree in self.trees.items():
            names = self.names[calling]
            called = {name for name, value in names.items() if value == (module, function)}
            if calling == module:
                called.add(function)
            modules = {name for name, value in names.items()
                       if isinstance(value, tuple) and f"{value[0]}.{value[1]}" == module}
            callers = [None, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef))]
            for caller in callers:
                for node in own_nodes(tree if caller is None else caller):
                    if not isinstance(node, ast.Call):
                        continue
                    if (isinstance(node.func, ast.Name) and node.func.id in called) or (
                            isinstance(node.func, ast.Attribute) and node.func.attr == function
                            and isinstance(node.func.value, ast.Name) and node.func.value.id in modules):
                        yield calling, caller, node

    def _schema_name(self, node, module: str) -> bool:
        """`table.name`, `<x>.table.name`, or an attribute chain on a name imported from plan.model.models."""
        if isinstance(node, ast.Attribute) and node.attr == "name":
            owner = node.value
            if (isinstance(owner, ast.Name) and owner.id == "table") or (
                    isinstance(owner, ast.Attribute) and owner.attr == "table"):
                return True
        while isinstance(node, ast.Attribute):
            node = node.value
        imported = isinstance(node, ast.Name) and self.names[module].get(node.id)
        return isinstance(imported, tuple) and imported[0] == "plan.model.models"


def plan_sources() -> dict[str, str]:
    modules = {}
    for path in sorted((REPO / "plan").rglob("*.py")):
        parts = path.relative_to(REPO).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path.read_text(encoding="utf-8")
    return modules


PLANTED = '''
from sqlalchemy import text

from plan.model.models import Sector
from plan import outlook

ACTIVE = "SELECT * FROM activities WHERE status <> 'cancelled'"
PISCO = f"SELECT * FROM pisco_campaigns WHERE sector = '{Sector.PISCO.value}'"


def _limited(listing, order="id"):
    return f"SELECT * FROM ({listing}) ORDER BY {order} LIMIT $rows"


LISTED = _limited(ACTIVE)


def fine(con, table, plan_id):
    sql = "SELECT count(*) FROM plan"
    con.execute(LISTED, {"rows": 10})
    con.execute(_limited(PISCO, order="plan_id"), {"rows": 10})
    con.execute(PISCO + " AND plan_id = ?", [plan_id])
    con.execute(f"SELECT count(*) FROM {table.name} WHERE plan_id = $plan", {"plan": plan_id})
    return con.execute(sql).fetchall()


def by_market(con, market):
    return con.execute(f"SELECT * FROM activities WHERE list_contains(markets, '{market}')").df()


def by_title(con, title):
    return con.sql("SELECT * FROM activities WHERE title = '" + title + "'")


def by_office(con, office):
    return con.query("SELECT * FROM plan WHERE office = '%s'" % office)


def by_year(con, year):
    return con.execute("SELECT * FROM plan WHERE year = {}".format(year)).df()


def by_status(con, status):
    sql = f"SELECT * FROM activities WHERE status = '{status}'"
    return con.execute(sql).df()


def _run(con, sql):
    return con.execute(sql).df()


def by_id(con, activity_id):
    return _run(con, f"SELECT * FROM activities WHERE id = '{activity_id}'")


def each_table(con, names):
    for name in names:
        con.execute("DELETE FROM " + name)


def by_order(con, order):
    return con.execute(_limited(ACTIVE, order), {"rows": 10}).df()


def stored(con, plan_id, editor):
    con.execute(text("SELECT * FROM plan_files WHERE plan_id = :plan"), {"plan": plan_id})
    return con.execute(text(f"SELECT * FROM plan_versions WHERE editor = '{editor}'")).all()
'''


# A helper that runs the SQL it is given, and modules calling it: by its module's name, by an imported name.
HELPER = '''
LISTED = "SELECT * FROM activities"


def _run(con, sql):
    return con.execute(sql).df()
'''
CALLER = '''
from plan import planted
from plan.planted import LISTED, _run as run


def listed(con):
    return run(con, LISTED), planted._run(con, "SELECT count(*) FROM plan")
'''
HOSTILE_CALLER = '''
from plan import planted


def by_note(con, note):
    return planted._run(con, "SELECT * FROM activities WHERE notes = '" + note + "'")
'''


def test_the_sql_rule_finds_sql_built_from_input():
    findings = SqlRule({"plan.planted": PLANTED}).findings()
    assert [f.split(":")[0] for f in findings] == [
        "plan.planted.by_market", "plan.planted.by_title", "plan.planted.by_office", "plan.planted.by_year",
        "plan.planted.by_status", "plan.planted._run", "plan.planted.each_table", "plan.planted.by_order",
        "plan.planted.stored"]


def test_the_sql_rule_reads_a_helpers_callers_in_every_module():
    # `_run(con, sql)` is only as safe as every call of it, wherever it is: called with constant text from
    # another module it is allowed; one call with a person's text, from a third module, makes it a finding.
    assert SqlRule({"plan.planted": HELPER}).findings() == ["plan.planted._run:6: sql"]  # no caller: unknown
    assert SqlRule({"plan.planted": HELPER, "plan.caller": CALLER}).findings() == []
    found = SqlRule({"plan.planted": HELPER, "plan.caller": CALLER, "plan.hostile": HOSTILE_CALLER}).findings()
    assert found == ["plan.planted._run:6: sql"]


def test_no_module_of_plan_builds_sql_from_input():
    rule = SqlRule(plan_sources())
    assert {"plan.view.queries", "plan.data.database", "plan.data.loader", "plan.data.sql_reader",
            "plan.data.store_postgres"} <= set(rule.trees)
    assert rule.findings() == []
    assert set(REVIEWED) <= {(module, name) for module, names in rule.functions.items() for name in names}


def test_ruff_checks_sql_built_from_strings():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    assert "S608" in config["tool"]["ruff"]["lint"]["select"]


# --------------------------------------------------------------------------- the viewer's DuckDB connection

HOSTILE = ("'); DROP TABLE activities; --", "MEX') OR TRUE OR ('", "\\'; SELECT * FROM read_text('/etc/passwd'); --")


@pytest.fixture
def built(sample_dir, tmp_path) -> Path:
    db = tmp_path / "plan.duckdb"
    database.build(sample_dir, db, derive=outlook.derive)
    return db


# test_database.py covers read_csv/read_text/glob of the plan's own files, ATTACH, COPY/EXPORT, INSTALL/LOAD
# httpfs, SET/RESET and writes; these are the other ways out.
@pytest.mark.parametrize("statement", [
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT content FROM read_blob('/etc/passwd')",
    "SELECT * FROM read_json('/etc/hostname')",
    "SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')",
    "SELECT getenv('PLAN_EDITOR_PASSWORD')",
    "CREATE SECRET leak (TYPE s3, KEY_ID 'a', SECRET 'b')",
    "LOAD '/tmp/evil.duckdb_extension'",
    "SET allowed_directories = ['/']",
])
def test_the_viewer_connection_reaches_no_file_network_or_environment(built, statement):
    with database.reader(built) as con:
        with pytest.raises(duckdb.Error):
            con.execute(statement).fetchall()


FILTERED_QUERIES = [f for module in (queries, outcome_queries)
                    for _name, f in inspect.getmembers(module, inspect.isfunction)
                    if f.__module__ == module.__name__ and not f.__name__.startswith("_")
                    and list(inspect.signature(f).parameters)[1:2] == ["filters"]]


def answers(query, con, value: str, plan_ids: tuple[str, ...]) -> list[pd.DataFrame]:
    """`query` with `value` in every text filter, and with `value` as the only plan."""
    everywhere = Filters(plan_ids=plan_ids, markets=(value,), sectors=(value,), types=(value,),
                         modalities=(value,), statuses=(value,))
    return [query(con, everywhere), query(con, Filters(plan_ids=(value,)))]


@pytest.mark.parametrize("query", FILTERED_QUERIES, ids=lambda f: f.__name__)
def test_a_hostile_filter_value_is_only_a_value(built, query):
    # A value typed into a link (?market=...) that would change the SQL if pasted into it: the query
    # answers exactly as for any unknown code, and every table is still whole.
    with database.reader(built) as con:
        plan_ids = tuple(queries.plans(con)["plan_id"])
        expected = answers(query, con, "zzz", plan_ids)
        for value in HOSTILE:
            for got, want in zip(answers(query, con, value, plan_ids), expected, strict=True):
                pd.testing.assert_frame_equal(got, want)
        assert len(queries.activity_list(con, Filters(plan_ids=plan_ids, markets=("MEX",)))) > 0  # filters work
    assert database.verify(built)


# --------------------------------------------------------------------------- downloads

FORMULAS = ["=HYPERLINK(\"http://x\",\"clic\")", "+54 9 11", "-2+3", "@SUM(A1)", "\tTab", "\r=1+1"]
SPLIT = "nota\r=HYPERLINK(\"http://x\")"  # a spreadsheet starts a row at a bare "\r": the formula would run


def cells(raw: bytes, delimiter: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("lang", ["es", "en"])
def test_a_chart_table_download_neutralizes_formulas_in_both_languages(lang):
    # plan.ui.table's "Download CSV" under every chart (csv_bytes): not tested elsewhere.
    frame = pd.DataFrame({"=titulo()": [*FORMULAS, SPLIT], "monto": [-1.5, 2, -3, 4, 5, 6, 7]})
    rows = cells(csv_bytes(frame, lang), ";" if lang == "es" else ",")
    assert rows[0] == ["'=titulo()", "monto"]
    assert [row[0] for row in rows[1:]] == ["'" + text for text in FORMULAS] + [SPLIT]
    assert [row[1] for row in rows[1:]][:3] == (["-1,5", "2,0", "-3,0"] if lang == "es" else ["-1.5", "2.0", "-3.0"])


@pytest.mark.parametrize("spanish_excel", [True, False])
def test_a_table_download_neutralizes_every_formula_start_in_both_dialects(spanish_excel):
    # test_editing covers "=" and "-" through the editor's round trip; here every start Excel runs, and a
    # bare "\r" inside a text (the plain dialect wrote it unquoted: a new row began there).
    frame = pd.DataFrame({"@id": ["A-1"] * (len(FORMULAS) + 1), "title": [*FORMULAS, SPLIT]})
    rows = cells(table_csv(frame, spanish_excel), ";" if spanish_excel else ",")
    assert rows[0] == ["'@id", "title"]
    assert [row[1] for row in rows[1:]] == ["'" + text for text in FORMULAS] + [SPLIT]


# --------------------------------------------------------------------------- user text in the browser

PAYLOAD = ('<script>alert("xss-script")</script><img src=x onerror=alert("xss-img")> '
           '[clic](javascript:alert("xss-link")) **negrita**')


def plant_titles(data: Path, title: str) -> None:
    """Every activity of the Atacama plan gets `title`, in the CSV the server reads."""
    path = data / ATACAMA / f"{TABLE}.csv"
    rows = cells(path.read_bytes(), ",")
    position = rows[0].index("title")
    for row in rows[1:]:
        row[position] = title
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


@pytest.mark.browser
def test_hostile_titles_show_as_text_in_the_browser_and_the_report(server, browser_page, tmp_path):
    plant_titles(tmp_path / "viewer" / "data", PAYLOAD)
    page = browser_page
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    def no_markup() -> None:
        assert page.locator('img[src="x"], a[href^="javascript:"]').count() == 0
        assert page.locator("strong", has_text="negrita").count() == 0

    def table_shows_payload(screenshot: str) -> None:
        # A table draws on a canvas; its cells are also an accessibility table, hidden, with the text.
        cell = page.get_by_role("gridcell", name=PAYLOAD, exact=True, include_hidden=True).first
        cell.wait_for(state="attached", timeout=TIMEOUT)
        page.locator('[data-testid="stDataFrameResizable"]').filter(has=cell).scroll_into_view_if_needed()
        no_markup()
        save_screenshot(page, screenshot)

    page.goto(server, wait_until="domcontentloaded")
    _wait_ready(page)
    table_shows_payload("security-hostile-title-overview")  # the late activities
    page.goto(f"{server}/progress", wait_until="domcontentloaded")
    _wait_ready(page)
    page.locator(".js-plotly-plot").first.wait_for(timeout=TIMEOUT)
    assert page.locator(".js-plotly-plot text", has_text="<script>alert(").count() > 0  # the timeline's labels
    table_shows_payload("security-hostile-title-progress")  # the activity list
    with page.expect_download(timeout=TIMEOUT) as download:
        page.get_by_role("button", name="Descargar informe").click()
    report = tmp_path / "report.html"
    download.value.save_as(report)
    page.goto(report.as_uri())  # the report, opened from disk
    page.get_by_text(PAYLOAD, exact=True).first.wait_for(timeout=TIMEOUT)
    no_markup()
    save_screenshot(page, "security-hostile-title-report")
    assert dialogs == []
    assert [u for u in page.outside_requests if not u.startswith("file://")] == []
