"""A digest run: per recipient, compose what changed in their plans, send it with the PDF report, keep what it saw.

    settings(...)   the recipients (address, plan ids), the SMTP server, the dashboard's address and the sender,
                    each from the first place that gives it: command line > environment > Streamlit's secrets
                    ([digest]) > digest.toml (recipients only); checked, the password never shown
    run(request)    the whole run, as the lines to tell (`Said`; an error line: that recipient's digest was not
                    sent or not marked)

It sits in view beside `digest` (which composes) and sends through plan.data.mail; the command line only reads
its options, prints what a run says and turns it into an exit code. A recipient's state is written after the
server accepted their message, or when there was nothing to tell them; never by a dry run, never after a failed
send (the next run tells the same changes again), never by a look back (`since`: what changed since a day,
which leaves each recipient's own base as it was).
"""

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from plan import outlook
from plan.data import database, mail
from plan.data.secrets import Secrets, toml_table
from plan.data.store import PlanStore, local_copy
from plan.data.store_base import StaleBase
from plan.model.i18n import t
from plan.model.issues import PlanInvalid, UsageError
from plan.view import digest, queries, report_pdf
from plan.view.filters import Filters

ADDRESS = re.compile(r"[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
BASE_URL_VARIABLE = "PLAN_BASE_URL"
SENDER_VARIABLE = "PLAN_MAIL_FROM"
SECTION = "digest"  # the secrets' table: smtp_url, base_url, [[digest.recipients]] address, plans


@dataclass(frozen=True)
class Said:
    """A line a run tells; `error`: a recipient's digest was not sent, or sent and not marked."""

    text: str
    error: bool = False


@dataclass(frozen=True)
class Settings:
    """Who gets a digest (address, plan ids; none: every plan), through which server (None only for a dry run),
    with links to which dashboard, from whom."""

    recipients: list[tuple[str, list[str]]]
    server: mail.SmtpServer | None
    base_url: str | None = None
    sender: str | None = None


@dataclass(frozen=True)
class Request:
    """What a run is asked to do: the store (`url`, or the plan folders of `data_dir`) and the settings."""

    data_dir: Path
    db_path: Path | None
    url: str | None
    settings: Settings
    lang: str
    max_bytes: int
    dry_run: bool = False
    since: dt.date | None = None  # what changed since this day, instead of since each recipient's last digest
    pdfs: dict = field(default_factory=dict, compare=False)  # per set of plans, the PDF or why it is missing


def settings(to: list[str], plans: list[str], config: Path, smtp: str | None, secrets: Secrets,
             environ: Mapping[str, str], dry_run: bool = False) -> Settings:
    """The run's settings, each from the first place that has it; UsageError for any that cannot be used (all
    of them at once for the recipients), before any build or send."""
    section = secrets.get(SECTION) or {}
    where = f"{secrets.where(SECTION)} [{SECTION}]"
    if not isinstance(section, dict):
        raise UsageError("digest_bad_section", where=where)
    bad = [("digest_bad_setting", {"where": where, "setting": key}) for key in ("smtp_url", "base_url")
           if not isinstance(section.get(key, ""), str)]
    if bad:
        raise UsageError.every(bad)
    texts = {key: section.get(key) or None for key in ("smtp_url", "base_url")}
    smtp_url = smtp or environ.get(mail.SMTP_URL_VARIABLE) or texts["smtp_url"]
    listed = f"{secrets.where(SECTION)} [[{SECTION}.recipients]]"
    found = recipients(to, plans, config, section.get("recipients"), listed)
    if not dry_run and not smtp_url:
        raise UsageError("digest_no_smtp", variable=mail.SMTP_URL_VARIABLE)
    return Settings(found, mail.smtp_server(smtp_url) if smtp_url else None,
                    environ.get(BASE_URL_VARIABLE) or texts["base_url"], environ.get(SENDER_VARIABLE))


def recipients(to: list[str], plans: list[str], config: Path, listed_in_secrets=None,
               secrets_where: str = "") -> list[tuple[str, list[str]]]:
    """(address, plan ids; empty: every plan) from `to`, else from the secrets' list, else from the config file
    ([[recipient]]); checked."""
    if to:
        found, where = [(address, list(plans)) for address in to], "--to"
    elif listed_in_secrets is not None:
        found, where = _listed(listed_in_secrets, secrets_where, plans), secrets_where
    elif config.is_file():
        where = f"{config} [[recipient]]"
        found = _listed(toml_table(config, config.read_bytes()).get("recipient", []), where, plans)
    else:
        found = []
    if not found:
        raise UsageError("digest_no_recipients", path=config)
    bad = [("digest_bad_address", {"option": where, "value": address}) for address, _ in found
           if not ADDRESS.fullmatch(address)]
    if bad:
        raise UsageError.every(bad)
    return found


def _listed(listed, where: str, plans: list[str]) -> list[tuple[str, list[str]]]:
    """A list of recipient tables (address = "...", plans = ["...", ...]); UsageError naming each one that is not."""
    if not isinstance(listed, list):
        raise UsageError("digest_bad_recipient", where=where, number="-")
    found, bad = [], []
    for number, entry in enumerate(listed, start=1):
        own = entry.get("plans", []) if isinstance(entry, dict) else None
        if not (isinstance(entry, dict) and isinstance(entry.get("address"), str) and isinstance(own, list)
                and all(isinstance(plan, str) for plan in own)):
            bad.append(("digest_bad_recipient", {"where": where, "number": number}))
        else:
            found.append((entry["address"], list(own) or list(plans)))
    if bad:
        raise UsageError.every(bad)
    return found


def since_date(text: str, option: str = "--since") -> dt.date:
    """The day of `--since` (YYYY-MM-DD); UsageError naming the option and the value otherwise."""
    try:
        if DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise UsageError("digest_since_invalid", option=option, value=text)


def run(request: Request) -> Iterator[Said]:
    """Every recipient's digest, in turn; UsageError (before any is sent) for a plan id the store does not hold,
    PlanInvalid when the plans do not build."""
    with local_copy(request.url, request.data_dir) as store:
        readiness = database.ensure(request.data_dir, request.db_path or database.default_db_path(request.data_dir),
                                    request.max_bytes, derive=outlook.derive)
        if readiness.issues:
            raise PlanInvalid(readiness.issues)
        with database.reader(readiness.db_path) as con:
            known = list(queries.plans(con)["plan_id"])
            unknown = [("digest_unknown_plan", {"option": "--plan", "value": plan_id, "known": ", ".join(known)})
                       for _, plans in request.settings.recipients for plan_id in plans if plan_id not in known]
            if unknown:
                raise UsageError.every(unknown)
            for address, plans in request.settings.recipients:
                yield from _one(con, store, address, plans or known, request)
    if request.dry_run:
        yield Said(t("digest_dry_run", request.lang))


def _pdf(con, plan_ids: tuple[str, ...], request: Request) -> bytes | str:
    """The PDF report of the plans (made once per set of plans in a run), or the note saying why it is missing."""
    if plan_ids not in request.pdfs:
        try:
            request.pdfs[plan_ids] = report_pdf.render(con, Filters(plan_ids=plan_ids), request.lang)
        except report_pdf.PdfUnavailable as missing:
            request.pdfs[plan_ids] = t("digest_pdf_missing", request.lang, reason=missing.message(request.lang))
    return request.pdfs[plan_ids]


def _message(address: str, composed: digest.Digest, pdf: bytes | str, request: Request) -> EmailMessage:
    server, lang = request.settings.server, request.lang
    message = EmailMessage()
    message["Subject"], message["To"] = composed.subject, address
    message["From"] = request.settings.sender or (server.user if server and "@" in server.user else "plan@localhost")
    message["Date"], message["Message-ID"] = formatdate(), make_msgid()  # spam filters ask for both
    message.set_content(composed.text)
    message.add_alternative(composed.html, subtype="html")
    if isinstance(pdf, bytes):
        message.add_attachment(pdf, maintype="application", subtype="pdf",
                               filename=t("report_file_stem", lang) + ".pdf")
    return message


def _one(con, store: PlanStore, address: str, plan_ids: list[str], request: Request) -> Iterator[Said]:
    """Compose, send and mark one recipient's digest (an error line: not sent, or sent and not marked)."""
    lang = request.lang
    now = digest.snapshot(con, store, plan_ids)
    key = tuple(sorted(plan_ids))
    pdf = _pdf(con, key, request)
    note = pdf if isinstance(pdf, str) else ""
    if request.since:  # a look back on request: the recipient's own state is neither read nor moved
        composed = digest.compose_since(con, request.since, now, store, lang, request.settings.base_url, note)
        nothing = t("digest_nothing_since", lang, address=address, date=request.since.isoformat())
        name = raw = None
    else:
        name = digest.state_name(address)
        raw = store.read_state(name)
        before = None if raw is None else json.loads(raw)
        composed = digest.compose(before, now, store, lang, request.settings.base_url, note)
        nothing = t("digest_nothing_changed", lang, address=address)
    seen = json.dumps(now, ensure_ascii=False, sort_keys=True).encode("utf-8")
    if composed is None:  # nothing to tell, but what was seen is the base of the next digest (e.g. a first one)
        if name and not request.dry_run and seen != raw:
            store.write_state(name, seen, raw)
        yield Said(nothing)
        return
    message = _message(address, composed, pdf, request)
    if note:
        yield Said(note)
    if request.dry_run:
        yield Said(f"To: {address}\nSubject: {composed.subject}\n\n{composed.text}")
        return
    try:
        mail.send(request.settings.server, message)
    except mail.SendFailed as failed:
        yield Said(t("digest_send_failed", lang, address=address, server=request.settings.server.shown,
                     reason=failed.said(lang)), error=True)
        return
    try:
        if name:
            store.write_state(name, seen, raw)
    except StaleBase:  # another run marked this recipient meanwhile: keep its state, say so
        yield Said(t("digest_state_moved", lang, address=address), error=True)
        return
    yield Said(t("digest_sent", lang, address=address, plans=", ".join(key)))
