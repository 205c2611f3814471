"""The plan store in PostgreSQL: the durable store that every app process (replica) shares.

    plan_store_schema  (id = 1, version)                  created and migrated on start, idempotently
    plan_blobs         (sha256, content)                  each content once, gzip-compressed
    plan_versions      (seq, plan_id, table_name, sha256, previous, saved_at, editor, kind, counts,
                        restored, message)                every version, in order (seq)
    plan_files         (plan_id, table_name, sha256, seq) the current version of each file (a removed file:
                                                          no row; its version has sha256 '')
    plan_state         (name, content, saved_at)          small named state that is not a plan file (added
                                                          by `init` to stores made before it: older apps
                                                          ignore it, so the schema version stays 1)

A save is one transaction under a per-plan advisory lock: the plan's current files are read (to check
the plan with the new file in place), the version is appended, and the file's row moves to it only
`WHERE sha256 = base`; zero rows updated is a conflict and the transaction rolls back, so nothing is
written. `token()` (a digest of plan_files) is the one small query a process asks every few seconds to learn
whether anything changed: not the highest seq, since a save can take its seq before another and commit after
it, and a copy that waits for the highest number to rise would never see that save. Every value is a bound
parameter; the SQL texts are module constants.
"""

import contextlib
import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy
from sqlalchemy import text

from plan.data.files import write_atomically
from plan.data.history import ABSENT, Version, now_utc, sha256
from plan.data.store_base import NotALocalCopy, StaleBase, StoreUnavailable, plan_file_names, state_name
from plan.model.models import TABLES

SCHEMA_VERSION = 1
MANIFEST = ".store-manifest.json"  # in a cache folder: what `materialize` wrote there, file by file
INIT_LOCK = 7_310_001  # advisory lock key: one process creates or migrates the tables at a time
FILE_NAME = {table.name: table.file_name for table in TABLES}

CREATE_SCHEMA = ("CREATE TABLE IF NOT EXISTS plan_store_schema (id integer PRIMARY KEY CHECK (id = 1),"
                 " version integer NOT NULL)")
CREATE_BLOBS = "CREATE TABLE IF NOT EXISTS plan_blobs (sha256 text PRIMARY KEY, content bytea NOT NULL)"
CREATE_VERSIONS = ("CREATE TABLE IF NOT EXISTS plan_versions (seq bigserial PRIMARY KEY, plan_id text NOT NULL,"
                   " table_name text NOT NULL, sha256 text NOT NULL, previous text NOT NULL, saved_at text NOT NULL,"
                   " editor text NOT NULL, kind text NOT NULL, counts jsonb NOT NULL, restored text NOT NULL,"
                   " message text NOT NULL DEFAULT '')")
CREATE_VERSIONS_INDEX = "CREATE INDEX IF NOT EXISTS plan_versions_by_file ON plan_versions (plan_id, table_name, seq)"
CREATE_FILES = ("CREATE TABLE IF NOT EXISTS plan_files (plan_id text NOT NULL, table_name text NOT NULL,"
                " sha256 text NOT NULL, seq bigint NOT NULL, PRIMARY KEY (plan_id, table_name))")
CREATE_STATE = ("CREATE TABLE IF NOT EXISTS plan_state (name text PRIMARY KEY, content bytea NOT NULL,"
                " saved_at text NOT NULL)")
SCHEMA_ROW = "INSERT INTO plan_store_schema (id, version) VALUES (1, :version) ON CONFLICT (id) DO NOTHING"
SCHEMA_VERSION_NOW = "SELECT version FROM plan_store_schema WHERE id = 1"
LOCK_INIT = "SELECT pg_advisory_xact_lock(:key)"
LOCK_PLAN = "SELECT pg_advisory_xact_lock(hashtextextended(:plan, 0))"
LOCK_STATE = "SELECT pg_advisory_xact_lock(hashtextextended('state:' || :name, 0))"
STATE = "SELECT content FROM plan_state WHERE name = :name"
PUT_STATE = ("INSERT INTO plan_state (name, content, saved_at) VALUES (:name, :content, :saved_at)"
             " ON CONFLICT (name) DO UPDATE SET content = excluded.content, saved_at = excluded.saved_at")
PLAN_FILES = ("SELECT f.table_name, b.content FROM plan_files f JOIN plan_blobs b ON b.sha256 = f.sha256"
              " WHERE f.plan_id = :plan")
ADD_BLOB = "INSERT INTO plan_blobs (sha256, content) VALUES (:sha, :content) ON CONFLICT (sha256) DO NOTHING"
ADD_VERSION = ("INSERT INTO plan_versions (plan_id, table_name, sha256, previous, saved_at, editor, kind, counts,"
               " restored, message) VALUES (:plan, :table, :sha, :previous, :saved_at, :editor, :kind,"
               " CAST(:counts AS jsonb), :restored, :message) RETURNING seq")
MOVE_FILE = ("UPDATE plan_files SET sha256 = :sha, seq = :seq"
             " WHERE plan_id = :plan AND table_name = :table AND sha256 = :base")
NEW_FILE = ("INSERT INTO plan_files (plan_id, table_name, sha256, seq) VALUES (:plan, :table, :sha, :seq)"
            " ON CONFLICT (plan_id, table_name) DO NOTHING")
REMOVE_FILE = "DELETE FROM plan_files WHERE plan_id = :plan AND table_name = :table AND sha256 = :base"
CURRENT = "SELECT plan_id, table_name, sha256 FROM plan_files ORDER BY plan_id, table_name"
VERSIONS = ("SELECT plan_id, table_name, sha256, previous, saved_at, editor, kind, counts, restored, message"
            " FROM plan_versions WHERE plan_id = :plan AND table_name = :table ORDER BY seq DESC")
ALL_VERSIONS = ("SELECT seq, plan_id, table_name, sha256, previous, saved_at, editor, kind, counts, restored,"
                " message FROM plan_versions ORDER BY seq DESC LIMIT :limit")
CONTENT = "SELECT content FROM plan_blobs WHERE sha256 = :sha"
FILES_DIGEST = ("SELECT count(*), coalesce(max(seq), 0), md5(coalesce(string_agg("
                "plan_id || '/' || table_name || '@' || seq, ',' ORDER BY plan_id, table_name), '')) FROM plan_files")
OUR_COLUMNS = ("SELECT table_name, string_agg(column_name, ',' ORDER BY column_name) FROM information_schema.columns"
               " WHERE table_schema = current_schema() AND table_name IN"
               " ('plan_store_schema', 'plan_blobs', 'plan_versions', 'plan_files', 'plan_state')"
               " GROUP BY table_name")
EXPECTED_COLUMNS = {
    "plan_store_schema": "id,version",
    "plan_blobs": "content,sha256",
    "plan_versions": "counts,editor,kind,message,plan_id,previous,restored,saved_at,seq,sha256,table_name",
    "plan_files": "plan_id,seq,sha256,table_name",
    "plan_state": "content,name,saved_at",
}


def safe_message(error: BaseException, url: sqlalchemy.URL) -> str:
    """What went wrong, with the URL's password masked wherever the driver may have echoed it."""
    first = str(getattr(error, "orig", None) or error).strip().splitlines()[0] if str(error).strip() else ""
    shown = url.render_as_string(hide_password=True)
    if url.password:
        first = first.replace(str(url.password), "***")
    return f"{shown}: {type(getattr(error, 'orig', None) or error).__name__}: {first}"


class _PostgresPlan:
    """One plan, locked for the transaction: its current files; a commit moves one file to a new version."""

    def __init__(self, con: sqlalchemy.Connection, plan_id: str):
        self.con, self.plan_id = con, plan_id
        self.files = {FILE_NAME[name]: gzip.decompress(content)
                      for name, content in con.execute(text(PLAN_FILES), {"plan": plan_id}).all()}

    def commit(self, version: Version, raw: bytes | None) -> str:
        if raw is not None:
            self.con.execute(text(ADD_BLOB), {"sha": version.sha256, "content": gzip.compress(raw, mtime=0)})
        seq = self.con.execute(text(ADD_VERSION), {
            "plan": version.plan_id, "table": version.table, "sha": version.sha256, "previous": version.previous,
            "saved_at": version.saved_at, "editor": version.editor, "kind": version.kind,
            "counts": json.dumps(version.counts), "restored": version.restored, "message": version.message,
        }).scalar_one()
        values = {"plan": version.plan_id, "table": version.table, "sha": version.sha256, "seq": seq,
                  "base": version.previous}
        statement = REMOVE_FILE if raw is None else NEW_FILE if version.previous == ABSENT else MOVE_FILE
        moved = self.con.execute(text(statement), values).rowcount
        if moved != 1:
            raise StaleBase(version.previous, sha256(self.files.get(FILE_NAME[version.table])))
        if raw is None:
            self.files.pop(FILE_NAME[version.table], None)
        else:
            self.files[FILE_NAME[version.table]] = raw
        return ""


class PostgresStore:
    kind = "postgresql"

    def __init__(self, engine: sqlalchemy.Engine):
        self.engine = engine

    @classmethod
    def from_url(cls, url: str) -> "PostgresStore":
        """An engine for `url` (postgresql+psycopg://…), short connect timeout, pooled connections checked
        before use, so a database that went away and came back is used again without a restart."""
        try:
            engine = sqlalchemy.create_engine(url, pool_pre_ping=True, pool_size=2, max_overflow=4,
                                              connect_args={"connect_timeout": 5})
        except (sqlalchemy.exc.ArgumentError, ValueError) as error:
            raise StoreUnavailable(f"not a database URL ({type(error).__name__})") from None
        return cls(engine)

    def where(self) -> str:
        """The server and database, without user or password."""
        url = self.engine.url
        return f"postgresql://{url.host or ''}{f':{url.port}' if url.port else ''}/{url.database or ''}"

    def close(self) -> None:
        """Close the pooled connections (the engine opens new ones if it is used again)."""
        self.engine.dispose()

    @contextlib.contextmanager
    def _connect(self, begin: bool = False) -> Iterator[sqlalchemy.Connection]:
        """A connection (in a transaction when `begin`); an unreachable database, wrong credentials or a
        lost connection become StoreUnavailable with a message that shows no password."""
        try:
            with (self.engine.begin() if begin else self.engine.connect()) as con:
                yield con
        except sqlalchemy.exc.DBAPIError as error:  # unreachable, refused, or a database that is not a store
            raise StoreUnavailable(safe_message(error, self.engine.url)) from None

    def init(self) -> int:
        """Create (or migrate) the tables; safe to run from several processes at once. Returns the schema
        version."""
        with self._connect(begin=True) as con:  # one transaction: a refused init leaves no table behind
            con.execute(text(LOCK_INIT), {"key": INIT_LOCK})
            foreign = {name: columns for name, columns in con.execute(text(OUR_COLUMNS)).all()
                       if columns != EXPECTED_COLUMNS[name]}
            if foreign:
                raise StoreUnavailable(
                    f"{self.where()} already has table(s) {', '.join(sorted(foreign))} that are not the plan "
                    "store's (other columns); use an empty database or another schema for the store")
            con.execute(text(CREATE_SCHEMA))
            con.execute(text(CREATE_BLOBS))
            con.execute(text(CREATE_VERSIONS))
            con.execute(text(CREATE_VERSIONS_INDEX))
            con.execute(text(CREATE_FILES))
            con.execute(text(CREATE_STATE))
            con.execute(text(SCHEMA_ROW), {"version": SCHEMA_VERSION})
            found = con.execute(text(SCHEMA_VERSION_NOW)).scalar_one()
        if found > SCHEMA_VERSION:
            raise StoreUnavailable(f"the store's tables are version {found}, newer than this app's {SCHEMA_VERSION}")
        return found

    @contextlib.contextmanager
    def saving(self, plan_id: str) -> Iterator[_PostgresPlan]:
        with self._connect(begin=True) as con:
            con.execute(text(LOCK_PLAN), {"plan": plan_id})
            yield _PostgresPlan(con, plan_id)

    def versions(self, plan_id: str, table: str) -> list[Version]:
        with self._connect() as con:
            rows = con.execute(text(VERSIONS), {"plan": plan_id, "table": table}).all()
        return [Version(*row) for row in rows]

    def log(self, limit: int = 1000) -> list[tuple[int, Version]]:
        """The latest versions of every file, newest first, with their sequence numbers."""
        with self._connect() as con:
            rows = con.execute(text(ALL_VERSIONS), {"limit": limit}).all()
        return [(row[0], Version(*row[1:])) for row in rows]

    def content(self, version: str) -> bytes | None:
        if version == ABSENT:
            return None
        with self._connect() as con:
            found = con.execute(text(CONTENT), {"sha": version}).scalar_one_or_none()
        return None if found is None else gzip.decompress(found)

    def remember(self, raw: bytes | None) -> str:
        """Contents are kept as they are saved; one seen otherwise (a conflict's) is already current here."""
        return sha256(raw)

    def token(self) -> str:
        """Changes whenever any file's current version does (a save, a removal), in whatever order saves
        commit: `<files>-<last seq>-<digest of every file's seq>`."""
        with self._connect() as con:
            files, last, digest = con.execute(text(FILES_DIGEST)).one()
        return f"{files}-{last}-{digest[:12]}"

    def current(self) -> dict[tuple[str, str], str]:
        with self._connect() as con:
            return {(plan, FILE_NAME[table]): sha for plan, table, sha in con.execute(text(CURRENT)).all()}

    def materialize(self, folder: Path) -> set[str]:
        """Write the current version of every file into `folder` where the copy there is not it (or was
        touched since); remove plan files the store no longer has. Returns the plans whose files changed.
        Each file is written whole; the manifest is written last, so a copy killed half-way is redone.
        A folder with plan files and no manifest is not a copy (data/, a pulled folder): refused, untouched."""
        manifest_path = folder / MANIFEST
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            if folder.is_dir() and any(plan_file_names(plan) for plan in folder.iterdir() if plan.is_dir()):
                raise NotALocalCopy(folder) from None
            manifest = {}  # marked as a copy before the first file lands: a first copy killed half-way is redone
            write_atomically(manifest_path, b"{}")
        except (OSError, ValueError):
            manifest = {}
        current = self.current()
        changed: set[str] = set()
        written = {}
        for (plan_id, name), sha in current.items():
            path = folder / plan_id / name
            key = f"{plan_id}/{name}"
            if manifest.get(key) != [sha, *_stat(path)]:
                raw = self.content(sha)
                write_atomically(path, raw)
                changed.add(plan_id)
            written[key] = [sha, *_stat(path)]
        for key in set(manifest) - set(written):
            plan_id, name = key.split("/", 1)
            (folder / plan_id / name).unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                (folder / plan_id).rmdir()
            changed.add(plan_id)
        if changed or written != manifest:
            write_atomically(manifest_path, json.dumps(written, sort_keys=True).encode("utf-8"))
        return changed

    def read_state(self, name: str) -> bytes | None:
        with self._connect() as con:
            return con.execute(text(STATE), {"name": state_name(name)}).scalar_one_or_none()

    def write_state(self, name: str, raw: bytes, expected: bytes | None) -> None:
        with self._connect(begin=True) as con:
            con.execute(text(LOCK_STATE), {"name": state_name(name)})
            current = con.execute(text(STATE), {"name": name}).scalar_one_or_none()
            if current != expected:
                raise StaleBase(sha256(expected), sha256(current))
            con.execute(text(PUT_STATE), {"name": name, "content": raw, "saved_at": now_utc()})


def _stat(path: Path) -> list[int]:
    try:
        stat = path.stat()
    except FileNotFoundError:
        return [-1, -1]
    return [stat.st_size, stat.st_mtime_ns]

