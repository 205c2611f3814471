"""First loads of the overview against Streamlit's own cost, driven the same way in one run.

    bare      a title and ten metric cards (floor_apps/bare.py): what any Streamlit page costs
    replay    the overview's elements as a real first load sent them, replayed with no query, no cache and
              no element to build (floor_apps/replay.py; captured by `capture` from the dashboard in this run)
    overview  the dashboard's home page

Each runs on a freshly started server: WARM_LOADS first loads one after the other (the caches a real
server has filled by the time a link is shared), then a burst of BURST first loads at once; the burst's
p95 is the figure, and the server's CPU time per load of the burst beside it (what the machine's other work
does not inflate). The apps alternate within a repetition so the machine's noise hits all three. The
overview's gap to its replay is this project's code and the building of its elements (tables formatted
for the language, cards); its gap to the bare app adds what the page shows.

`first_page_cold` compares a newcomer's first page in a fresh process (AppTest: imports, database check,
queries): the overview against a naive pandas + `st.cache_data` dashboard over the same CSVs
(floor_apps/naive.py), alternating.
"""

import asyncio
from pathlib import Path

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from plan.bench import pages, viewers
from plan.serve import server

FLOORS = Path(__file__).resolve().parent / "floor_apps"
APPS = {"bare": "bare app (a title, ten metric cards)", "replay": "static replay of the overview",
        "overview": "overview"}
SCRIPTS = {"bare": FLOORS / "bare.py", "replay": FLOORS / "replay.py", "overview": server.APP}
NAIVE = FLOORS / "naive.py"
WARM_LOADS = 5
BURST = 30


async def capture(url: str, out: Path) -> int:
    """Record what the overview's first load draws into `out` (length-prefixed messages); how many. Each is
    kept without its hash, so the replaying server computes it as it does for any element."""
    viewer = viewers.Viewer(url, recorded=[])
    try:
        await viewer.open("")
    finally:
        await viewer.close()
    with out.open("wb") as file:
        for received in viewer.recorded:
            message = ForwardMsg()
            message.ParseFromString(received)
            message.ClearField("hash")
            message.metadata.cacheable = False
            serialized = message.SerializeToString()
            file.write(len(serialized).to_bytes(4, "big") + serialized)
    return len(viewer.recorded)


def measure(data_dir: Path, db_path: Path, work: Path, repetitions: int, log, burst: int = BURST,
            warm: int = WARM_LOADS) -> dict:
    """p50/p95 of a burst of first loads for the bare app, the overview's replay and the overview, side by
    side; the ratios the targets read."""
    replay_file = work / "overview-replay.pb"
    runs: dict[str, list[dict]] = {name: [] for name in APPS}
    captured = 0
    for repetition in range(repetitions):
        order = list(APPS) if repetition % 2 else list(reversed(APPS))  # the overview first: the replay's capture
        for name in order:
            settings = {"PLAN_REPLAY_FILE": str(replay_file)}
            with server.serve(data_dir, db_path, work / f"floor-{name}.log", settings, app=SCRIPTS[name]) as running:
                if name == "overview" and repetition == 0:
                    captured = asyncio.run(capture(running.url, replay_file))
                asyncio.run(viewers.first_loads(running.url, 0, warm))
                cpu_before = running.cpu_s()
                runs[name].append(asyncio.run(viewers.first_loads(running.url, burst)))
                runs[name][-1]["cpu_ms_per_load"] = 1000 * (running.cpu_s() - cpu_before) / burst
            log(f"first loads {repetition + 1}/{repetitions}, {name}: p95 {runs[name][-1]['p95_s']} s")
    result = {name: {"p50_s": viewers.median([run["p50_s"] for run in found]),
                     "p95_s": viewers.median([run["p95_s"] for run in found]),
                     "cpu_ms_per_load": round(viewers.median([run["cpu_ms_per_load"] for run in found]), 1),
                     "errors": sum(run["errors"] for run in found)} for name, found in runs.items()}
    overview, replay, bare = (result[name]["p95_s"] for name in ("overview", "replay", "bare"))
    return result | {"burst": burst, "warm_loads": warm, "captured_messages": captured,
                     "replay_bytes": replay_file.stat().st_size, "overview_over_replay": round(overview / replay, 2),
                     "overview_over_bare": round(overview / bare, 2), "replay_over_bare": round(replay / bare, 2),
                     "cpu_overview_over_replay": round(result["overview"]["cpu_ms_per_load"]
                                                       / result["replay"]["cpu_ms_per_load"], 2)}


def first_page_cold(data_dir: Path, db_path: Path, repetitions: int) -> dict:
    """Median seconds of the first run in a fresh process: the overview and the naive dashboard, alternating."""
    runs: dict[str, list[float]] = {"overview": [], "naive": []}
    for _ in range(repetitions):
        runs["overview"].append(pages.measure(data_dir, db_path, "pages/overview.py", 0)["cold_s"])
        runs["naive"].append(pages.measure(data_dir, db_path, "", 0, app=NAIVE)["cold_s"])
    result = {name: viewers.median(found) for name, found in runs.items()}
    return {"overview_s": result["overview"], "naive_s": result["naive"], "runs": repetitions,
            "overview_over_naive": round(result["overview"] / result["naive"], 2)}
