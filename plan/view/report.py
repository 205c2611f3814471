"""A self-contained HTML progress report of the current filters, in Spanish or English.

    render(con, filters, lang)
        header:  title, plans, filters in words, "data as of" and generation stamps
        KPIs:    kpis.overview -> overview.kpi_cards (status in words) as HTML tables
        charts:  figures of progress, mix and outcomes, plotly.js inlined once (works offline, no CDN)
        firms:   outcome_queries.exporting_firms -> firms.by_year_table (small cells confidential)
        impact:  plan.impact.results.estimates -> impact.table, per chosen plan (up to PLANS_APART)
        late:    queries.late_activities -> overview.late_table
        footer

Every text that comes from the data (titles, office names, notes) is escaped with
`html.escape`; the only scripts are plotly.js and the figures' own calls to it. No maps:
plotly.js fetches their topojson from a CDN.
"""

import datetime as dt
import html
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from plan.model.i18n import t
from plan.model.kpi_definitions import KPIS
from plan.view import firms, kpis, mix, outcome_queries, outcomes, overview, present, progress, queries
from plan.view.filters import PLANS_APART, Filters, plan_labels

CSS = """
body { font-family: "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #222; margin: 2rem auto;
       max-width: 1100px; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.25rem; border-bottom: 2px solid #0b5394; padding-bottom: .2rem; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-bottom: .3rem; }
p.meta { margin: .15rem 0; color: #444; font-size: .95rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; margin: .5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #eef3f8; }
td.number { text-align: right; white-space: nowrap; }
td.code { white-space: nowrap; }
.status { font-weight: 600; white-space: nowrap; }
.status-green { color: #38761d; } .status-orange { color: #b45f06; }
.status-red { color: #cc0000; } .status-gray { color: #666; }
.note { color: #555; font-size: .85rem; }
.definitions { font-size: .85rem; } .definitions dt { font-weight: bold; } .definitions dd { margin: 0 0 .4rem 1rem; }
figure.chart { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
footer { margin-top: 2rem; border-top: 1px solid #ccc; padding-top: .5rem; color: #555; font-size: .85rem; }
/* printed: no ligatures, so a search for `fi` finds the words that have it */
@media print { body { margin: 0; max-width: none; font-variant-ligatures: none; }
               h2 { page-break-after: avoid; break-after: avoid; }
               tr { page-break-inside: avoid; break-inside: avoid; } }
"""
PLOTLY_CONFIG = {"displaylogo": False, "responsive": True}


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _table(frame: pd.DataFrame, numeric: set[str] = frozenset(), codes: set[str] = frozenset()) -> str:
    """A DataFrame of display texts as an escaped HTML table; `codes` columns kept on one line (a printed
    narrow column would break `ATA-21-06` at its hyphens, and a search for it would miss)."""
    head = "".join(f"<th>{_e(column)}</th>" for column in frame.columns)
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(f'<td class="number">{_e(v)}</td>' if column in numeric
                        else f'<td class="code">{_e(v)}</td>' if column in codes else f"<td>{_e(v)}</td>"
                        for column, v in zip(frame.columns, values, strict=True))
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _exact(card: dict) -> str:
    """A printed report shows the exact figure, not the card's short one."""
    return card.exact or card.value


def _status(card: dict) -> str:
    behind = f" · {_e(card.behind)}" if card.behind else ""
    return f'<span class="status status-{_e(card.color)}">{_e(card.status)}</span>{behind}'


def _year_end(card) -> str:
    """A comparison cell's year end in words, on its own line ("" without one)."""
    return f"<br>{_e(card.outlook)}" if card.outlook else ""


def _kpi_detail(cards: list[dict], lang: str) -> str:
    """One plan's KPIs: actual, status in words, difference from the target to date, target, year before."""
    head = "".join(f"<th>{_e(t(key, lang))}</th>" for key in ("kpi", "actual", "status", "report_delta",
                                                                 "report_target", "previous", "year_end"))
    rows = []
    for card in cards:
        delta = f"{card.exact_delta} · {card.delta_description}" if card.exact_delta else "—"
        rows.append(f"<tr><td>{_e(card.label)}</td><td class=\"number\">{_e(_exact(card))}</td>"
                    f"<td>{_status(card)}</td><td>{_e(delta)}</td><td>{_e(card.target)}</td>"
                    f"<td>{_e(card.previous)}</td><td>{_e(card.outlook_detail or '—')}</td></tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _kpi_comparison(table: pd.DataFrame, order: list[str], labels: dict[str, str], lang: str) -> str:
    """Plans side by side (then the total): every KPI's actual with its status in words."""
    names = [labels.get(plan_id, t("alliance_total", lang)) for plan_id in order]
    cards = [overview.kpi_cards(table, plan_id, lang) for plan_id in order]
    head = f"<th>{_e(t('kpi', lang))}</th>" + "".join(f"<th>{_e(name)}</th>" for name in names)
    rows = []
    for index, first in enumerate(cards[0]):
        cells = "".join(f'<td class="number">{_e(_exact(plan_cards[index]))} · {_status(plan_cards[index])}'
                        f'{_year_end(plan_cards[index])}</td>' for plan_cards in cards)
        rows.append(f"<tr><td>{_e(first.label)}</td>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _kpi_section(con, filters: Filters, chosen: pd.DataFrame, labels: dict[str, str], lang: str,
                 today: dt.date | None) -> str:
    table = kpis.overview(con, filters, today)
    plan_ids = list(chosen["plan_id"])
    parts = [f"<h2>{_e(t('report_kpis', lang))}</h2>"]
    if len(plan_ids) > 1:
        parts += [f"<h3>{_e(t('compare_plans', lang))}</h3>",
                  _kpi_comparison(table, plan_ids + [kpis.TOTAL], labels, lang)]
    for plan_id in ([kpis.TOTAL] if len(plan_ids) > 1 else []) + plan_ids:
        parts += [f"<h3>{_e(labels.get(plan_id, t('alliance_total', lang)))}</h3>",
                  _kpi_detail(overview.kpi_cards(table, plan_id, lang), lang)]
    parts.append(f'<p class="note">{_e(overview.status_rule(chosen, labels, lang, period=filters.chooses_period))}</p>')
    parts.append(f'<p class="note">{_e(overview.outlook_note(filters.whole_plans, lang))}</p>')
    parts.append(_definitions(lang))
    return "\n".join(parts)


def _definitions(lang: str) -> str:
    """What each KPI counts and from which files (the same words as the cards' tooltips)."""
    items = "".join(f"<dt>{_e(t(f'kpi_{kpi.key}', lang))}</dt><dd>{_e(t(f'kpi_{kpi.key}_definition', lang))}</dd>"
                    for kpi in KPIS)
    return f'<h3>{_e(t("report_definitions", lang))}</h3>\n<dl class="definitions">{items}</dl>'



def figures(con, filters: Filters, labels: dict[str, str], lang: str) -> list[go.Figure]:
    """The report's charts (no maps), skipping those with nothing to draw."""
    chosen = filters.plans_in(queries.plans(con))
    drawn = []
    for build in CHARTS:
        figure = build(con, filters, chosen, labels, lang)
        if figure is not None:
            drawn.append(figure)
    return drawn


def _charts_section(figs: list[go.Figure], lang: str) -> str:
    if not figs:
        return ""
    parts = [f"<h2>{_e(t('report_charts', lang))}</h2>"]
    for index, figure in enumerate(figs):
        # plotly.js is inlined with the first figure only; the later ones call the same Plotly object.
        div = figure.to_html(full_html=False, include_plotlyjs=index == 0, config=PLOTLY_CONFIG,
                             default_width="100%")
        parts.append(f'<figure class="chart">{div}</figure>')
    return "\n".join(parts)


def _official_section(con, filters: Filters, lang: str) -> str:
    """Where imported export figures come from (and that customs' are preliminary), if any are in the report."""
    note = present.official_note(outcome_queries.official_exports(con, filters), lang)
    return f'<p class="note official">{_e(note)}</p>' if note else ""


def _firms_section(con, filters: Filters, lang: str) -> str:
    """Exporting firms by year, small cells kept confidential as on the Outcomes page; "" without firm rows."""
    counted = outcome_queries.exporting_firms(con, filters)
    if counted.empty:
        return ""
    shown, _raw = firms.by_year_table(counted, lang)
    return "\n".join([f"<h2>{_e(t('outcomes_section_firms', lang))}</h2>", _table(shown, set(shown.columns[1:])),
                      f'<p class="note">{_e(firms.note(counted, lang))}</p>'])


def _impact_section(con, chosen: pd.DataFrame, labels: dict[str, str], lang: str) -> str:
    """Each chosen plan's impact estimates (the Impact page's table), up to PLANS_APART plans; beyond, a pointer to
    the page (a national report would estimate every plan's activities)."""
    from plan.impact import inputs, results  # scipy: loaded when a report is made, not with every page
    from plan.impact.estimates import meaning
    from plan.view import impact

    parts = [f"<h2>{_e(t('page_impact', lang))}</h2>"]
    if len(chosen) > PLANS_APART:
        return "\n".join([*parts, f"<p>{_e(t('report_impact_per_plan', lang, count=PLANS_APART))}</p>"])
    levels = set()
    for plan_id in chosen["plan_id"]:
        found = results.estimates(con, plan_id)
        parts.append(f"<h3>{_e(labels[plan_id])}</h3>")
        if not found:
            parts.append(f"<p>{_e(t('impact_none_done', lang))}</p>")
            continue
        titles = inputs.done_activities(con, plan_id).set_index("id")["title"].to_dict()
        shown, _raw = impact.table(found, titles, lang)
        parts.append(_table(shown, set(shown.columns[3:8])))
        levels |= {e.level for e in found}
    parts += [f'<p class="note">{_e(t(f"impact_level_{level}", lang))}: {_e(meaning(level, lang))}</p>'
              for level in sorted(levels)]
    return "\n".join(parts)


def _late_section(con, filters: Filters, labels: dict[str, str], lang: str) -> str:
    late = queries.late_activities(con, filters)
    parts = [f"<h2>{_e(t('late_activities', lang))}</h2>"]
    if late.empty:
        parts.append(f"<p>{_e(t('late_none', lang))}</p>")
    else:
        shown, _raw = overview.late_table(late, labels, lang)
        parts.append(_table(shown, numeric={t("days_late", lang)}, codes={present.FIELD_COLUMNS["id"][0][lang]}))
    return "\n".join(parts)


def render(con, filters: Filters, lang: str, today: dt.date | None = None, now: dt.datetime | None = None) -> str:
    """The whole report as one HTML document (UTF-8) for `filters` in `lang`.

    `today` is the KPIs' pace date for plans without a status date (as in `kpis.overview`);
    `now` the generation time shown (UTC, default: now)."""
    now = now or dt.datetime.now(dt.UTC)
    all_plans = queries.plans(con)
    labels = plan_labels(all_plans)
    chosen = filters.plans_in(all_plans)
    info = queries.build_info(con)
    title = t("report_title", lang)
    plans_text = ", ".join(labels[plan_id] for plan_id in chosen["plan_id"]) or "—"
    built = overview.data_as_of(info, lang)
    filters_text = " · ".join(f"{name}: {value}" for name, value in present.filter_lines(filters, lang))
    header = "\n".join([
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta plans"><strong>{_e(t("report_plans", lang))}:</strong> {_e(plans_text)}</p>',
        f'<p class="meta filters"><strong>{_e(t("report_filters", lang))}:</strong> {_e(filters_text)}</p>',
        f'<p class="meta stamp">{_e(built)}</p>',
        f'<p class="meta stamp">{_e(t("report_generated", lang, when=present.stamp(now, lang)))}</p>',
    ])
    body = "\n".join([
        f"<header>\n{header}\n</header>",
        "<main>",
        _kpi_section(con, filters, chosen, labels, lang, today),
        _charts_section(figures(con, filters, labels, lang), lang),
        _official_section(con, filters, lang),
        _firms_section(con, filters, lang),
        _impact_section(con, chosen, labels, lang),
        _late_section(con, filters, labels, lang),
        "</main>",
        f"<footer><p>{_e(t('report_footer', lang))}</p><p>{_e(title)} · {_e(plans_text)}</p></footer>",
    ])
    return (f'<!DOCTYPE html>\n<html lang="{"en" if lang == "en" else "es"}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)} · {_e(plans_text)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n{body}\n"
            f"</body>\n</html>\n")


# --- the charts ---------------------------------------------------------------------------
# Each entry: (con, filters, chosen plans, labels, lang) -> a figure, or None when there is nothing to draw.


def _progress(con, filters: Filters, chosen: pd.DataFrame, labels: dict[str, str], lang: str) -> go.Figure | None:
    monthly = queries.monthly_progress(con, filters)
    return progress.cumulative(monthly, chosen, labels, lang) if progress.has_activities(
        monthly) else None


def _mix(con, filters: Filters, _chosen, labels: dict[str, str], lang: str) -> go.Figure | None:
    grid = mix.grid(queries.modality_by_period(con, filters, "quarter"), "quarter", lang)
    return None if grid.empty else mix.by_period(grid, lang)


def _exports(con, filters: Filters, _chosen, labels: dict[str, str], lang: str) -> go.Figure | None:
    exports = outcome_queries.exports_drawn(con, filters)
    return None if exports.empty else outcomes.exports(exports, labels, lang)


def _deals(con, filters: Filters, _chosen, labels: dict[str, str], lang: str) -> go.Figure | None:
    deals = queries.deals_by_event(con, filters)
    return None if deals.empty else outcomes.deals_by_event(deals, labels, lang)


def _sectors(con, filters: Filters, _chosen, _labels: dict[str, str], lang: str) -> go.Figure | None:
    sectors = outcome_queries.exports_by_sector(con, filters)
    return None if sectors.empty else outcomes.exports_by_sector(sectors, lang)


CHARTS: list[Callable] = [_progress, _mix, _exports, _sectors, _deals]
