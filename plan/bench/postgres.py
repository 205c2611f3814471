"""A throwaway PostgreSQL server from Debian's `postgresql` package, for the tests and the benchmark.

    with LocalPostgres() as server:    initdb in a temporary folder, start on 127.0.0.1 and a free port
        server.url                     postgresql+psycopg://plan:<password>@127.0.0.1:<port>/plan
        server.create_database(name)   another database on the same server (one per test)
        server.stop(); server.start()  the database goes away and comes back: same folder, port and URL

Logins need the password (scram-sha-256), so a wrong one fails as it would in production. PostgreSQL refuses
to run as root: as root, initdb and pg_ctl run as the `postgres` user (runuser). Readiness is polled with
pg_isready, never waited for by the clock. Durability is switched off (fsync): the data is thrown away.
"""

import glob
import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from plan.serve.server import free_port


class PostgresMissing(RuntimeError):
    """Debian's postgresql package is not installed (`make test` installs it when run as root)."""


def bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<N>/bin holding initdb (or $PG_BINDIR)."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[-3]))
    if found:
        return Path(found[-1]).parent
    if shutil.which("initdb"):
        return Path(shutil.which("initdb")).parent
    raise PostgresMissing("PostgreSQL not found: apt-get install -y postgresql (or set PG_BINDIR)")


class LocalPostgres:
    def __init__(self, user: str = "plan", database: str = "plan", start_timeout: float = 60.0):
        self.user, self.database, self.start_timeout = user, database, start_timeout
        self.password = secrets.token_urlsafe(16)
        self.port = free_port()
        self.bin = bin_dir()
        self.folder = Path(tempfile.mkdtemp(prefix="plan-postgres-"))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.running = False
        self._initdb()

    def url_of(self, database: str, password: str | None = None) -> str:
        return (f"postgresql+psycopg://{quote(self.user, safe='')}:{quote(password or self.password, safe='')}"
                f"@127.0.0.1:{self.port}/{database}")

    @property
    def url(self) -> str:
        return self.url_of(self.database)

    def _run(self, program: str, *args: str, check: bool = True, **env: str) -> subprocess.CompletedProcess:
        as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run([*as_postgres, str(self.bin / program), *args], capture_output=True, text=True,
                              check=check, env={**os.environ, "LC_ALL": "C.UTF-8", **env})

    def _initdb(self) -> None:
        if os.geteuid() == 0:
            owner = pwd.getpwnam("postgres")
            os.chown(self.folder, owner.pw_uid, owner.pw_gid)
        password_file = self.folder / "password"
        password_file.write_text(self.password + "\n")
        if os.geteuid() == 0:
            os.chown(password_file, owner.pw_uid, owner.pw_gid)
        try:
            self._run("initdb", "-D", str(self.data), "-U", self.user, f"--pwfile={password_file}",
                      "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--no-sync")
        except subprocess.CalledProcessError as error:
            raise RuntimeError(f"initdb failed: {error.stderr}") from None
        finally:
            password_file.unlink(missing_ok=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                       f"unix_socket_directories = '{self.folder}'\n"
                       "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")

    def _ready(self) -> bool:
        return self._run("pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port), "-d", "postgres", "-t", "1",
                         check=False).returncode == 0

    def start(self) -> None:
        if self.running:
            return
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-W", "start")
        deadline = time.monotonic() + self.start_timeout
        pause = 0.005
        while not self._ready():
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL did not start: {self.log.read_text(errors='replace')[-2000:]}")
            time.sleep(pause)  # a short poll, not a wait for a duration
            pause = min(pause * 2, 0.1)
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", check=False)
            self.running = False

    def create_database(self, name: str) -> str:
        """A new empty database on this server; returns its URL."""
        result = self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name,
                           check=False, PGPASSWORD=self.password)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise RuntimeError(f"createdb failed: {result.stderr}")
        return self.url_of(name)

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> "LocalPostgres":
        try:
            self.start()
            self.create_database(self.database)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()
