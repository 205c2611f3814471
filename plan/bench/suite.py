"""The benchmark run: every measurement, the targets, results.json and results.md (see `plan.bench`)."""

import asyncio
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

from plan import outlook
from plan.bench import build, floors, impact, live, pages, reports, scaleout, viewers
from plan.data import database, demo
from plan.serve import server
from plan.ui import PAGES

BASE = "sample"
LIMITS = {"build": 3.0, "warm": 2.0, "cold": 4.0, "memory": 2.0, "viewers_p95": 4.0, "viewer_errors": 0,
          "save_visible": 4.0, "save_vs_build": 0.3, "replicas_burst": 0.7, "overview_vs_replay": 1.1,
          "cold_vs_naive": 1.0, "live_delay_s": 15.0, "live_idle_core_share": 0.10}
WARM_RUNS = 5
FULL_CROWD = viewers.Crowd()
QUICK_CROWD = viewers.Crowd(active=2, idle=3, burst=3, seconds=3.0, think_s=(0.2, 0.5), choices_per_page=2)


def page_files() -> list[tuple[str, str, str]]:
    """(name, file, url path a browser asks for) of every page the app serves; the overview is the home page at /."""
    return [(path, file, "" if path == "overview" else path) for file, path, _icon in PAGES]


def _stats(seconds: list[float]) -> dict:
    return {"median_s": round(statistics.median(seconds), 4), "min_s": round(min(seconds), 4),
            "max_s": round(max(seconds), 4), "runs_s": [round(s, 4) for s in seconds]}


def _machine() -> dict:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {"cores": os.cpu_count(), "memory_gib": round(memory / 2**30, 1), "platform": platform.platform(),
            "python": platform.python_version(),
            "versions": {name: version(name) for name in ("duckdb", "pandas", "plotly", "pyarrow", "streamlit")}}


def _target(name: str, ratio: float | None, limit: float) -> dict:
    return {"name": name, "ratio": None if ratio is None else round(ratio, 2), "limit": limit,
            "met": ratio is not None and ratio <= limit}


def _measure_pages(datasets: dict[str, tuple[Path, Path]], repetitions: int, warm_runs: int, log) -> dict:
    """Per page and scale: cold runs (one process each) and warm runs; scales alternate so noise hits both."""
    runs = {name: {scale: {"cold": [], "warm": []} for scale in datasets} for name, _, _ in page_files()}
    for repetition in range(repetitions):
        for name, file, _ in page_files():
            for scale, (data_dir, db_path) in datasets.items():
                measured = pages.measure(data_dir, db_path, file, warm_runs)
                runs[name][scale]["cold"].append(measured["cold_s"])
                runs[name][scale]["warm"].extend(measured["warm_s"])
                log(f"page {name} at {scale} ({repetition + 1}/{repetitions}): cold {measured['cold_s']:.2f} s, "
                    f"warm {statistics.median(measured['warm_s']):.3f} s")
    return {name: {scale: {"cold": _stats(times["cold"]), "warm": _stats(times["warm"])}
                   for scale, times in by_scale.items()} for name, by_scale in runs.items()}


async def _serve_every_page(url: str) -> list[str]:
    """Open every page in its own session, one after the other; the errors."""
    urls = [url_path for _, _, url_path in page_files()]
    opened = [viewers.Viewer(url) for _ in urls]
    try:
        _, errors = await viewers.open_all(opened, urls, concurrency=1)
    finally:
        await asyncio.gather(*(viewer.close() for viewer in opened), return_exceptions=True)
    return errors


def _measure_memory(datasets: dict[str, tuple[Path, Path]], work_dir: Path, log) -> dict:
    memory = {}
    for scale, (data_dir, db_path) in datasets.items():
        with server.serve(data_dir, db_path, work_dir / f"server-{scale}.log") as running:
            errors = asyncio.run(_serve_every_page(running.url))
            memory[scale] = {"peak_rss_mib": round(running.peak_rss_mib(), 1), "errors": len(errors)}
        log(f"memory at {scale}: peak RSS {memory[scale]['peak_rss_mib']} MiB")
    return memory


def _measure_viewers(data_dir: Path, db_path: Path, work_dir: Path, crowd: viewers.Crowd, log) -> dict:
    with server.serve(data_dir, db_path, work_dir / "server-viewers.log") as running:
        urls = [url_path for _, _, url_path in page_files()]
        result = asyncio.run(viewers.run_crowd(running.url, urls, crowd))
        result["server_peak_rss_mib"] = round(running.peak_rss_mib(), 1)
    log(f"viewers: p95 {result['under_load']['p95_s']} s under load, {result['p95_over_single']}x one viewer's p95")
    return result


def _targets(scale: str, results: dict) -> list[dict]:
    build_s = {name: timing["median_s"] for name, timing in results["build"].items()}
    targets = [_target("build / plain read_csv", build_s["plan build"] / build_s["plain read_csv"], LIMITS["build"])]
    for kind in ("warm", "cold"):
        for name, by_scale in results["pages"].items():
            targets.append(_target(f"{kind} page {name}: {scale} / {BASE}",
                                   by_scale[scale][kind]["median_s"] / by_scale[BASE][kind]["median_s"], LIMITS[kind]))
    memory = results["memory"]
    targets.append(_target(f"server peak RSS: {scale} / {BASE}",
                           memory[scale]["peak_rss_mib"] / memory[BASE]["peak_rss_mib"], LIMITS["memory"]))
    crowd = results["viewers"]
    targets.append(_target("viewers: p95 filter change under load / one viewer's p95", crowd["p95_over_single"],
                           LIMITS["viewers_p95"]))
    saves = results["save_visible"]
    targets.append(_target(f"save -> visible on the saving replica: {scale} / {BASE}",
                           saves[scale]["this_replica_s"] / saves[BASE]["this_replica_s"], LIMITS["save_visible"]))
    targets.append(_target(f"save -> visible on the saving replica / whole build, at {scale}",
                           saves[scale]["this_replica_s"] / saves[scale]["whole_build_s"], LIMITS["save_vs_build"]))
    burst = results["replicas_burst"]
    targets.append(_target(f"first loads, burst of {scaleout.BURST}: p95 2 replicas / one process", burst["ratio"],
                           LIMITS["replicas_burst"]))
    errors = (crowd["single_viewer"]["filter_change"]["errors"] + crowd["under_load"]["errors"]
              + crowd["idle_open_errors"] + crowd["burst"]["errors"] + sum(m["errors"] for m in memory.values())
              + burst["one process"]["errors"] + burst["2 replicas"]["errors"])
    loads = results["first_loads"]
    targets.append(_target(f"first loads, burst of {loads['burst']}: p95 overview / its static replay",
                           loads["overview_over_replay"], LIMITS["overview_vs_replay"]))
    errors += sum(loads[name]["errors"] for name in floors.APPS)
    targets.append(_target(f"first page in a fresh process ({BASE}): overview / naive pandas dashboard",
                           results["first_page_cold"]["overview_over_naive"], LIMITS["cold_vs_naive"]))
    targets.append(_target("impact estimates of a region's plan, 2,000 firms: seconds", results["impact"]["median_s"],
                           impact.LIMIT_S))
    for name, timed in results["reports"].items():
        targets.append(_target(f"the default report as PDF, {name}: seconds", timed["pdf_s"], reports.LIMITS_S[name]))
    targets.append(_target("viewers: errors (any run, burst load not served)", errors, LIMITS["viewer_errors"]))
    return targets + _live_targets(scale, results["live"])


def _live_targets(scale: str, following: dict) -> list[dict]:
    """Open pages that follow a save, the chosen option: the slowest page's delay (a page that missed it: no
    figure, not met) and what the idle pages cost."""
    chosen = following["options"][following["chosen"]]
    slowest = chosen["delay_max_s"] if not chosen["missed"] else None
    return [_target(f"open pages ({following['chosen']}): a save shown without input, slowest page, seconds", slowest,
                    LIMITS["live_delay_s"]),
            _target(f"open pages ({following['chosen']}): {chosen['pages']} idle at {scale}, share of one core",
                    chosen["idle_core_share"], LIMITS["live_idle_core_share"])]


def run(scale: str, out_dir: Path, repetitions: int, work_dir: Path, quick: bool = False,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True)) -> dict:
    """Measure everything at `scale` against the sample, write results.json and results.md, return the results."""
    started = time.monotonic()
    summaries = {name: demo.write_demo(work_dir / f"demo-{name}", name) for name in dict.fromkeys((BASE, scale))}
    datasets = {name: (work_dir / f"demo-{name}", work_dir / f"{name}.duckdb") for name in summaries}
    log(f"demo data in {work_dir}; building {scale} ({repetitions} repetitions)")
    timings = build.measure(*datasets[scale], work_dir / "plain.duckdb", repetitions)
    if scale != BASE:
        database.build(*datasets[BASE], derive=outlook.derive)
    results = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scale": scale, "quick": quick, "repetitions": repetitions,
        "rows": summaries[scale].rows, "csv_bytes": summaries[scale].bytes,
        "base_rows": summaries[BASE].rows, "machine": _machine(),
        "build": {name: _stats(seconds) for name, seconds in timings.items()},
        "pages": _measure_pages(datasets, repetitions, 2 if quick else WARM_RUNS, log),
        "memory": _measure_memory(datasets, work_dir, log),
        "viewers": _measure_viewers(*datasets[scale], work_dir, QUICK_CROWD if quick else FULL_CROWD, log),
        "save_visible": {name: scaleout.save_visible(*datasets[name], repetitions) for name in datasets},
        "replicas_burst": scaleout.burst(*datasets[scale], work_dir, 1 if quick else repetitions, log),
        "impact": impact.measure(repetitions),
        "reports": {name: reports.measure(db_path, 1 if quick else repetitions)
                    for name, (_, db_path) in datasets.items()},
        "first_loads": floors.measure(*datasets[scale], work_dir, 1 if quick else repetitions, log,
                                      **({"burst": 3, "warm": 1} if quick else {})),
        "first_page_cold": floors.first_page_cold(*datasets[BASE], 1 if quick else max(3, repetitions)),
        "live": live.measure(*datasets[scale], work_dir, quick, log),
    }
    if scale == BASE:  # one dataset: each figure stands for both sides
        for by_scale in results["pages"].values():
            by_scale[BASE] = by_scale[scale]
    results["targets"] = _targets(scale, results)
    results["elapsed_s"] = round(time.monotonic() - started, 1)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    (out_dir / "results.md").write_text(markdown(results), encoding="utf-8")
    return results


def markdown(results: dict) -> str:
    """The results as Markdown tables: build, pages, memory, viewers, then the targets."""
    scale, machine = results["scale"], results["machine"]
    versions = ", ".join(f"{name} {value}" for name, value in machine["versions"].items())
    lines = [f"Benchmark `{scale}` against `{BASE}`{' (quick)' if results['quick'] else ''}: "
             f"{sum(results['rows'].values()):,} rows, {results['csv_bytes']:,} bytes of CSV; "
             f"{results['repetitions']} repetitions; {results['date']}; {machine['cores']} cores, "
             f"{machine['memory_gib']} GiB; Python {machine['python']}, {versions}.", "",
             "| build | median s | min s | max s |", "| --- | ---: | ---: | ---: |"]
    for name, timing in results["build"].items():
        lines.append(f"| {name} | {timing['median_s']:.3f} | {timing['min_s']:.3f} | {timing['max_s']:.3f} |")
    lines += ["", f"| page | cold {BASE} s | cold {scale} s | warm {BASE} s | warm {scale} s |",
              "| --- | ---: | ---: | ---: | ---: |"]
    for name, by_scale in results["pages"].items():
        lines.append(f"| {name} | {by_scale[BASE]['cold']['median_s']:.3f} | {by_scale[scale]['cold']['median_s']:.3f} "
                     f"| {by_scale[BASE]['warm']['median_s']:.3f} | {by_scale[scale]['warm']['median_s']:.3f} |")
    lines += ["", "| server after every page | peak RSS MiB |", "| --- | ---: |"]
    lines += [f"| {name} | {memory['peak_rss_mib']:.1f} |" for name, memory in results["memory"].items()]
    crowd = results["viewers"]
    lines += ["", f"| viewers at `{scale}` | runs | p50 s | p95 s | max s | errors |",
              "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label, figures in (("filter change, one viewer (caches filled)", crowd["single_viewer"]["filter_change"]),
                           (f"filter change, {crowd['crowd']['active']} active + {crowd['crowd']['idle']} idle",
                            crowd["under_load"]),
                           (f"first load, burst of {crowd['crowd']['burst']}", crowd["burst"])):
        lines.append(f"| {label} | {figures['count']} | {_seconds(figures['p50_s'])} | {_seconds(figures['p95_s'])} "
                     f"| {_seconds(figures['max_s'])} | {figures['errors']} |")
    lines += ["", f"Crowd p95 / one viewer's p50 (the first definition of the target): {crowd['p95_over_single_p50']}; "
              f"one viewer's own p95 / p50: {crowd['single_p95_over_p50']}."]
    lines += ["", "| save until the pages show it | this replica s | another replica: copy + rebuild s "
              "| another replica, worst (+ sync period) s | whole build s |", "| --- | ---: | ---: | ---: | ---: |"]
    for name, saves in results["save_visible"].items():
        lines.append(f"| {name} | {saves['this_replica_s']:.3f} | {saves['other_replica_rebuild_s']:.3f} "
                     f"| {saves['other_replica_worst_s']:.3f} | {saves['whole_build_s']:.3f} |")
    burst = results["replicas_burst"]
    lines += ["", f"| {scaleout.BURST} first loads at once, `{scale}` overview | p50 s | p95 s | errors |",
              "| --- | ---: | ---: | ---: |"]
    lines += [f"| {name} | {burst[name]['p50_s']:.3f} | {burst[name]['p95_s']:.3f} | {burst[name]['errors']} |"
              for name in ("one process", "2 replicas")]
    estimated = results["impact"]
    lines += ["", "| impact estimates | firm rows | monthly rows | estimates (with a figure) | median s | max s |",
              "| --- | ---: | ---: | ---: | ---: | ---: |",
              f"| {estimated['name']} | {estimated['firm_rows']:,} | {estimated['monthly_rows']:,} "
              f"| {estimated['estimates']} ({estimated['estimated']}) | {estimated['median_s']:.3f} "
              f"| {estimated['max_s']:.3f} |"]
    lines += ["", "| the default report (each office's latest plan) | plans | HTML s | PDF s | PDF bytes |",
              "| --- | ---: | ---: | ---: | ---: |"]
    lines += [f"| {name} | {timed['plans']} | {timed['html_s']:.3f} | {_seconds(timed['pdf_s'])} "
              f"| {timed['pdf_bytes']:,} |" for name, timed in results["reports"].items()]
    loads = results["first_loads"]
    lines += ["", f"| {loads['burst']} first loads at once after {loads['warm_loads']}, `{scale}` | p50 s | p95 s "
              "| p95 / bare app | server CPU ms per load | errors |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, label in floors.APPS.items():
        figures = loads[name]
        lines.append(f"| {label} | {figures['p50_s']:.3f} | {figures['p95_s']:.3f} "
                     f"| {figures['p95_s'] / loads['bare']['p95_s']:.2f} | {figures['cpu_ms_per_load']:.1f} "
                     f"| {figures['errors']} |")
    cold = results["first_page_cold"]
    lines += ["", f"| first page in a fresh process, `{BASE}` ({cold['runs']} runs each) | median s |",
              "| --- | ---: |", f"| overview | {cold['overview_s']:.3f} |",
              f"| naive pandas + st.cache_data dashboard | {cold['naive_s']:.3f} |"]
    lines += _live_markdown(results["live"], scale)
    lines += ["", "| target | ratio | limit | met |", "| --- | ---: | ---: | --- |"]
    for target in results["targets"]:
        ratio = "-" if target["ratio"] is None else f"{target['ratio']:.2f}"
        lines.append(f"| {target['name']} | {ratio} | {target['limit']:g} | {'yes' if target['met'] else 'NO'} |")
    return "\n".join(lines) + "\n"


def _live_markdown(following: dict, scale: str) -> list[str]:
    load = " ".join(f"{value:.2f}" for value in following["load_average"])
    lines = ["", f"| open overview pages at `{scale}`, idle {following['idle_window_s']:g} s, then a save "
             f"(load average after: {load}) | pages | idle server CPU, share of one core | save shown p50 s "
             "| slowest s | missed |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for name, option in following["options"].items():
        chosen = " (chosen)" if name == following["chosen"] else ""
        missed = "-" if option["missed"] is None else option["missed"]
        lines.append(f"| {name}{chosen} | {option['pages']} | {option['idle_core_share']:.3f} "
                     f"| {_seconds(option['delay_p50_s'])} | {_seconds(option['delay_max_s'])} | {missed} |")
    return lines


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"
