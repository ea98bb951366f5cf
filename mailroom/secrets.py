"""IMAP passwords at rest: encrypted with Fernet (AES-128-CBC and HMAC-SHA256, from the
``cryptography`` package), under a key derived by HKDF-SHA256 from ``MAILROOM_SECRET_KEY``, or
from ``SECRET_KEY`` when that is not set. A dedicated key lets the secret key be rotated
without losing the mailbox passwords; rotating the key that encrypts them means setting each
password again."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from cryptography.fernet import Fernet


class UnreadableSecret(Exception):
    """The stored password was encrypted under another key, or is damaged."""


def _fernet() -> Fernet:
    # cryptography loads only where a mailbox password is read or written (the web process rarely).
    from cryptography.fernet import Fernet  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: PLC0415

    secret = (settings.MAILROOM_SECRET_KEY or settings.SECRET_KEY).encode()
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"mailroom.imap-password").derive(secret)
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode("ascii") if plain else ""


def decrypt_secret(token: str) -> str:
    if not token:
        return ""
    from cryptography.fernet import InvalidToken  # noqa: PLC0415

    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError):
        raise UnreadableSecret("the mailbox password cannot be decrypted with the current key") from None
