"""`python -m plan digest` against a real SMTP server (aiosmtpd on 127.0.0.1): the messages are read back with the
standard library's `email`, what was sent is read back from the plan store."""

import email
import email.policy
import io
import itertools
import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import urllib.parse
from pathlib import Path

import pypdf
import pytest
import yaml
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from plan.bench.dus import dus_month
from plan.cli import main
from plan.data import mail
from plan.data.store import FolderStore
from plan.data.store_postgres import PostgresStore
from plan.edit import editing
from plan.model.i18n import t
from plan.model.models import ACTIVITIES, PLAN
from plan.view import digest, digest_run
from tests.apptest import open_page
from tests.conftest import copy_sample

ATACAMA = "prochile-atacama-2021"
ALIANZA = "alianza-pacifico-2020"
USER, PASSWORD = "digest", "pisco-sour-9"
REFUSED = "nadie@refused.example"
DIRECTOR = "directora@prochile.example"
BASE_URL = "https://plan.example.org"


@pytest.fixture(autouse=True)
def no_secrets_of_this_machine(tmp_path_factory, monkeypatch):
    """Run from an empty folder with an empty home folder: no digest.toml nor Streamlit secrets of the developer's
    are read (a test that wants them writes its own)."""
    monkeypatch.chdir(tmp_path_factory.mktemp("cwd"))
    monkeypatch.setenv("HOME", str(tmp_path_factory.mktemp("home")))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """aiosmtpd's handler: keeps every message accepted, refuses the recipient REFUSED."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
    """USER and PASSWORD only. `handled=False`: aiosmtpd then sends the refusal (535), else the client would wait."""
    return AuthResult(success=auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode(),
                      handled=False, auth_data=auth_data)


@pytest.fixture
def smtp():
    """A real SMTP server asking for a login (over plain text: the test has no certificate)."""
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def url(port: int, password: str = PASSWORD) -> str:
    return f"smtp://{USER}:{password}@127.0.0.1:{port}"


def run(capsys, data: Path, *options: str) -> tuple[int, str, str]:
    code = main(["digest", str(data), "--db", str(data.parent / "plan.duckdb"), "--lang", "en", *options])
    out, err = capsys.readouterr()
    return code, out, err


def parts(message) -> tuple[str, str, list]:
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html, list(message.iter_attachments())


def state(data: Path, address: str) -> bytes | None:
    return FolderStore(data).read_state(digest.state_name(address))


def test_a_first_digest_arrives_with_both_parts_and_the_pdf_and_a_second_run_sends_nothing(
        sample_dir, smtp, capsys, monkeypatch, chromium):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_BASE_URL", BASE_URL)
    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", url(port))
    assert code == 0 and f"{DIRECTOR}: digest sent" in out
    assert PASSWORD not in out
    [message] = mailbox.messages
    assert message["To"] == DIRECTOR and message["Date"] and message["Message-ID"]
    assert message["Subject"] == "State of the plan: ProChile Atacama 2021, Alianza del Pacífico 2020"
    text, html, [attachment] = parts(message)
    assert "Late activity: ATA-21-06 Estudio de mercado: servicios a la minería en México" in text
    assert "ATA-21-06 Estudio de mercado: servicios a la minería en México" in html
    assert f'href="{BASE_URL}/?office=ProChile+Atacama&amp;year=2021&amp;lang=en"' in html
    pdf = attachment.get_content()
    assert attachment.get_content_type() == "application/pdf" and pdf.startswith(b"%PDF")
    pdf_text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    for kpi in ("activities_done", "budget_spent", "exporters"):
        assert t(f"kpi_{kpi}", "en") in pdf_text
    assert state(sample_dir, DIRECTOR) is not None

    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", url(port))
    assert code == 0 and out.strip() == f"{DIRECTOR}: nothing changed in their plans since the last digest; no " \
                                        "e-mail sent."
    assert len(mailbox.messages) == 1


def test_a_change_between_runs_is_told_in_the_next_digest_only_and_an_edit_by_hand_is_told_as_one(
        sample_dir, smtp, capsys, monkeypatch):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))  # the digest goes without the PDF
    assert run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", url(port))[0] == 0
    version = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(version, editing.Changes(changed={("ATA-21-20",): {"status": "done",
                                                                             "actual_start": "2021-09-06"}}))
    assert isinstance(editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, ACTIVITIES, draft.raw, version.sha,
                                   "ana"), editing.Saved)
    plan_csv = sample_dir / ALIANZA / "plan.csv"
    plan_csv.write_bytes(plan_csv.read_bytes().replace(b"La Macrorrueda", b"La Macro-rueda"))

    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", url(port))
    assert code == 0 and "Without the PDF report attached" in out
    first, second = mailbox.messages
    assert second["Subject"] == "Changes in the plan: ProChile Atacama 2021, Alianza del Pacífico 2020"
    text, html, attachments = parts(second)
    assert attachments == [] and "Without the PDF report attached" in text
    lines = text.splitlines()
    assert "- Activity ATA-21-20 Misión comercial de proveedores mineros a Perú: now Done" in lines
    assert [line for line in lines if line.startswith("- Saved by")] == [
        next(line for line in lines if line.startswith("- Saved by ana on ") and line.endswith("(activities, edit)"))]
    assert "- plan was changed by hand in its CSV files, outside the editor" in lines
    assert "Late activity" not in text  # told in the first digest, not again
    assert "ATA-21-20" in parts(first)[0] and "ATA-21-06" not in text

    assert run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", url(port))[0] == 0
    assert len(mailbox.messages) == 2


def test_worse_kpis_newly_late_activities_an_official_import_and_data_texts_escaped_in_the_html(
        sample_dir, smtp, capsys, monkeypatch, tmp_path):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    assert run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    store = FolderStore(sample_dir)
    plan = editing.load(sample_dir, ATACAMA, PLAN)  # the status date moves to the year's end: more is expected
    assert isinstance(editing.save(sample_dir, store, ATACAMA, PLAN, plan.raw.replace(b",2021-09-30,", b",2021-12-31,"),
                                   plan.sha, "ana"), editing.Saved)
    activities = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(activities, editing.Changes(changed={("ATA-21-06",): {
        "status": "postponed", "title": "Estudio <b>minería</b> & México"}}))
    assert isinstance(editing.save(sample_dir, store, ATACAMA, ACTIVITIES, draft.raw, activities.sha, "luis"),
                      editing.Saved)
    month = tmp_path / "marzo.txt"
    month.write_bytes(dus_month(2021, 3, 200, seed=3).raw)
    assert main(["import", "aduanas", str(month), "--plan", str(sample_dir / ATACAMA), "--yes",
                 "--db", str(sample_dir.parent / "plan.duckdb")]) == 0
    capsys.readouterr()

    assert run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    text, html, _ = parts(mailbox.messages[-1])
    lines = text.splitlines()
    assert any(" worsened: " in line for line in lines if line.startswith("- "))
    # planned to start after 30 September and not started, or in progress and planned to end after it
    assert {line.split()[3] for line in lines if line.startswith("- Late activity: ")} == {
        "ATA-21-22", "ATA-21-23", "ATA-21-25", "ATA-21-26", "ATA-21-27", "ATA-21-16", "ATA-21-18", "ATA-21-21"}
    assert "- Activity ATA-21-06 Estudio <b>minería</b> & México: now Postponed" in lines
    assert "Activity ATA-21-06 Estudio &lt;b&gt;minería&lt;/b&gt; &amp; México: now Postponed" in html
    assert "<b>" not in html
    assert any(line.startswith("- Official statistics imported by ") and line.endswith("(outcomes)") for line in lines)
    assert any(line.startswith("- Saved by ana on ") and line.endswith("(plan, edit)") for line in lines)
    assert any(line.startswith("- Saved by luis on ") and line.endswith("(activities, edit)") for line in lines)
    assert "by hand" not in text


def test_a_first_digest_with_nothing_to_tell_sends_nothing_but_is_the_base_of_the_next(sample_dir, smtp, capsys,
                                                                                      monkeypatch):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    plan_csv = sample_dir / ATACAMA / "plan.csv"
    plan_csv.write_bytes(plan_csv.read_bytes().replace(b",2021-09-30,", b",2021-01-10,"))  # nothing due yet
    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))
    assert code == 0 and "nothing changed" in out and mailbox.messages == []
    plan = editing.load(sample_dir, ATACAMA, PLAN)
    assert isinstance(editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, PLAN,
                                   plan.raw.replace(b",2021-01-10,", b",2021-09-30,"), plan.sha, "ana"), editing.Saved)

    assert run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    [message] = mailbox.messages
    assert message["Subject"] == "Changes in the plan: ProChile Atacama 2021"  # not a first digest again
    text = parts(message)[0]
    assert "- Late activity: ATA-21-06 Estudio de mercado: servicios a la minería en México" in text.splitlines()
    assert "- Saved by ana on " in text


def test_a_dry_run_prints_the_message_and_marks_nothing(sample_dir, capsys, monkeypatch):
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--dry-run")
    assert code == 0
    assert "Subject: State of the plan: ProChile Atacama 2021\n" in out and "ATA-21-06" in out
    assert "Alianza" not in out and out.rstrip().endswith("nothing was sent or marked.")
    assert state(sample_dir, DIRECTOR) is None


@pytest.mark.parametrize("failure", ["server down", "wrong password", "refused recipient"])
def test_a_failed_send_names_the_recipient_and_why_exits_1_and_marks_nothing_for_them(
        sample_dir, smtp, capsys, monkeypatch, failure):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    smtp_url = {"server down": url(free_port()), "wrong password": url(port, "not-the-password"),
                "refused recipient": url(port)}[failure]
    address = REFUSED if failure == "refused recipient" else DIRECTOR
    others = ["--to", DIRECTOR] if failure == "refused recipient" else []
    code, out, err = run(capsys, sample_dir, "--to", address, *others, "--smtp", smtp_url)
    assert code == 1
    assert err.startswith(f"{address}: the digest was not sent (smtp://{USER}@127.0.0.1:")
    reason = {"server down": "ConnectionRefusedError", "wrong password": "535",
              "refused recipient": f"{REFUSED}: 550 5.1.1 no such mailbox"}[failure]
    assert reason in err and "Nothing was marked as sent for this recipient." in err
    assert "not-the-password" not in err + out and PASSWORD not in err + out
    assert state(sample_dir, address) is None
    if others:  # the other recipient got theirs, and is marked
        assert [message["To"] for message in mailbox.messages] == [DIRECTOR]
        assert state(sample_dir, DIRECTOR) is not None
    else:
        assert mailbox.messages == []


def this_machines_address() -> str:
    """This machine's address on its network (not a loopback one): where the route to another machine leaves from.
    A UDP socket's connect sends nothing."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET-1: never a real host
        address = probe.getsockname()[0]
    assert not address.startswith("127."), address
    return address


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_password_is_not_sent_in_clear_to_another_machine_without_starttls(sample_dir, capsys, monkeypatch, lang):
    """A real server without STARTTLS, reached at this machine's network address (not a loopback one): the run
    refuses before the login (the server sees no AUTH), exits 1 and marks nothing."""
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    logins = []

    def counting(server, session, envelope, mechanism, auth_data) -> AuthResult:
        logins.append(auth_data)
        return authenticator(server, session, envelope, mechanism, auth_data)

    mailbox, port, host = Mailbox(), free_port(), this_machines_address()
    controller = Controller(mailbox, hostname=host, port=port, authenticator=counting, auth_require_tls=False)
    controller.start()
    try:
        code = main(["digest", str(sample_dir), "--db", str(sample_dir.parent / "plan.duckdb"), "--lang", lang,
                     "--to", DIRECTOR, "--smtp", f"smtp://{USER}:{PASSWORD}@{host}:{port}"])
        out, err = capsys.readouterr()
    finally:
        controller.stop()
    assert code == 1 and logins == [] and mailbox.messages == [] and state(sample_dir, DIRECTOR) is None
    expected = {"en": "the server does not offer STARTTLS, and the password would travel in clear to another machine",
                "es": "el servidor no ofrece STARTTLS, y la contraseña viajaría sin cifrar hacia otra máquina"}[lang]
    assert err.startswith(f"{DIRECTOR}: ") and expected in err and f"smtp://{USER}@{host}:{port}" in err
    assert PASSWORD not in out + err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_password_in_clear_to_this_machine_is_allowed(sample_dir, smtp, capsys, monkeypatch, host):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", f"smtp://{USER}:{PASSWORD}@{host}:{port}")
    assert code == 0 and f"{DIRECTOR}: digest sent" in out and len(mailbox.messages) == 1


@pytest.mark.parametrize(("options", "message"), [
    (["--to", DIRECTOR, "--plan", "prochile-nowhere-2021", "--smtp", "smtp://127.0.0.1:1"],
     "--plan prochile-nowhere-2021: no plan has that id; the plans are: "),
    (["--to", "directora.prochile.example"],
     "--to directora.prochile.example: not an e-mail address (expected name@domain.org)"),
    (["--to", DIRECTOR, "--smtp", f"http://{USER}:{PASSWORD}@127.0.0.1:25"],
     f"the SMTP URL http://{USER}:***@127.0.0.1:25 cannot be used: expected smtp://, smtps:// user:password@host:port"),
    (["--to", DIRECTOR], "no SMTP server: use --smtp URL, the variable PLAN_SMTP_URL or smtp_url in [digest] of "
                         ".streamlit/secrets.toml (or --dry-run)"),
    *((["--to", DIRECTOR, "--since", value, "--dry-run"],
       f"--since {value}: not a date (expected YYYY-MM-DD, e.g. 2021-08-01)")
      for value in ("2021-13-01", "01-08-2021", "20210801", "ayer", "")),
])
def test_bad_input_is_a_usage_error_that_sends_and_marks_nothing(sample_dir, smtp, capsys, monkeypatch, options,
                                                                 message):
    monkeypatch.delenv("PLAN_SMTP_URL", raising=False)
    mailbox, _port = smtp
    code, out, err = run(capsys, sample_dir, *options)
    assert code == 2 and err.startswith(f"error: {message}")
    assert PASSWORD not in err
    assert mailbox.messages == [] and not (sample_dir / ".state").exists()


def test_since_tells_what_changed_since_a_day_by_the_plans_dates_says_what_it_cannot_and_marks_nothing(
        sample_dir, smtp, capsys, monkeypatch):
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    assert run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    marked = state(sample_dir, DIRECTOR)
    activities = editing.load(sample_dir, ATACAMA, ACTIVITIES)
    draft = editing.apply(activities, editing.Changes(changed={("ATA-21-27",): {"title": "Cierre del año"}}))
    assert isinstance(editing.save(sample_dir, FolderStore(sample_dir), ATACAMA, ACTIVITIES, draft.raw,
                                   activities.sha, "ana"), editing.Saved)

    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port),
                       "--since", "2021-08-01")
    assert code == 0 and f"{DIRECTOR}: digest sent" in out
    message = mailbox.messages[-1]
    assert message["Subject"] == "Changes in the plan since 2021-08-01: ProChile Atacama 2021"
    text = parts(message)[0]
    lines = text.splitlines()
    # the outlook as of 1 August (from the records dated up to then) against today's: possible, now unlikely
    assert f"- Year end of {t('kpi_activities_done', 'en')} worse than at 2021-08-01: possible → unlikely" in lines
    # late since: planned to start on 14 and 20 September (ATA-21-06, -10, -14 were late before 1 August)
    assert {line.split()[3] for line in lines if line.startswith("- Late activity: ")} == {"ATA-21-19", "ATA-21-20"}
    done = [line.split()[2] for line in lines if line.startswith("- Activity ") and line.endswith(": now Done")]
    assert done == ["ATA-21-17"]  # ended 20 August; ATA-21-15 ended 29 July
    assert any(line.startswith("- Saved by ana on ") and line.endswith("(activities, edit)") for line in lines)
    assert "Not told, because the plan keeps no date for it: the KPIs' pace at 2021-08-01, activities postponed " \
           "or cancelled" in text
    assert state(sample_dir, DIRECTOR) == marked  # a look back leaves the recipient's own base as it was

    assert run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    assert "- Saved by ana on " in parts(mailbox.messages[-1])[0]  # so the next regular digest still tells the save

    code, out, _ = run(capsys, sample_dir, "--to", DIRECTOR, "--plan", ATACAMA, "--smtp", url(port),
                       "--since", "2999-01-01")
    assert code == 0 and out.strip() == f"{DIRECTOR}: nothing changed in their plans since 2999-01-01; no e-mail sent."
    assert len(mailbox.messages) == 3


def test_a_bad_since_is_told_in_spanish_too(sample_dir, capsys):
    code = main(["digest", str(sample_dir), "--to", DIRECTOR, "--since", "31-12-2021", "--dry-run"])
    assert code == 2
    assert capsys.readouterr().err == "error: --since 31-12-2021: no es una fecha (se espera AAAA-MM-DD, p. ej. " \
                                      "2021-08-01)\n"


def test_recipients_and_their_plans_come_from_the_config_file_unless_to_is_given(sample_dir, tmp_path, capsys,
                                                                                  monkeypatch):
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    config = tmp_path / "digest.toml"
    config.write_text(f'[[recipient]]\naddress = "{DIRECTOR}"\nplans = ["{ALIANZA}"]\n', encoding="utf-8")
    code, out, _ = run(capsys, sample_dir, "--config", str(config), "--dry-run")
    assert code == 0 and f"To: {DIRECTOR}\nSubject: State of the plan: Alianza del Pacífico 2020\n" in out
    code, out, _ = run(capsys, sample_dir, "--config", str(config), "--to", "otra@prochile.example", "--dry-run")
    assert code == 0 and "To: otra@prochile.example\nSubject: State of the plan: ProChile Atacama 2021, " in out


# ----------------------------------------------------------------------------- settings from Streamlit's secrets


def secrets_file(folder: Path, text: str) -> Path:
    path = folder / ".streamlit" / "secrets.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def digest_secrets(smtp_url: str, base_url: str = BASE_URL, address: str = DIRECTOR, plans: str = f'"{ATACAMA}"'):
    return (f'editor_password = "not for the digest"\n[digest]\nsmtp_url = "{smtp_url}"\nbase_url = "{base_url}"\n'
            f'[[digest.recipients]]\naddress = "{address}"\nplans = [{plans}]\n')


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A project folder to run from (Streamlit's .streamlit/secrets.toml is read there) and an empty home folder
    (its ~/.streamlit/secrets.toml), no digest settings in the environment."""
    folder, home = tmp_path / "project", tmp_path / "home"
    folder.mkdir()
    home.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("HOME", str(home))
    for name in ("PLAN_SMTP_URL", "PLAN_BASE_URL", "PLAN_MAIL_FROM"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(tmp_path / "no-chromium"))
    return folder


def test_the_smtp_url_base_url_and_recipients_come_from_the_secrets_and_the_password_is_never_printed(
        sample_dir, smtp, capsys, project):
    mailbox, port = smtp
    secrets_file(project, digest_secrets(url(port)))
    code, out, err = run(capsys, sample_dir)
    assert code == 0 and f"{DIRECTOR}: digest sent ({ATACAMA})." in out
    [message] = mailbox.messages
    assert message["To"] == DIRECTOR and message["Subject"] == "State of the plan: ProChile Atacama 2021"
    assert f'href="{BASE_URL}/?office=ProChile+Atacama' in parts(message)[1]
    assert PASSWORD not in out + err

    secrets_file(project, digest_secrets(url(port, "not-the-password")))  # refused: the reason, not the password
    code, out, err = run(capsys, sample_dir, "--to", "otra@prochile.example")
    assert code == 1 and "535" in err and "not-the-password" not in out + err
    secrets_file(project, digest_secrets(f"http://{USER}:{PASSWORD}@127.0.0.1:{port}"))
    code, out, err = run(capsys, sample_dir)
    assert code == 2 and f"http://{USER}:***@127.0.0.1:{port}" in err and PASSWORD not in out + err


def test_a_setting_is_taken_from_the_command_line_then_the_environment_then_the_secrets_then_digest_toml(
        sample_dir, smtp, capsys, project, monkeypatch, tmp_path):
    mailbox, port = smtp
    dead = url(free_port())
    (project / "digest.toml").write_text('[[recipient]]\naddress = "toml@prochile.example"\n', encoding="utf-8")
    secrets_file(project, digest_secrets(dead, plans=f'"{ALIANZA}"'))
    secrets_file(tmp_path / "home", digest_secrets(url(port), "https://home.example", "home@prochile.example"))
    # the project's [digest] replaces the home folder's, as Streamlit merges them: its server (down) is used
    code, _out, err = run(capsys, sample_dir)
    assert code == 1 and err.startswith(f"{DIRECTOR}: the digest was not sent") and mailbox.messages == []
    # the environment over the secrets
    monkeypatch.setenv("PLAN_SMTP_URL", url(port))
    monkeypatch.setenv("PLAN_BASE_URL", "https://env.example")
    assert run(capsys, sample_dir)[0] == 0
    assert [m["To"] for m in mailbox.messages] == [DIRECTOR]
    assert "https://env.example/?" in parts(mailbox.messages[0])[1]
    assert mailbox.messages[0]["Subject"].endswith(": Alianza del Pacífico 2020")
    # the command line over the environment
    assert run(capsys, sample_dir, "--to", "cli@prochile.example", "--plan", ATACAMA, "--smtp", url(port))[0] == 0
    assert mailbox.messages[-1]["To"] == "cli@prochile.example"
    # without the project's secrets: the home folder's; without any: digest.toml
    (project / ".streamlit" / "secrets.toml").unlink()
    monkeypatch.delenv("PLAN_BASE_URL")
    assert run(capsys, sample_dir)[0] == 0
    assert mailbox.messages[-1]["To"] == "home@prochile.example"
    assert "https://home.example/?" in parts(mailbox.messages[-1])[1]
    (tmp_path / "home" / ".streamlit" / "secrets.toml").unlink()
    assert run(capsys, sample_dir)[0] == 0
    assert mailbox.messages[-1]["To"] == "toml@prochile.example"


def test_the_secrets_file_is_never_committed():
    ignored = subprocess.run(["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=DOC.parent.parent,
                             check=False)
    assert ignored.returncode == 0


# ----------------------------------------------------------------------------- the scheduling recipes

DOC = Path(__file__).resolve().parent.parent / "docs" / "digest.md"
WORKFLOW = DOC.parent / "digest-workflow.yml"
COMMAND = "python -m plan digest"


def recipe_arguments(line: str) -> list[str]:
    """The digest's arguments in a recipe's command line (up to a shell redirection)."""
    words = shlex.split(line.split(COMMAND, 1)[1])
    return list(itertools.takewhile(lambda word: word not in (">>", ">", "|", "&&"), words))


def recipes() -> dict[str, list[str]]:
    """Each recipe's digest arguments: the cron line, the systemd service's ExecStart, the workflow's step."""
    text = DOC.read_text(encoding="utf-8")
    cron = [line for line in text.splitlines() if re.match(r"([\d*,/-]+ ){4}[\d*,/-]+\s+\S", line)]
    service = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    steps = workflow()["jobs"]["digest"]["steps"]
    runs = [step["run"] for step in steps if COMMAND in step.get("run", "")]
    assert len(cron) == len(service) == len(runs) == 1, (cron, service, runs)
    return {"cron": recipe_arguments(cron[0]), "systemd": recipe_arguments(service[0]),
            "workflow": recipe_arguments(runs[0])}


def workflow() -> dict:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def run_recipe(arguments: list[str], folder: Path, **env: str) -> subprocess.CompletedProcess:
    """`python -m plan digest ARGUMENTS` in its own process, from `folder` (where digest.toml is)."""
    settings = {name: value for name, value in os.environ.items() if not name.startswith("PLAN_")}
    settings |= {"PYTHONPATH": str(DOC.parent.parent), "PLAN_CHROMIUM_PATH": str(folder / "no-chromium"), **env}
    return subprocess.run([sys.executable, "-m", "plan", "digest", *arguments], cwd=folder, env=settings,
                          capture_output=True, text=True, check=False)


@pytest.fixture
def deployment(tmp_path: Path) -> Path:
    """A deployment's folder: the sample's plans in data/ and a digest.toml naming a recipient."""
    copy_sample(tmp_path / "data")
    (tmp_path / "digest.toml").write_text(f'[[recipient]]\naddress = "{DIRECTOR}"\n', encoding="utf-8")
    return tmp_path


def test_the_workflow_file_parses_and_runs_on_a_schedule():
    found = workflow()
    on = found.get("on", found.get(True))  # YAML 1.1 reads the key `on` as true
    assert re.fullmatch(r"([\d*,/-]+ ){4}[\d*,/-]+", on["schedule"][0]["cron"])
    step = next(step for step in found["jobs"]["digest"]["steps"] if COMMAND in step.get("run", ""))
    assert set(step["env"]) >= {"PLAN_STORE_URL", "PLAN_SMTP_URL", "PLAN_BASE_URL"}


@pytest.mark.parametrize("recipe", ["cron", "systemd"])
def test_the_folder_recipes_command_runs(deployment, recipe):
    done = run_recipe([*recipes()[recipe], "--dry-run"], deployment)
    assert done.returncode == 0, done.stderr
    assert f"To: {DIRECTOR}\nSubject: Estado del plan: ProChile Atacama 2021, Alianza del Pacífico 2020" in done.stdout


def test_the_workflow_command_sends_from_a_postgresql_store_and_the_store_remembers(deployment, store_url, smtp):
    mailbox, port = smtp
    assert main(["store", "init", "--url", store_url]) == 0
    assert main(["store", "push", str(deployment / "data"), "--url", store_url]) == 0
    shutil.rmtree(deployment / "data")  # a CI machine has only the store
    env = {"PLAN_STORE_URL": store_url, "PLAN_SMTP_URL": url(port), "PLAN_BASE_URL": BASE_URL}
    done = run_recipe(recipes()["workflow"], deployment, **env)
    assert done.returncode == 0, done.stderr
    assert [message["To"] for message in mailbox.messages] == [DIRECTOR]
    store = PostgresStore.from_url(store_url)
    try:
        assert store.read_state(digest.state_name(DIRECTOR)) is not None
    finally:
        store.close()
    shutil.rmtree(deployment / ".plan-cache")  # the next run, on a new machine
    done = run_recipe(recipes()["workflow"], deployment, **env)
    assert done.returncode == 0 and "nada cambió" in done.stdout and len(mailbox.messages) == 1


def test_the_dashboard_link_opens_the_plans_view_in_the_recipients_language(app_env):
    link = digest.dashboard_link(BASE_URL, "Alianza del Pacífico", 2020, "en")
    params = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    at = open_page(**params)
    assert at.sidebar.multiselect(key="office").value == ["Alianza del Pacífico"]
    assert at.sidebar.multiselect(key="year").value == [2020]
    assert at.sidebar.radio(key="lang").value == "en"
    assert not at.sidebar.warning  # no value of the link was dropped


def test_another_run_marking_the_recipient_while_this_one_sends_is_told_and_its_state_kept(sample_dir, capsys,
                                                                                            monkeypatch):
    """The SMTP server itself marks the recipient (as a second run would) while it receives this run's message."""
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    theirs = b'{"plans": {}, "seq": 0}'

    class MarkedMeanwhile(Mailbox):
        async def handle_DATA(self, server, session, envelope):
            FolderStore(sample_dir).write_state(digest.state_name(DIRECTOR), theirs, None)
            return await super().handle_DATA(server, session, envelope)

    port = free_port()
    controller = Controller(MarkedMeanwhile(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        code, _out, err = run(capsys, sample_dir, "--to", DIRECTOR, "--smtp", f"smtp://127.0.0.1:{port}")
    finally:
        controller.stop()
    assert code == 1 and err.startswith(f"{DIRECTOR}: the digest was sent, but another run marked this recipient")
    assert state(sample_dir, DIRECTOR) == theirs


def test_the_library_runs_a_digest_without_the_command_line(sample_dir, smtp, monkeypatch):
    """plan.view.digest_run holds the flow (the command line only prints what it says): a run sends, marks, and a
    failed send is an error line that marks nothing."""
    mailbox, port = smtp
    monkeypatch.setenv("PLAN_CHROMIUM_PATH", str(sample_dir / "no-chromium"))
    settings = digest_run.Settings([(DIRECTOR, [ATACAMA]), (REFUSED, [])], mail.smtp_server(url(port)), BASE_URL)
    request = digest_run.Request(sample_dir, sample_dir.parent / "plan.duckdb", None, settings, "en", 10_000_000)
    said = list(digest_run.run(request))
    assert [line.error for line in said if line.text.startswith((DIRECTOR, REFUSED))] == [False, True]
    assert f"{DIRECTOR}: digest sent ({ATACAMA})." in [line.text for line in said]
    assert [message["To"] for message in mailbox.messages] == [DIRECTOR]
    assert state(sample_dir, DIRECTOR) is not None and state(sample_dir, REFUSED) is None
