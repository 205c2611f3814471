"""N replicas of the dashboard behind HAProxy on 127.0.0.1: the self-hosting recipe (`python -m plan serve`,
`make serve-replicas`), which the tests and the benchmark run too.

    with replicas(count, data_dir, work) as served:
        served.url        the load balancer: sticky sessions (a cookie), WebSockets passed through
        served.servers    each replica: its own process, database file and local copy of the plan store

With $PLAN_STORE_URL set, every replica reads and saves through the same PostgreSQL store (the durable,
shared one); without it they share the plan folders of `data_dir`, which suits one machine only.
"""

import contextlib
import re
import shutil
import string
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from plan.serve.server import Server, free_port, running, serve

TEMPLATE = Path(__file__).with_name("haproxy.cfg")


@dataclass(frozen=True)
class Replicas:
    url: str
    servers: list[Server]
    log: Path  # HAProxy's log: one line per request, naming the replica that served it

    def served_by(self) -> list[str]:
        """The replica of every request logged so far, in order."""
        return re.findall(r" replicas/(replica\d+) ", self.log.read_text(encoding="utf-8", errors="replace"))


def haproxy_config(address: str, port: int, servers: list[Server]) -> str:
    """The template with this run's frontend and replicas filled in."""
    lines = [f"    server replica{index} {server.url.removeprefix('http://')} cookie replica{index}"
             for index, server in enumerate(servers, start=1)]
    return string.Template(TEMPLATE.read_text(encoding="utf-8")).substitute(
        address=address, port=port, servers="\n".join(lines))


@contextlib.contextmanager
def balancer(servers: list[Server], folder: Path, port: int | None = None) -> Iterator[str]:
    """HAProxy in front of `servers` until the block ends; yields its URL once it passes a page through."""
    program = shutil.which("haproxy") or "/usr/sbin/haproxy"
    if not Path(program).exists():
        raise RuntimeError("HAProxy not found: apt-get install -y haproxy (make test installs it when run as root)")
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    config = folder / "haproxy.cfg"
    config.write_text(haproxy_config("127.0.0.1", port, servers), encoding="utf-8")
    subprocess.run([program, "-c", "-q", "-f", str(config)], check=True, capture_output=True, text=True)
    url = f"http://127.0.0.1:{port}"  # its health check passes once a replica answers through it
    with running([program, "-W", "-db", "-f", str(config)], folder / "haproxy.log", url):
        yield url


@contextlib.contextmanager
def replicas(count: int, data_dir: Path, work: Path, settings: dict[str, str] | None = None,
             port: int | None = None) -> Iterator[Replicas]:
    """`count` replicas over `data_dir` (or the plan store in `settings`/the environment) behind HAProxy."""
    with contextlib.ExitStack() as stack:
        servers = []
        for index in range(1, count + 1):
            folder = work / f"replica{index}"
            folder.mkdir(parents=True, exist_ok=True)
            own = {"PLAN_CACHE_DIR": str(folder / "cache"), **(settings or {})}
            servers.append(stack.enter_context(serve(data_dir, folder / "plan.duckdb", folder / "server.log", own)))
        url = stack.enter_context(balancer(servers, work / "haproxy", port))
        yield Replicas(url, servers, work / "haproxy" / "haproxy.log")
