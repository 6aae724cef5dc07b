"""Handing a message to the mail service: SMTP by default, GOV.UK Notify if its API key is set.

SECTION17_MAIL_URL says where the SMTP server is:

    smtp://user:password@host:587?starttls=true   (STARTTLS on the submission port)
    smtps://user:password@host:465                (TLS from the start)
    smtp://127.0.0.1:25                           (a relay on this machine, no login)

Errors are sorted into temporary ones (the server is down, busy, or answered 4xx:
try again later) and permanent ones (5xx: the address is refused; trying again
would only be refused again), so the outbox retries only what may succeed.
"""

from __future__ import annotations

import smtplib
import ssl
import threading
import time
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from typing import Any, Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from app.config import ConfigurationError

SMTP_TIMEOUT_SECONDS = 30
IDLE_CHECK_SECONDS = 5.0
TRUE_WORDS = {"1", "true", "yes", "on"}
# CRLF line ends as SMTP wants; header lines up to RFC 5322's limit, because Python's folding of a long
# subject at 78 characters puts the whole subject on a continuation line, read back with a leading space.
MESSAGE_POLICY = policy.SMTP.clone(max_line_length=998)


class DeliveryError(Exception):
    """The mail service did not take the message. `temporary`: worth trying again later."""

    def __init__(self, reason: str, *, temporary: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary


@dataclass(frozen=True)
class Outgoing:
    """One message as it is handed over: the outbox row's content, nothing from the database session."""

    key: str
    to_email: str
    to_name: str
    subject: str
    text: str
    html: str
    template: str = ""  # our template's name (GOV.UK Notify may map it to a template of its own)


class Delivery(Protocol):
    name: str

    def send(self, message: Outgoing) -> str:
        """Send it; return the service's id for it (a Message-ID, a Notify id). Raise DeliveryError."""

    def describe(self) -> str:
        """Where messages go, for people, with no password: "SMTP at mail.council.gov.uk:587 with STARTTLS"."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    implicit_tls: bool
    starttls: bool
    sender: str
    sender_name: str
    timeout: float = SMTP_TIMEOUT_SECONDS


def parse_mail_url(url: str, sender: str, sender_name: str) -> SmtpSettings:
    """SmtpSettings from SECTION17_MAIL_URL; a clear ConfigurationError for anything it cannot use."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ConfigurationError(f"SECTION17_MAIL_URL must start with smtp:// or smtps://; got {parts.scheme or 'nothing'!r}.")
    if not parts.hostname:
        raise ConfigurationError("SECTION17_MAIL_URL names no server: use smtp://host:port.")
    try:
        port = parts.port or (465 if parts.scheme == "smtps" else 25)
    except ValueError:
        raise ConfigurationError("SECTION17_MAIL_URL has a port that is not a number.") from None
    options = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(options) - {"starttls", "timeout"})
    if unknown:
        raise ConfigurationError(f"SECTION17_MAIL_URL has options this service does not know: {', '.join(unknown)} "
                                 "(it knows starttls and timeout).")
    try:
        timeout = float(options.get("timeout", SMTP_TIMEOUT_SECONDS))
    except ValueError:
        raise ConfigurationError("SECTION17_MAIL_URL's timeout must be a number of seconds.") from None
    if not sender or "@" not in sender:
        raise ConfigurationError("SECTION17_MAIL_FROM must be the address messages come from, "
                                 "e.g. section17@council.gov.uk.")
    return SmtpSettings(host=parts.hostname, port=port, username=unquote(parts.username or ""),
                        password=unquote(parts.password or ""), implicit_tls=parts.scheme == "smtps",
                        starttls=options.get("starttls", "").lower() in TRUE_WORDS, sender=sender,
                        sender_name=sender_name, timeout=timeout)


def build_email(message: Outgoing, sender: str, sender_name: str) -> EmailMessage:
    """The MIME message: plain text first, the same in simple HTML as the alternative.

    The Message-ID is made from the outbox key, so the same message handed over twice
    (which the outbox prevents) would still be recognisably one message; the
    Auto-Submitted header keeps out-of-office replies from coming back.
    """
    email = EmailMessage(policy=MESSAGE_POLICY)
    email["Subject"] = message.subject
    email["From"] = formataddr((sender_name, sender))
    email["To"] = formataddr((message.to_name, message.to_email))
    domain = sender.rsplit("@", 1)[-1]
    email["Message-ID"] = make_msgid(idstring=_safe_id(message.key), domain=domain)
    email["Auto-Submitted"] = "auto-generated"
    email["X-Auto-Response-Suppress"] = "All"
    email.set_content(message.text)
    email.add_alternative(message.html, subtype="html")
    return email


def _safe_id(key: str) -> str:
    return "".join(c if c.isalnum() or c in "-." else "-" for c in key)[:60]


class SmtpDelivery:
    """SMTP, one connection per worker thread, kept open between messages and reopened when it drops."""

    name = "smtp"

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self.local = threading.local()

    def describe(self) -> str:
        s = self.settings
        how = " with TLS" if s.implicit_tls else " with STARTTLS" if s.starttls else ""
        login = f", signing in as {s.username}" if s.username else ""
        return f"SMTP at {s.host}:{s.port}{how}{login}, from {s.sender}"

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        if s.implicit_tls:
            connection: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=context)
        else:
            connection = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                connection.starttls(context=context)
        if s.username:
            connection.login(s.username, s.password)
        return connection

    def _connection(self) -> smtplib.SMTP:
        """This thread's connection; one idle for IDLE_CHECK_SECONDS is asked first whether it is still there.

        Servers drop idle connections (often after 30 to 300 seconds); asking before every
        message would cost a round trip each (1.4x the time of sending alone over loopback).
        """
        connection = getattr(self.local, "connection", None)
        if connection is not None:
            if time.monotonic() - getattr(self.local, "used_at", 0.0) < IDLE_CHECK_SECONDS:
                return connection
            try:
                if connection.noop()[0] == 250:
                    return connection
            except (smtplib.SMTPException, OSError):
                pass
            self.close()
        self.local.connection = self._connect()
        return self.local.connection

    def close(self) -> None:
        connection = getattr(self.local, "connection", None)
        self.local.connection = None
        if connection is not None:
            try:
                connection.quit()
            except (smtplib.SMTPException, OSError):
                pass

    def send(self, message: Outgoing) -> str:
        email = build_email(message, self.settings.sender, self.settings.sender_name)
        try:
            try:
                refused = self._connection().send_message(email)
            except smtplib.SMTPServerDisconnected:  # a kept connection the server had closed: once more, anew
                self.close()
                refused = self._connection().send_message(email)
            self.local.used_at = time.monotonic()
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            code, text = next(iter(error.recipients.values()))
            raise DeliveryError(f"The mail server refused {message.to_email}: {code} {_text(text)}",
                                temporary=code < 500) from None
        except smtplib.SMTPAuthenticationError as error:
            self.close()
            raise DeliveryError(f"The mail server did not accept the user name and password in SECTION17_MAIL_URL: "
                                f"{error.smtp_code} {_text(error.smtp_error)}", temporary=True) from None
        except smtplib.SMTPResponseException as error:
            self.close()
            raise DeliveryError(f"The mail server answered {error.smtp_code} {_text(error.smtp_error)}",
                                temporary=error.smtp_code < 500) from None
        except (TimeoutError, smtplib.SMTPException, ssl.SSLError, OSError) as error:
            self.close()
            raise DeliveryError(f"Could not reach the mail server at {self.settings.host}:{self.settings.port}: "
                                f"{error}", temporary=True) from None
        if refused:
            code, text = next(iter(refused.values()))
            raise DeliveryError(f"The mail server refused {message.to_email}: {code} {_text(text)}",
                                temporary=code < 500)
        return str(email["Message-ID"])


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


_CACHE_LOCK = threading.Lock()


def delivery_for(config: Any, cache: dict[str, Any]) -> Delivery | None:
    """The app's delivery (one per app, kept in `cache`), or None when e-mail is not set up."""
    with _CACHE_LOCK:
        if "delivery" not in cache:
            cache["delivery"] = make_delivery(config)
        return cache["delivery"]


def make_delivery(config: Any) -> Delivery | None:
    sender = str(config.get("MAIL_FROM") or "")
    sender_name = str(config.get("MAIL_FROM_NAME") or "Section 17 Audit")
    if config.get("NOTIFY_API_KEY"):
        from app.mail.notify import NotifyDelivery

        return NotifyDelivery.from_config(config)
    url = config.get("MAIL_URL")
    if not url:
        return None
    return SmtpDelivery(parse_mail_url(str(url), sender, sender_name))
