"""Sending an e-mail through SMTP, with the standard library only.

    smtp_server(url)        `smtp://user:password@host:port` (STARTTLS when the server offers it) or `smtps://`
                            (TLS from the start), checked; the password is never shown (`SmtpServer.shown`)
    send(server, message)   send one message; SendFailed with the reason (the password left out) on any failure,
                            and before a login over `smtp://` to a server without STARTTLS that is not this
                            machine (the password would cross the network in clear)

It sits in data beside the other connections to the outside (PostgreSQL): it knows nothing of plans.
"""

import ipaddress
import smtplib
import ssl
import urllib.parse
from dataclasses import dataclass, field
from email.message import EmailMessage

from plan.model.i18n import t
from plan.model.issues import UsageError

SMTP_URL_VARIABLE = "PLAN_SMTP_URL"
DEFAULT_PORTS = {"smtp": 587, "smtps": 465}
TIMEOUT_S = 30


@dataclass(frozen=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str = ""
    password: str = field(default="", repr=False)

    @property
    def shown(self) -> str:
        """The server as it may be printed: no password."""
        who = f"{self.user}@" if self.user else ""
        return f"{self.scheme}://{who}{self.host}:{self.port}"


class SendFailed(Exception):
    """The message was not accepted, or not sent; `said(lang)` says why (without the password): the server's or
    the system's words as they came, or a message key of this module's own refusals."""

    def __init__(self, reason: str, key: str = "", **params):
        super().__init__(reason or key)
        self.reason, self.key, self.params = reason, key, params

    def said(self, lang: str) -> str:
        return t(self.key, lang, **self.params) if self.key else self.reason


def smtp_server(url: str) -> SmtpServer:
    """The server an SMTP URL names; UsageError (showing the URL without its password) when it is not one."""
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        raise UsageError("smtp_url_invalid", value=masked(url), schemes=", ".join(f"{s}://" for s in DEFAULT_PORTS))
    return SmtpServer(parts.scheme, parts.hostname, port or DEFAULT_PORTS[parts.scheme],
                      urllib.parse.unquote(parts.username or ""), urllib.parse.unquote(parts.password or ""))


def masked(url: str) -> str:
    """`url` with whatever stands where a password would (between the user's `:` and the last `@`) as ***, also in a
    URL too broken to parse (`smtps//user:password@host`)."""
    head, sep, rest = url.partition("://")
    if not sep:
        head, rest = "", url
    if "@" not in rest:
        return url
    userinfo, _, host = rest.rpartition("@")
    user, colon, _ = userinfo.partition(":")
    return f"{head}{sep}{user}{colon and ':***'}@{host}"


def send(server: SmtpServer, message: EmailMessage) -> None:
    """Send `message` to its To: addresses; SendFailed when the server cannot be reached, refuses the login or
    refuses a recipient."""
    try:
        if server.scheme == "smtps":
            client = smtplib.SMTP_SSL(server.host, server.port, timeout=TIMEOUT_S,
                                      context=ssl.create_default_context())
        else:
            client = smtplib.SMTP(server.host, server.port, timeout=TIMEOUT_S)
        with client:
            client.ehlo()
            if server.scheme == "smtp" and client.has_extn("starttls"):
                client.starttls(context=ssl.create_default_context())
                client.ehlo()
            elif server.scheme == "smtp" and server.user and not loopback(client.sock.getpeername()[0]):
                raise SendFailed("", "smtp_cleartext_refused", server=server.shown)
            if server.user:
                client.login(server.user, server.password)
            client.send_message(message)
    except smtplib.SMTPRecipientsRefused as refused:
        raise SendFailed(_hidden("; ".join(f"{address}: {code} {_said(text)}"
                                           for address, (code, text) in refused.recipients.items()),
                                 server)) from None
    except smtplib.SMTPResponseException as error:
        raise SendFailed(_hidden(f"{error.smtp_code} {_said(error.smtp_error)}", server)) from None
    except (smtplib.SMTPException, OSError) as error:
        raise SendFailed(_hidden(f"{type(error).__name__}: {error}", server)) from None


def loopback(address: str) -> bool:
    """Whether `address` (the server's, as connected) is this machine: a password sent there in clear stays on it."""
    try:
        return ipaddress.ip_address(address.split("%")[0]).is_loopback
    except ValueError:
        return False


def _said(text: bytes | str) -> str:
    return text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)


def _hidden(reason: str, server: SmtpServer) -> str:
    """A server's reply never repeats the password, but a reason must not show it even if it did."""
    return reason.replace(server.password, "***") if server.password else reason
