"""Sealing a secret the service must keep but nobody should read from the database: Fernet, keyed by SECRET_KEY.

Used for peer invitation tokens the service e-mails: only their hash identifies the
link (decision 013), but reminders before the link expires must carry the link
again, so the token itself is kept, sealed. A database backup, or someone who can
read the tables, gets nothing usable without the app's SECRET_KEY. The key is
derived with HKDF for this one purpose, so it is not the key that signs sessions.
Changing SECRET_KEY makes sealed tokens unreadable: reminders are then not sent
(the outbox says why) and the CSO makes a new link.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

PURPOSE = b"section17 sealed peer links"


def _fernet() -> Fernet:
    secret = current_app.secret_key
    material = secret.encode() if isinstance(secret, str) else bytes(secret or b"")
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=PURPOSE).derive(material)
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def unseal(sealed: str | None) -> str | None:
    """The secret, or None if there is none or it cannot be opened (another key, or tampered with)."""
    if not sealed:
        return None
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except (InvalidToken, ValueError):
        return None
