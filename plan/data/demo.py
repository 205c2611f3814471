"""Deterministic synthetic plan data in the canonical CSV format, for tests and benchmarks.

Real plans are few, small and not ours to publish, yet the loader and the dashboard must be
exercised on many offices, many years and millions of outcome rows. `write_demo` writes a
data folder of plan folders that are valid by construction against every rule of
`plan.model.models`, in the canonical format (UTF-8 without BOM, `,` delimiter, field codes as
header in model order, ISO dates, plain point-decimal numbers, enum codes, `|`-joined lists,
empty cell for None, LF line endings).

Scales: "sample" (2 offices x 1 year, a few thousand outcome rows per plan) and "national"
(ProChile's 16 regional offices x 2016-2025, over 5 million monthly export rows by market
and sector). Same scale and seed give byte-identical files: every plan folder draws from its
own `numpy.random.default_rng([seed, folder_index])` (a seed sequence, so neighbouring seeds
do not share streams) and nothing depends on the clock. The bulk outcomes are built as numpy
arrays and written by DuckDB's `COPY`.

Year-end projections learn from an office's earlier years and are backtested on the national demo,
so each office keeps a record of its own across its years (`office_traits`: share of activities
done, postponed or cancelled, how late in the year its activities bunch, new exporters a month),
exports and new exporters are seasonal, the current year holds nothing known only after its
status date, and targets come from what is scheduled, never from the drawn results. The
parameters and why: docs/demo-data.md.

    python -m plan demo --scale national --out OUT_DIR [--seed 0]
"""

import datetime as dt
import json
import math
import re
import shutil
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np

from plan.data import demo_files
from plan.data.demo_offices import (
    MARKETS,
    PARTNERS,
    PISCO_MARKETS,
    REGIONS,
    REGIONS_BY_SLUG,
    SECTORS,
    YEAR_SPREAD,
    OfficeTraits,
    Region,
    done_chance,
    office_traits,
)
from plan.data.files import is_temporary_for, write_atomically
from plan.model.countries import country_name
from plan.model.models import (
    ACTIVITIES,
    FIRM_EXPORTS,
    OUTCOME_METRICS,
    OUTCOMES,
    PARTICIPANTS,
    PISCO_CAMPAIGNS,
    PLAN,
    STARTED,
    TABLES,
    TARGETS,
    ActivityType,
    Channel,
    Metric,
    Modality,
    Sector,
    Status,
)

VERSION = 2  # bump when the generated data changes, so that old demos are not reused
MARKER = ".demo"  # written last: scale, seed and the summary of a complete demo
PARTIAL = ".demo.partial"  # written first, removed last: the folder is an unfinished demo
# Firm-level files (firm_exports.csv, participants.csv) are not part of the demo: the impact of activities is
# measured on generated firm panels of its own (plan.impact), and the sample carries illustrative ones.
DEMO_TABLES = tuple(table for table in TABLES if table not in (FIRM_EXPORTS, PARTICIPANTS))
DEMO_FILES = frozenset(table.file_name for table in DEMO_TABLES)
FOLDER_PATTERN = re.compile(r"(?:sample|national)-[a-z0-9]+(?:-[a-z0-9]+)*-\d{4}")
CURRENT_AS_OF = dt.date(2025, 6, 30)  # status date of the last plan year; earlier years are closed
MONTHS = 12
SOURCE = "ilustrativo"


@dataclass(frozen=True)
class DemoSummary:
    """What `write_demo` wrote: plan folders, data rows per table name, CSV bytes."""

    plans: int
    rows: dict[str, int]
    bytes: int


@dataclass(frozen=True)
class Scale:
    """How much to generate: offices (region slugs), plan years, markets per grid, rows per plan."""

    name: str
    regions: tuple[str, ...]
    years: tuple[int, ...]
    markets: int
    activities: tuple[int, int]  # inclusive range per plan
    campaigns: tuple[int, int]


SCALES = {
    "sample": Scale("sample", ("atacama", "coquimbo"), (2025,), markets=20, activities=(25, 25), campaigns=(6, 6)),
    "national": Scale("national", tuple(r.slug for r in REGIONS), tuple(range(2016, 2026)), markets=len(MARKETS),
                      activities=(26, 34), campaigns=(5, 7)),
}


def folder_names(scale: str) -> list[str]:
    """Plan folder names of a scale, in folder-index order (region-major, then year)."""
    spec = _scale(scale)
    return [f"{spec.name}-{slug}-{year}" for slug in spec.regions for year in spec.years]


def reported_months(year: int) -> int:
    """Months of exports a plan year holds: all 12 for a closed year, up to its status date's month for the
    current one (no month after `as_of` is known yet)."""
    return CURRENT_AS_OF.month if year >= CURRENT_AS_OF.year else MONTHS


def exports_grid_rows(scale: str) -> int:
    """Monthly exports_usd rows of a scale: plans x reported months x markets x every sector."""
    spec = _scale(scale)
    return len(spec.regions) * sum(map(reported_months, spec.years)) * spec.markets * len(SECTORS)


def national_outcome_rows() -> int:
    """Lower bound of the national outcome rows (the exports grid; a few dozen more per plan)."""
    return exports_grid_rows("national")


def write_demo(out_dir: Path, scale: str = "sample", seed: int = 0) -> DemoSummary:
    """Write the demo plan folders of `scale` into `out_dir` and return what was written.

    `out_dir` may be missing, empty, or hold a previous demo (its `.demo` or `.demo.partial`
    marker plus plan folders holding only plan CSVs); that demo is replaced. Anything else in
    it raises ValueError before a file is touched. If the marker of a complete demo with the
    same scale, seed and generator version is there and the files still have their recorded
    sizes, nothing is rewritten and the recorded summary is returned. The `.demo` marker is
    written last, so a folder without it (or with `.demo.partial`) is not a complete demo.
    """
    spec = _scale(scale)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, not {seed!r}")
    out_dir = Path(out_dir)
    previous = _previous_demo(out_dir)
    reused = _reusable(out_dir, spec.name, seed)
    if reused is not None:
        return reused
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / PARTIAL).write_text(json.dumps({"scale": spec.name, "seed": seed}) + "\n", encoding="utf-8")
    for entry in previous:
        if entry.name == MARKER or is_temporary_for(entry, out_dir / MARKER):
            entry.unlink()
        elif entry.name != PARTIAL:
            shutil.rmtree(entry)

    rows = {table.name: 0 for table in DEMO_TABLES}
    total_bytes = 0
    folders = folder_names(spec.name)
    with duckdb.connect() as con:
        for index, folder in enumerate(folders):
            written = _write_plan(con, out_dir / folder, spec, folder, seed, index)
            for name, (count, size) in written.items():
                rows[name] += count
                total_bytes += size
    summary = DemoSummary(plans=len(folders), rows=rows, bytes=total_bytes)
    marker = {"version": VERSION, "scale": spec.name, "seed": seed, "plans": summary.plans,
              "rows": summary.rows, "bytes": summary.bytes, "folders": folders}
    write_atomically(out_dir / MARKER, (json.dumps(marker, indent=1) + "\n").encode("utf-8"))
    (out_dir / PARTIAL).unlink()
    return summary


def _scale(scale: str) -> Scale:
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; expected one of {', '.join(SCALES)}")
    return SCALES[scale]


# What the folder store keeps beside plans it saved (history, locks, digest state): a benchmark saves into its
# demo, and the next run that regenerates the demo replaces them with it.
STORE_LEFTOVERS = (".history", ".locks", ".state")


def _previous_demo(out_dir: Path) -> list[Path]:
    """Entries of `out_dir` that belong to a previous demo; ValueError if anything else is there."""
    if not out_dir.exists():
        return []
    if not out_dir.is_dir() or out_dir.is_symlink():
        raise ValueError(f"{out_dir} is not a directory")
    entries = sorted(out_dir.iterdir())
    if entries and not any(entry.name in (MARKER, PARTIAL) for entry in entries):
        raise ValueError(f"{out_dir} is not empty and holds no demo marker ({MARKER}); refusing to overwrite it")
    for entry in entries:
        if entry.is_symlink():
            raise ValueError(f"{entry} is a symbolic link, not part of a demo; refusing to overwrite {out_dir}")
        if (entry.name in (MARKER, PARTIAL) or is_temporary_for(entry, out_dir / MARKER)) and entry.is_file():
            continue
        if entry.is_dir() and entry.name in STORE_LEFTOVERS:
            continue
        if entry.is_dir() and FOLDER_PATTERN.fullmatch(entry.name) and all(
            child.is_file() and not child.is_symlink() and child.name in DEMO_FILES for child in entry.iterdir()
        ):
            continue
        raise ValueError(f"{entry} is not part of a demo; refusing to overwrite {out_dir}")
    return entries


def _reusable(out_dir: Path, scale: str, seed: int) -> DemoSummary | None:
    """The recorded summary if `out_dir` holds the complete demo of this scale and seed."""
    marker = out_dir / MARKER
    if not marker.is_file() or (out_dir / PARTIAL).exists():
        return None
    try:
        data = json.loads(marker.read_text(encoding="utf-8"))
        if (data["version"], data["scale"], data["seed"]) != (VERSION, scale, seed):
            return None
        if data["folders"] != folder_names(scale) or {p.name for p in out_dir.iterdir()} != {MARKER, *data["folders"]}:
            return None
        paths = [out_dir / folder / name for folder in data["folders"] for name in sorted(DEMO_FILES)]
        if not all(path.is_file() for path in paths) or sum(p.stat().st_size for p in paths) != data["bytes"]:
            return None
        return DemoSummary(plans=data["plans"], rows={k: int(v) for k, v in data["rows"].items()}, bytes=data["bytes"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


# --- one plan folder -------------------------------------------------------------------------


def _write_plan(con, folder_dir: Path, spec: Scale, folder: str, seed: int, index: int) -> dict[str, tuple[int, int]]:
    """Generate and write one plan folder; (rows, bytes) per table name."""
    region = REGIONS_BY_SLUG[folder.removeprefix(f"{spec.name}-").rsplit("-", 1)[0]]
    year = int(folder.rsplit("-", 1)[1])
    rng = np.random.default_rng([seed, index])
    as_of = CURRENT_AS_OF if year >= CURRENT_AS_OF.year else dt.date(year, 12, 31)
    markets = MARKETS[: spec.markets]
    priority = [markets[i] for i in sorted(rng.choice(min(15, len(markets)), size=5, replace=False))]
    traits = office_traits(seed, region)
    record = replace(traits, done_share=float(np.clip(traits.done_share + rng.normal(0, YEAR_SPREAD), 0.5, 0.97)))

    campaigns = _campaigns(rng, region, year, as_of, int(rng.integers(spec.campaigns[0], spec.campaigns[1] + 1)),
                           record)
    count = int(rng.integers(spec.activities[0], spec.activities[1] + 1))
    activities = _activities(rng, region, year, as_of, count, priority, campaigns, record)
    cents, mean = _exports(rng, region, year, markets, priority, reported_months(year))
    extra = _extra_outcomes(rng, year, activities, traits)
    plan_row = {
        "office": f"ProChile {region.name}", "agency": "ProChile", "country": "CHL", "year": year, "as_of": as_of,
        "priority_markets": priority, "priority_sectors": list(region.sectors),
        "notes": f"Datos sintéticos de plan.data.demo (escala {spec.name}, semilla {seed})", "source": SOURCE,
    }
    targets = _targets(rng, year, markets, priority, region, mean, activities, campaigns, traits)

    folder_dir.mkdir()
    written = {
        PLAN.name: demo_files.write_rows(folder_dir / PLAN.file_name, PLAN.model, [plan_row]),
        ACTIVITIES.name: demo_files.write_rows(folder_dir / ACTIVITIES.file_name, ACTIVITIES.model, activities),
        PISCO_CAMPAIGNS.name: demo_files.write_rows(folder_dir / PISCO_CAMPAIGNS.file_name, PISCO_CAMPAIGNS.model,
                                                    campaigns),
        TARGETS.name: demo_files.write_rows(folder_dir / TARGETS.file_name, TARGETS.model, targets),
    }
    written[OUTCOMES.name] = demo_files.write_outcomes(con, folder_dir / OUTCOMES.file_name, year, cents, extra,
                                                       [a["id"] for a in activities])
    return written


def _usd(amount: float) -> Decimal:
    """A non-negative amount as an exact two-decimal Decimal."""
    return Decimal(max(0, round(float(amount) * 100))).scaleb(-2)


def _scaled(count: int, factor: float | None) -> int | None:
    return None if factor is None else round(count * float(factor))


def _pick(rng: np.random.Generator, options: tuple, weights: tuple[float, ...]):
    probabilities = np.asarray(weights, dtype=float)
    return options[int(rng.choice(len(options), p=probabilities / probabilities.sum()))]


STILL_OPEN = 0.3  # of the current year's activities not done by their planned end, those not yet postponed or cancelled


def _schedule(rng: np.random.Generator, year: int, duration: tuple[int, int], as_of: dt.date, record: OfficeTraits,
              modality: Modality):
    """(status, planned_start, planned_end, actual_start, actual_end) consistent with `as_of`: the start bunches
    late with the office's skew; what ended by `as_of` is done with the year's record (by modality), else
    postponed or cancelled with the office's split (or, in the current year, still open)."""
    days = int(rng.integers(duration[0], duration[1] + 1))
    first = dt.date(year, 1, 1)
    span = (dt.date(year, 12, 31) - first).days
    start = first + dt.timedelta(days=min(span - days, int(rng.beta(record.skew, 1.0) * (span - days + 1))))
    end = start + dt.timedelta(days=days)
    if end <= as_of:
        if rng.random() < done_chance(record.done_share, modality):
            status = Status.DONE
        elif as_of < dt.date(year, 12, 31) and rng.random() < STILL_OPEN:
            status = _pick(rng, (Status.IN_PROGRESS, Status.PLANNED), (1, 1))
        else:
            status = Status.POSTPONED if rng.random() < record.postponed_share else Status.CANCELLED
    elif start <= as_of:
        status = _pick(rng, (Status.IN_PROGRESS, Status.PLANNED, Status.POSTPONED), (0.7, 0.2, 0.1))
    else:
        status = _pick(rng, (Status.PLANNED, Status.POSTPONED, Status.CANCELLED), (0.9, 0.05, 0.05))
    actual_start = actual_end = None
    if status in STARTED:
        actual_start = min(start + dt.timedelta(days=int(rng.integers(0, 3))), as_of)
    if status is Status.DONE:
        length = max(0, days + int(rng.integers(-1, 3)))
        actual_end = max(actual_start, min(actual_start + dt.timedelta(days=length), as_of))
    return status, start, end, actual_start, actual_end


CAMPAIGN_PROGRESS = {Status.DONE: (0.6, 1.4), Status.IN_PROGRESS: (0.1, 0.6)}  # x a campaign's targets
CAMPAIGN_SPENT_CAP = 1.05  # x its budget


def _campaigns(rng, region: Region, year: int, as_of: dt.date, count: int, record: OfficeTraits) -> list[dict]:
    markets = [PISCO_MARKETS[i] for i in rng.choice(len(PISCO_MARKETS), size=count, replace=False)]
    rows = []
    for number, market in enumerate(markets, start=1):
        channel = _pick(rng, tuple(Channel), (3, 2, 3, 1, 1, 2))
        modality = Modality.VIRTUAL if channel is Channel.DIGITAL else _pick(
            rng, (Modality.IN_PERSON, Modality.HYBRID), (0.8, 0.2))
        status, start, end, actual_start, actual_end = _schedule(rng, year, (14, 120), as_of, record, modality)
        budget = float(rng.integers(100, 800)) * 100
        reach = int(rng.integers(5, 500)) * 1000 if channel is Channel.DIGITAL else int(rng.integers(2, 80)) * 100
        contacts, meetings = int(rng.integers(20, 300)), int(rng.integers(5, 60))
        deals = float(rng.integers(5, 100)) * 10_000
        progress = rng.uniform(*CAMPAIGN_PROGRESS[status]) if status in CAMPAIGN_PROGRESS else None
        rows.append({
            "id": f"{region.code}-{year % 100:02d}-P{number:02d}",
            "name": f"Pisco {channel.label_es.lower()} en {country_name(market)}",
            "market": market, "channel": channel, "status": status, "modality": modality,
            "planned_start": start, "planned_end": end, "actual_start": actual_start, "actual_end": actual_end,
            "budget_usd": _usd(budget),
            "spent_usd": None if progress is None else _usd(budget * min(progress, CAMPAIGN_SPENT_CAP)),
            "reach_target": reach, "reach_actual": _scaled(reach, progress),
            "contacts_target": contacts, "contacts_actual": _scaled(contacts, progress),
            "meetings_target": meetings, "meetings_actual": _scaled(meetings, progress),
            "deals_target_usd": _usd(deals),
            "deals_actual_usd": _usd(deals * progress) if status is Status.DONE else None,
            "source": SOURCE,
        })
    return rows


SPENT_SHARE = {Status.IN_PROGRESS: (0.2, 0.7), Status.DONE: (0.75, 1.08)}  # x an activity's budget
ACTIVITY_TYPES = tuple(ActivityType)
ACTIVITY_WEIGHTS = (0.22, 0.15, 0.12, 0.15, 0.15, 0.11, 0.10)
DURATION = {ActivityType.ROUNDTABLE: (0, 2), ActivityType.TRADE_MISSION: (4, 9), ActivityType.INBOUND_VISIT: (2, 5),
            ActivityType.FAIR: (2, 4), ActivityType.WEBINAR: (0, 0), ActivityType.TRAINING: (0, 1),
            ActivityType.MARKET_INTELLIGENCE: (30, 90)}
BUDGET_HUNDREDS = {ActivityType.ROUNDTABLE: (80, 400), ActivityType.TRADE_MISSION: (200, 600),
                   ActivityType.INBOUND_VISIT: (150, 500), ActivityType.FAIR: (400, 1200),
                   ActivityType.WEBINAR: (5, 30), ActivityType.TRAINING: (20, 100),
                   ActivityType.MARKET_INTELLIGENCE: (50, 250)}
BUSINESS = frozenset({ActivityType.ROUNDTABLE, ActivityType.TRADE_MISSION, ActivityType.INBOUND_VISIT,
                      ActivityType.FAIR})


def _modality(rng, kind: ActivityType, year: int) -> Modality:
    if kind in (ActivityType.WEBINAR, ActivityType.MARKET_INTELLIGENCE):
        return Modality.VIRTUAL
    if kind is ActivityType.TRAINING:
        return _pick(rng, (Modality.VIRTUAL, Modality.HYBRID, Modality.IN_PERSON), (0.5, 0.3, 0.2))
    weights = (0.7, 0.1, 0.2) if year in (2020, 2021) else (0.15, 0.1, 0.75)
    return _pick(rng, (Modality.VIRTUAL, Modality.HYBRID, Modality.IN_PERSON), weights)


def _activities(rng, region: Region, year: int, as_of: dt.date, count: int, priority: list[str],
                campaigns: list[dict], record: OfficeTraits) -> list[dict]:
    rows = []
    for number in range(1, count + 1):
        campaign = campaigns[int(rng.integers(len(campaigns)))] if campaigns and rng.random() < 0.25 else None
        if campaign:
            kind = _pick(rng, (ActivityType.FAIR, ActivityType.INBOUND_VISIT, ActivityType.ROUNDTABLE,
                               ActivityType.WEBINAR), (3, 2, 2, 1))
            markets, sectors = [campaign["market"]], [Sector.PISCO]
        else:
            kind = _pick(rng, ACTIVITY_TYPES, ACTIVITY_WEIGHTS)
            pool = priority if rng.random() < 0.7 else MARKETS[:40]
            markets = [pool[i] for i in rng.choice(len(pool), size=int(rng.integers(1, 4)), replace=False)]
            sectors = [region.sectors[i] for i in sorted(rng.choice(len(region.sectors), size=int(
                rng.integers(1, 3)), replace=False))]
        modality = _modality(rng, kind, year)
        status, start, end, actual_start, actual_end = _schedule(rng, year, DURATION[kind], as_of, record, modality)
        budget = float(rng.integers(*BUDGET_HUNDREDS[kind])) * 100
        row = {
            "id": f"{region.code}-{year % 100:02d}-{number:02d}",
            "title": f"{kind.label_es} {sectors[0].label_es.lower()} en {country_name(markets[0])}",
            "type": kind, "modality": modality, "status": status,
            "planned_start": start, "planned_end": end, "actual_start": actual_start, "actual_end": actual_end,
            "markets": markets, "sectors": sectors,
            "partners": [PARTNERS[i] for i in rng.choice(len(PARTNERS), size=int(rng.integers(0, 3)), replace=False)],
            "budget_usd": _usd(budget), "campaign_id": campaign["id"] if campaign else None, "source": SOURCE,
        }
        if status in SLIPPED_REASONS:  # what a director reads in the late table's "why" (no draw: same data)
            reasons = SLIPPED_REASONS[status]
            row["notes"] = reasons[number % len(reasons)]
        if status in SPENT_SHARE:
            row["spent_usd"] = _usd(budget * rng.uniform(*SPENT_SHARE[status]))
        if status is Status.DONE:
            row.update(_participation(rng, kind))
        rows.append(row)
    return rows


SLIPPED_REASONS = {
    Status.POSTPONED: ("Postergada por agenda de la contraparte.", "Postergada a la espera de cofinanciamiento.",
                       "Postergada por baja inscripción de empresas."),
    Status.CANCELLED: ("Cancelada por el organizador.", "Cancelada: sin presupuesto disponible."),
}


# What a done activity brings (`rng.integers` bounds, high excluded; `rng.uniform` bounds): `_participation` draws
# from these and `_per_event_mean` derives a target's expectations from the same figures.
EXPORTERS_DRAWN = {ActivityType.WEBINAR: (20, 200), ActivityType.TRAINING: (8, 40)} | dict.fromkeys(BUSINESS, (4, 30))
IMPORTERS_DRAWN = (3, 80)
MEETINGS_PER_EXPORTER = (3, 11)  # meetings requested
MEETINGS_HELD_SHARE = (0.55, 0.9)  # of those requested
NO_DEAL_CHANCE = 0.3
DEAL_LOGNORMAL = (11.5, 1.0)  # mean and sigma of log US$ closed
PROJECTED_MULTIPLE = (2, 8)  # x closed, plus PROJECTED_EXTRA
PROJECTED_EXTRA = (0, 2e5)


def _participation(rng, kind: ActivityType) -> dict:
    """Exporters, importers, meetings and deals of a finished activity (market intelligence: none)."""
    if kind not in EXPORTERS_DRAWN:
        return {}
    exporters = int(rng.integers(*EXPORTERS_DRAWN[kind]))
    if kind not in BUSINESS:
        return {"exporters": exporters}
    requested = exporters * int(rng.integers(*MEETINGS_PER_EXPORTER))
    closed = 0.0 if rng.random() < NO_DEAL_CHANCE else float(rng.lognormal(*DEAL_LOGNORMAL))
    return {
        "exporters": exporters, "importers": int(rng.integers(*IMPORTERS_DRAWN)),
        "meetings_requested": requested,
        "meetings_held": int(rng.binomial(requested, rng.uniform(*MEETINGS_HELD_SHARE))),
        "deals_closed_usd": _usd(closed),
        "deals_projected_usd": _usd(closed * rng.uniform(*PROJECTED_MULTIPLE) + rng.uniform(*PROJECTED_EXTRA)),
    }


def _integers_mean(bounds: tuple[int, int]) -> float:
    """Mean of `rng.integers(*bounds)`."""
    return (bounds[0] + bounds[1] - 1) / 2


def _uniform_mean(bounds: tuple[float, float]) -> float:
    """Mean of `rng.uniform(*bounds)`."""
    return (bounds[0] + bounds[1]) / 2


def _capped_uniform_mean(bounds: tuple[float, float], cap: float) -> float:
    """Mean of `min(rng.uniform(*bounds), cap)`."""
    low, high = bounds
    cap = min(max(cap, low), high)
    return ((cap ** 2 - low ** 2) / 2 + cap * (high - cap)) / (high - low)


def _per_event_mean(kind: ActivityType) -> dict[str, float]:
    """Mean exporters, importers, meetings held and deals of a done activity of `kind` under `_participation`'s
    draws (by metric code): what a target expects of one scheduled event, without knowing the draws."""
    if kind not in EXPORTERS_DRAWN:
        return {}
    exporters = _integers_mean(EXPORTERS_DRAWN[kind])
    if kind not in BUSINESS:
        return {Metric.EXPORTERS.value: exporters}
    closed = (1 - NO_DEAL_CHANCE) * math.exp(DEAL_LOGNORMAL[0] + DEAL_LOGNORMAL[1] ** 2 / 2)
    return {
        Metric.EXPORTERS.value: exporters, Metric.IMPORTERS.value: _integers_mean(IMPORTERS_DRAWN),
        Metric.MEETINGS_HELD.value: exporters * _integers_mean(MEETINGS_PER_EXPORTER) * _uniform_mean(
            MEETINGS_HELD_SHARE),
        Metric.DEALS_CLOSED_USD.value: closed,
        Metric.DEALS_PROJECTED_USD.value: closed * _uniform_mean(PROJECTED_MULTIPLE) + _uniform_mean(PROJECTED_EXTRA),
    }


SHIP_CHANCE = 0.9  # a traded (market, sector) ships in a given month
NOISE_SIGMA = 0.6  # month-to-month spread of a shipment (lognormal)


def _exports(rng, region: Region, year: int, markets: tuple[str, ...], priority: list[str], months: int):
    """The first `months` months' exports in cents, shape (month, market, sector), and the whole year's mean
    US$ per (market, sector) under the draws' chances (traded, shipped in a month, noise): what a target can
    aim at without knowing the draws."""
    total = region.exports_musd * 1e6 * 1.04 ** (year - 2016) * rng.lognormal(0, 0.05)
    market_weight = 1 / np.arange(1, len(markets) + 1) ** 1.2
    market_weight[[markets.index(code) for code in priority]] *= 1.5
    market_weight /= market_weight.sum()
    sector_weight = np.full(len(SECTORS), 0.02)
    for share, sector in zip((0.5, 0.25, 0.12), region.sectors, strict=False):
        sector_weight[SECTORS.index(sector)] = share
    sector_weight /= sector_weight.sum()
    month = np.arange(MONTHS)[:, None]
    peak = np.array([1 if s in (Sector.FRESH_FRUIT, Sector.NUTS) else 6 for s in SECTORS])[None, :]
    amplitude = np.array([0.8 if s in (Sector.FRESH_FRUIT, Sector.NUTS, Sector.HONEY) else 0.15 for s in SECTORS])
    season = 1 + amplitude[None, :] * np.cos(2 * math.pi * (month - peak) / MONTHS)
    season /= season.sum(axis=0, keepdims=True)
    expected = total * market_weight[:, None] * sector_weight[None, :]
    share = market_weight[:, None] * sector_weight[None, :]
    trade_chance = np.clip(0.05 + 1.5 * np.sqrt(share / share.max()), 0, 1)
    traded = rng.random(share.shape) < trade_chance
    shipped = rng.random((months, *share.shape)) < SHIP_CHANCE
    noise = rng.lognormal(0, NOISE_SIGMA, (months, *share.shape))
    values = season[:months, None, :] * expected[None, :, :] * noise * (traded[None] & shipped)
    mean = expected * trade_chance * SHIP_CHANCE * math.exp(NOISE_SIGMA ** 2 / 2)
    return np.rint(values * 100).astype(np.int64), mean


NEW_EXPORTERS_PEAK = 11  # month: firms that met buyers at the year's fairs (late in the year) start exporting
NEW_EXPORTERS_AMPLITUDE = 0.6
NEW_EXPORTERS_SEASON = 1 + NEW_EXPORTERS_AMPLITUDE * np.cos(2 * math.pi * (np.arange(1, MONTHS + 1)
                                                                         - NEW_EXPORTERS_PEAK) / MONTHS)  # mean 1


def _extra_outcomes(rng, year: int, activities: list[dict], traits: OfficeTraits) -> list[dict]:
    """The few non-export outcome rows: new exporters by month (Poisson, the office's mean in its season), yearly
    firms, follow-up deals; none in a month after the plan's status date."""
    last_month = reported_months(year)
    counts = rng.poisson(traits.new_exporters * NEW_EXPORTERS_SEASON[:last_month])
    rows = [{"metric": Metric.NEW_EXPORTERS, "month": m, "value": int(count)}
            for m, count in enumerate(counts, start=1)]
    rows.append({"metric": Metric.EXPORTERS, "value": int(rng.integers(80, 400))})
    rows.append({"metric": Metric.IMPORTERS, "value": int(rng.integers(40, 300))})
    for activity in activities:
        if activity["status"] is Status.DONE and activity["type"] in BUSINESS and activity["actual_end"].month < 12:
            month = min(last_month, activity["actual_end"].month + int(rng.integers(1, 4)))
            if month > activity["actual_end"].month:
                rows.append({"metric": Metric.DEALS_CLOSED_USD, "month": month, "market": activity["markets"][0],
                             "sector": activity["sectors"][0], "activity_id": activity["id"],
                             "value": float(rng.lognormal(10.5, 1.0))})
    assert all(row["metric"].value in OUTCOME_METRICS for row in rows)
    return rows


TARGET_GROWTH = (0.85, 1.2)  # a plan's ambition: x every target's expectation


def _targets(rng, year: int, markets: tuple[str, ...], priority: list[str], region: Region, mean: np.ndarray,
             activities: list[dict], campaigns: list[dict], traits: OfficeTraits) -> list[dict]:
    """The plan's targets, drawn apart from the results they are compared with: what is scheduled (activities by
    type and modality, campaigns, their budgets) times the mean figures the draws aim at (`_per_event_mean`, the
    spend and campaign progress shares) times the office's done share (`office_traits`, not the year's draw),
    and exports from the `mean` US$ per (market, sector); all times one growth drawn per plan, so some plans
    fall short and some exceed (derived from drawn results, every plan met its exporters target)."""
    def target(metric: Metric, value: float, market: str | None = None, sector: Sector | None = None) -> dict:
        amount = _usd(value) if metric.is_usd else round(float(value))
        return {"metric": metric, "year": year, "market": market, "sector": sector, "target": amount,
                "source": SOURCE}

    growth = rng.uniform(*TARGET_GROWTH)
    expected = dict.fromkeys((Metric.ACTIVITIES_DONE, Metric.BUDGET_SPENT_USD, Metric.EXPORTERS, Metric.IMPORTERS,
                              Metric.MEETINGS_HELD, Metric.DEALS_CLOSED_USD, Metric.DEALS_PROJECTED_USD,
                              Metric.PISCO_REACH), 0.0)
    for activity in activities:
        chance = done_chance(traits.done_share, activity["modality"])
        expected[Metric.ACTIVITIES_DONE] += chance
        expected[Metric.BUDGET_SPENT_USD] += chance * float(activity["budget_usd"]) * _uniform_mean(
            SPENT_SHARE[Status.DONE])
        for metric, value in _per_event_mean(activity["type"]).items():
            expected[Metric(metric)] += chance * value
    progress = _uniform_mean(CAMPAIGN_PROGRESS[Status.DONE])
    for campaign in campaigns:
        chance = done_chance(traits.done_share, campaign["modality"])
        expected[Metric.BUDGET_SPENT_USD] += chance * float(campaign["budget_usd"]) * _capped_uniform_mean(
            CAMPAIGN_PROGRESS[Status.DONE], CAMPAIGN_SPENT_CAP)
        expected[Metric.DEALS_CLOSED_USD] += chance * float(campaign["deals_target_usd"]) * progress
        expected[Metric.PISCO_REACH] += chance * campaign["reach_target"] * progress
    expected[Metric.NEW_EXPORTERS] = traits.new_exporters * NEW_EXPORTERS_SEASON.sum()
    rows = [target(Metric.EXPORTS_USD, mean.sum() * growth)]
    rows += [target(Metric.EXPORTS_USD, mean[markets.index(m)].sum() * growth, market=m) for m in priority]
    rows += [target(Metric.EXPORTS_USD, mean[:, SECTORS.index(s)].sum() * growth, sector=s) for s in region.sectors]
    rows += [target(metric, value * growth) for metric, value in expected.items()]
    return rows
