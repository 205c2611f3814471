"""The digest: what changed in a recipient's plans since the last digest sent to them, as an e-mail's parts.

    snapshot(con, store, plan_ids)   what a digest sees now (JSON-ready): the store's last save, and per plan its
                                     files' versions, each KPI's pace status and year-end likelihood, each
                                     activity's status and lateness
    compose(before, now, store, ...) the Digest (subject, text, HTML) of what changed since `before` (None: a
                                     first digest, the current state: late activities, KPIs off track), or
                                     None when nothing did
    compose_since(con, since, now, ...) the Digest of what changed since a day, from the dates the plan keeps

It sits in view: it reads the database and the store's history and writes nothing. The caller (digest_run)
sends the message and keeps `now` as the recipient's state in the store, so a failed send keeps the old
one and the next run tells the same changes again. Whether a file changed in the editor or by hand: a version
the store's history holds was saved through it (editor, import, push); one it does not hold was written to the
CSV file directly.
"""

import datetime as dt
import hashlib
import html
import urllib.parse
from dataclasses import dataclass

import pandas as pd

from plan.data.store import PlanStore
from plan.model.i18n import t
from plan.model.models import Status
from plan.outlook import projection
from plan.view import kpis, queries
from plan.view.filters import TOTAL, Filters

STATUS_RANK = {"green": 0, "amber": 1, "red": 2}
LIKELIHOOD_RANK = {"likely": 0, "possible": 1, "unlikely": 2}
NEWS_STATUSES = (Status.DONE.value, Status.POSTPONED.value, Status.CANCELLED.value)
OFFICIAL_KIND = "official"  # the kind of a version saved by an import of official statistics


def state_name(address: str) -> str:
    """The store's state name of a recipient: their own, so a failed send for one marks nothing for others."""
    return "digest-" + hashlib.sha256(address.strip().lower().encode("utf-8")).hexdigest()[:32]


def _text(value) -> str | None:
    return None if value is None or pd.isna(value) else str(value)


def snapshot(con, store: PlanStore, plan_ids: list[str]) -> dict:
    """What a digest of `plan_ids` sees now, as plain JSON values."""
    filters = Filters(plan_ids=tuple(plan_ids))
    plans = {row.plan_id: {"office": row.office, "year": int(row.year), "files": {}, "kpis": {}, "activities": {}}
             for row in filters.plans_in(queries.plans(con)).itertuples()}
    for plan_id, table, sha in con.execute("SELECT plan_id, table_name, sha256 FROM source_files"
                                           " WHERE list_contains($plans, plan_id)", {"plans": plan_ids}).fetchall():
        plans[plan_id]["files"][table] = sha
    for row in kpis.overview(con, filters).itertuples():
        if row.plan_id != TOTAL:
            plans[row.plan_id]["kpis"][row.kpi] = [_text(row.status), _text(row.likelihood)]
    for row in queries.activity_list(con, filters).itertuples():
        plans[row.plan_id]["activities"][row.id] = [row.status, bool(row.late), row.title]
    latest = store.log(1)
    return {"seq": latest[0][0] if latest else 0, "plans": plans}


@dataclass(frozen=True)
class Digest:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class Line:
    """One thing to tell: its words, and the data texts in them (escaped in the HTML part)."""

    key: str
    params: dict

    def render(self, lang: str, escape=lambda text: text) -> str:
        return t(self.key, lang, **{name: escape(str(value)) for name, value in self.params.items()})


def _worse(rank: dict, old: str | None, new: str | None) -> bool:
    """Whether `new` ranks worse than `old`; a status where there was none (a new target) is not a worsening."""
    return old in rank and new in rank and rank[new] > rank[old]


def _kpi_lines(before: dict | None, now: dict, lang: str) -> list[Line]:
    lines = []
    for kpi, (pace, chance) in now["kpis"].items():
        name = t(f"kpi_{kpi}", lang)
        if before is None:
            if pace == "red" or chance == "unlikely":
                lines.append(Line("digest_kpi_off_track", {"kpi": name, "status": _status(pace, lang),
                                                           "outlook": _outlook(chance, lang)}))
            continue
        old_pace, old_chance = before["kpis"].get(kpi, [None, None])
        if _worse(STATUS_RANK, old_pace, pace):
            lines.append(Line("digest_kpi_worse", {"kpi": name, "old": _status(old_pace, lang),
                                                   "new": _status(pace, lang)}))
        if _worse(LIKELIHOOD_RANK, old_chance, chance):
            lines.append(Line("digest_outlook_worse", {"kpi": name, "old": _outlook(old_chance, lang),
                                                       "new": _outlook(chance, lang)}))
    return lines


def _status(status: str | None, lang: str) -> str:
    return t(f"status_{status}", lang) if status in STATUS_RANK else "-"


def _outlook(chance: str | None, lang: str) -> str:
    return t(f"outlook_{chance}", lang) if chance in LIKELIHOOD_RANK else "-"


def _activity_lines(before: dict | None, now: dict, lang: str) -> list[Line]:
    lines = []
    for activity_id, (status, late, title) in now["activities"].items():
        old_status, old_late, _ = (before or {"activities": {}})["activities"].get(activity_id, [None, False, ""])
        if late and (before is None or not old_late):
            lines.append(Line("digest_activity_late", {"id": activity_id, "title": title}))
        if before is not None and status != old_status and status in NEWS_STATUSES:
            lines.append(Line("digest_activity_status", {"id": activity_id, "title": title,
                                                         "status": Status(status).label(lang)}))
    return lines


def _saves(log: list, plan_id: str, told) -> list[Line]:
    """The plan's saves in `log` (the store's, newest first) that `told(seq, version)` keeps, oldest first: who,
    when, which file; an official import apart."""
    lines = []
    for seq, version in reversed(log):
        if version.plan_id == plan_id and told(seq, version):
            key = "digest_official" if version.kind == OFFICIAL_KIND else "digest_saved"
            lines.append(Line(key, {"editor": version.editor or "-", "when": version.saved_at,
                                    "file": version.table, "kind": version.kind}))
    return lines


def _save_lines(before: dict | None, since: int, now: dict, plan_id: str, log: list) -> list[Line]:
    """The plan's saves after the store's save `since`, and its files that changed from `before` to a version
    the store never saved (by hand)."""
    if before is None:
        return []
    lines = _saves(log, plan_id, lambda seq, _version: seq > since)
    saved = {(version.table, version.sha256) for _, version in log if version.plan_id == plan_id}
    for table, sha in now["files"].items():
        if sha != before["files"].get(table) and (table, sha) not in saved:
            lines.append(Line("digest_by_hand", {"file": table}))
    return lines


def dashboard_link(base_url: str, office: str, year: int, lang: str) -> str:
    """The dashboard's view of one plan: its office and year in the URL, as the sidebar binds them."""
    query = urllib.parse.urlencode({"office": office, "year": year, "lang": lang})
    return f"{base_url.rstrip('/')}/?{query}"


def compose(before: dict | None, now: dict, store: PlanStore, lang: str, base_url: str | None,
            attachment_note: str = "") -> Digest | None:
    """The digest of `now` against `before` (the state the last digest kept; None for a first one), or None when
    nothing worth telling changed. `attachment_note` says why the PDF is missing, when it is."""
    log = [] if before is None else store.log(None)
    sections = {}
    for plan_id, plan in now["plans"].items():
        old = None if before is None else before["plans"].get(plan_id)
        sections[plan_id] = (_kpi_lines(old, plan, lang) + _activity_lines(old, plan, lang)
                             + _save_lines(old, before and before["seq"], plan, plan_id, log))
    first = before is None
    return _digest(now, sections, lang, base_url, attachment_note,
                   "digest_subject_first" if first else "digest_subject",
                   t("digest_intro_first" if first else "digest_intro", lang))


def compose_since(con, since: dt.date, now: dict, store: PlanStore, lang: str, base_url: str | None,
                  attachment_note: str = "") -> Digest | None:
    """What changed in `now`'s plans since the day `since`, told from the dates the store and the plan keep (the
    saves' dates; activities' planned and actual dates; the year-end outlook computed as of `since` from the
    records dated up to then), or None when nothing did. What keeps no date (the pace status on a past day,
    an activity postponed or cancelled, a file changed by hand) is said not to be told, never guessed."""
    plan_ids = list(now["plans"])
    then = {(made.plan_id, made.kpi): projection.likelihood(made.chance)
            for made in projection.project(con, plan_ids, since)}
    activities = queries.activity_list(con, Filters(plan_ids=tuple(plan_ids)))
    day = since.isoformat()
    log = store.log(None)
    sections = {}
    for plan_id, plan in now["plans"].items():
        lines = []
        for kpi, (_pace, chance) in plan["kpis"].items():
            old = then.get((plan_id, kpi))
            if _worse(LIKELIHOOD_RANK, old, chance):
                lines.append(Line("digest_outlook_worse_since", {"kpi": t(f"kpi_{kpi}", lang), "date": day,
                                                                 "old": _outlook(old, lang),
                                                                 "new": _outlook(chance, lang)}))
        for row in activities[activities["plan_id"] == plan_id].itertuples():
            late_from = row.planned_end if row.status == Status.IN_PROGRESS.value else row.planned_start
            if row.late and pd.Timestamp(late_from).date() >= since:
                lines.append(Line("digest_activity_late", {"id": row.id, "title": row.title}))
            if row.status == Status.DONE.value and pd.notna(row.actual_end) and \
                    pd.Timestamp(row.actual_end).date() >= since:
                lines.append(Line("digest_activity_status", {"id": row.id, "title": row.title,
                                                             "status": Status.DONE.label(lang)}))
        sections[plan_id] = lines + _saves(log, plan_id, lambda _seq, version: version.saved_at[:10] >= day)
    return _digest(now, sections, lang, base_url, attachment_note, "digest_subject_since",
                   t("digest_intro_since", lang, date=day), date=day)


def _digest(now: dict, found: dict[str, list[Line]], lang: str, base_url: str | None, attachment_note: str,
            subject_key: str, intro: str, **subject_params) -> Digest | None:
    """The message of the lines `found` per plan (subject, text, HTML), or None when there are none."""
    sections = []
    for plan_id, lines in found.items():
        if lines:
            plan = now["plans"][plan_id]
            link = dashboard_link(base_url, plan["office"], plan["year"], lang) if base_url else None
            sections.append((plan, lines, link))
    if not sections:
        return None
    subject = t(subject_key, lang, plans=", ".join(f"{plan['office']} {plan['year']}" for plan, _, _ in sections),
                **subject_params)
    text = [intro, ""]
    parts = [f"<p>{html.escape(intro)}</p>"]
    for plan, lines, link in sections:
        heading = f"{plan['office']} {plan['year']}"
        text += [heading, *(f"- {line.render(lang)}" for line in lines)]
        parts += [f"<h2>{html.escape(heading)}</h2>", "<ul>",
                  *(f"<li>{line.render(lang, html.escape)}</li>" for line in lines), "</ul>"]
        if link:
            text.append(t("digest_link", lang, url=link))
            parts.append(f'<p><a href="{html.escape(link)}">{html.escape(t("digest_link_label", lang))}</a></p>')
        text.append("")
    if attachment_note:
        text.append(attachment_note)
        parts.append(f"<p>{html.escape(attachment_note)}</p>")
    body = "\n".join(parts)
    document = f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"></head><body>{body}</body></html>'
    return Digest(subject, "\n".join(text).rstrip() + "\n", document)
