"""The report's cost as HTML and as PDF (issue 26: the sample's PDF in under 5 s, a national view's in under 20 s).

Each dataset's default report, as `python -m plan report` writes it with no option (each office's latest plan),
from its built database: the HTML document, then the same report printed by headless Chromium
(`plan.view.report_pdf.render`, which builds the HTML again, starts Chromium, waits for plotly's charts and
prints), the two taken in turn so a noisy machine moves both. Wall-clock figures of this machine, reported
beside their limits, never asserted.
"""

import statistics
import time
from pathlib import Path

from plan.data import database
from plan.view import queries, report, report_pdf
from plan.view.filters import Filters
from plan.view.report_options import ReportOptions, chosen_plan_ids

LIMITS_S = {"sample": 5.0, "national": 20.0}  # the PDF of the default report, by scale (issue 26)


def measure(db_path: Path, repetitions: int = 3, lang: str = "es") -> dict:
    """The default report of the database at `db_path`: seconds of each HTML and PDF run, their medians, the
    PDF's size; `pdf_s` is None (and `unavailable` says why) where this host cannot print."""
    with database.reader(db_path) as con:
        filters = Filters(plan_ids=chosen_plan_ids(ReportOptions(), queries.plans(con), lang))
        html_s, pdf_s, size = [], [], 0
        missing = report_pdf.unavailable(lang)
        for _ in range(repetitions):
            started = time.perf_counter()
            report.render(con, filters, lang)
            html_s.append(time.perf_counter() - started)
            if missing is None:
                started = time.perf_counter()
                size = len(report_pdf.render(con, filters, lang))
                pdf_s.append(time.perf_counter() - started)
    pdf_median = statistics.median(pdf_s) if pdf_s else None
    return {"plans": len(filters.plan_ids), "html_s": round(statistics.median(html_s), 3),
            "pdf_s": None if pdf_median is None else round(pdf_median, 3),
            "html_runs_s": [round(s, 3) for s in html_s], "pdf_runs_s": [round(s, 3) for s in pdf_s],
            "pdf_bytes": size, "unavailable": missing}
