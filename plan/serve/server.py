"""A real `streamlit run app.py` on 127.0.0.1 (one replica; the benchmark's and the tests' server), and its memory
(and `running`, any such server).

Started as it is hosted (headless, the repository's .streamlit/config.toml), on a free
loopback port, over the given data folder and database; stopped on leaving the block.
"""

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plan.serve import APP

START_TIMEOUT_S = 60


@dataclass(frozen=True)
class Server:
    url: str
    pid: int

    def peak_rss_mib(self) -> float:
        """Highest resident memory of the server process so far (Linux `VmHWM`)."""
        return _status_kib(self.pid, "VmHWM") / 1024

    def rss_mib(self) -> float:
        return _status_kib(self.pid, "VmRSS") / 1024

    def cpu_s(self) -> float:
        """CPU time the server process has used so far (user + system): a cost the machine's other work does
        not inflate as it does a latency."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def serve(data_dir: Path, db_path: Path, log_path: Path, settings: dict[str, str] | None = None,
          app: Path = APP) -> Iterator[Server]:
    """The dashboard served from `data_dir`/`db_path` until the block ends: as a shared link, with no
    editor credential taken from this environment unless `settings` (environment variables) give one.
    `app`: another script served the same way (the benchmark's floors)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("PLAN_LOCAL_EDIT", "PLAN_EDITOR_PASSWORD")}
    env.update({"PLAN_DATA_DIR": str(data_dir), "PLAN_DB_PATH": str(db_path), **(settings or {})})
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.address", "127.0.0.1",
               "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false"]
    with running(command, log_path, url, env=env, cwd=APP.parent) as process:
        yield Server(url, process.pid)


@contextlib.contextmanager
def running(command: list[str], log_path: Path, url: str, **popen) -> Iterator[subprocess.Popen]:
    """`command` started (its output in `log_path`) and yielded once `url` answers its health check; stopped
    when the block ends."""
    with log_path.open("w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, **popen)
        try:
            _wait_healthy(url, process, log_path)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(url: str, process: subprocess.Popen, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
                if response.status == 200:
                    return
        time.sleep(0.2)  # a poll until it answers
    raise RuntimeError(f"{Path(process.args[0]).name} did not start: {log_path.read_text()[-2000:]}")
