"""The digest's mail over TLS (plan.data.mail): STARTTLS on `smtp://` and implicit TLS on `smtps://`, against a real
SMTP server (aiosmtpd) with a certificate made for the test, which the client trusts through SSL_CERT_FILE as it
would a host's own authority. A server whose certificate is not trusted gets no login and no message."""

import datetime as dt
import ipaddress
import ssl
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from plan.data import mail
from tests.test_digest import PASSWORD, USER, Mailbox, authenticator, free_port


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, as PEM files."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class TlsMailbox(Mailbox):
    """Keeps every message accepted, and whether its session was encrypted."""

    def __init__(self):
        super().__init__()
        self.encrypted: list[bool] = []

    async def handle_DATA(self, server, session, envelope):
        # STARTTLS sets the session's `ssl`; under implicit TLS the connection itself carries the TLS object
        self.encrypted.append(session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None)
        return await super().handle_DATA(server, session, envelope)


def served(certificate: tuple[Path, Path], implicit: bool):
    """A server asking for a login over TLS only: STARTTLS required, or (implicit) TLS from the first byte."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    mailbox, port = TlsMailbox(), free_port()
    # aiosmtpd offers AUTH under implicit TLS only when told it need not wait for STARTTLS (every byte is
    # encrypted there anyway); the handler records whether each session was.
    tls = ({"ssl_context": context, "auth_require_tls": False} if implicit
           else {"tls_context": context, "require_starttls": True, "auth_require_tls": True})
    controller = Controller(mailbox, hostname="127.0.0.1", port=port, authenticator=authenticator, **tls)
    return controller, mailbox, port


def message() -> EmailMessage:
    sent = EmailMessage()
    sent["From"], sent["To"], sent["Subject"] = "tablero@example.cl", "directora@example.cl", "Resumen"
    sent.set_content("Nada cambió.")
    return sent


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_login_and_a_message_go_over_tls(certificate, monkeypatch, scheme):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # the host's trusted authority, here the test's
    controller, mailbox, port = served(certificate, implicit=scheme == "smtps")
    controller.start()
    try:
        mail.send(mail.smtp_server(f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"), message())
    finally:
        controller.stop()
    assert [received["Subject"] for received in mailbox.messages] == ["Resumen"]
    assert mailbox.encrypted == [True]


@pytest.mark.parametrize("scheme", ["smtp", "smtps"])
def test_a_server_whose_certificate_is_not_trusted_gets_no_login_and_no_message(certificate, scheme):
    controller, mailbox, port = served(certificate, implicit=scheme == "smtps")
    controller.start()
    try:
        with pytest.raises(mail.SendFailed) as failed:
            mail.send(mail.smtp_server(f"{scheme}://{USER}:{PASSWORD}@127.0.0.1:{port}"), message())
    finally:
        controller.stop()
    assert mailbox.messages == []
    assert "CERTIFICATE_VERIFY_FAILED" in str(failed.value) and PASSWORD not in str(failed.value)
