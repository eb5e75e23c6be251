"""Personal identity codes kept safe (issue #22): sealed with AES-GCM, keys with ids, rotation.

The code is stored only as ciphertext (``client_personal.identity_code_sealed``: a 12-byte
random nonce and the AES-256-GCM ciphertext with its tag), the id of the key that sealed it
(``identity_code_key``) and the masked form lists show (``010190-***X``). The client's id is
the associated data: a ciphertext copied to another client's row does not open.

Keys come from the environment, never from the repository:

* ``PAIKKA_IDENTITY_KEYS``: ``id:base64key`` pairs separated by commas, or
* ``PAIKKA_IDENTITY_KEY_FILE``: a file of ``id base64key`` lines (``#`` comments);

the first key is the current one (new codes are sealed with it), the others only open what
they sealed. Rotation: put a new key first, keep the old ones, run ``python -m service.admin
reencrypt-identity-codes`` (every code is sealed again with the current key), then drop the
old keys. A key is 32 random bytes, base64: ``python -m service.admin new-identity-key``.
"""

from __future__ import annotations

import base64
import binascii
import functools
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from service.config import Settings

NONCE_BYTES = 12
KEY_BYTES = 32


class IdentityKeyError(RuntimeError):
    """A key ring that cannot be read, or a code that no key opens."""


def _associated(client_id: str) -> bytes:
    return f"paikka:identity_code:{client_id}".encode()


@dataclass(frozen=True)
class KeyRing:
    """The identity-code keys: ``current`` seals, every key opens what it sealed."""

    current: str
    keys: dict[str, bytes]

    @classmethod
    def parse(cls, pairs: list[tuple[str, str]]) -> KeyRing:
        """A key ring from ``(id, base64 key)`` pairs, the current key first."""
        keys: dict[str, bytes] = {}
        for ident, encoded in pairs:
            if (
                not ident
                or len(ident) > 32
                or not ident.replace("-", "").replace("_", "").isalnum()
            ):
                raise IdentityKeyError("a key id is 1-32 letters, digits, - or _")
            try:
                key = base64.b64decode(encoded, validate=True)
            except (binascii.Error, ValueError) as exc:
                raise IdentityKeyError(f"key {ident} is not base64") from exc
            if len(key) != KEY_BYTES:
                raise IdentityKeyError(f"key {ident} must be {KEY_BYTES} bytes (AES-256)")
            if ident in keys:
                raise IdentityKeyError(f"key {ident} is given twice")
            keys[ident] = key
        if not keys:
            raise IdentityKeyError("no identity-code key given")
        return cls(next(iter(keys)), keys)

    @classmethod
    def from_text(cls, keys: str = "", key_file: str = "") -> KeyRing | None:
        """The key ring of the settings (``identity_keys`` or ``identity_key_file``), or
        ``None`` when neither is set (identity codes then cannot be stored)."""
        pairs: list[tuple[str, str]] = []
        if keys.strip():
            for item in keys.split(","):
                ident, _, encoded = item.strip().partition(":")
                pairs.append((ident.strip(), encoded.strip()))
        elif key_file.strip():
            for line in Path(key_file).read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    ident, _, encoded = line.partition(" ")
                    pairs.append((ident.strip(), encoded.strip()))
        else:
            return None
        return cls.parse(pairs)

    def seal(self, code: str, client_id: str) -> tuple[bytes, str]:
        """The ciphertext of ``code`` for ``client_id`` under the current key, and its id."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.keys[self.current]).encrypt(
            nonce, code.encode("ascii"), _associated(client_id)
        )
        return nonce + sealed, self.current

    def open(self, sealed: bytes, key_id: str, client_id: str) -> str:
        """The code sealed for ``client_id`` under ``key_id``."""
        key = self.keys.get(key_id)
        if key is None:
            raise IdentityKeyError(f"the key {key_id} that sealed this code is not configured")
        try:
            plain = AESGCM(key).decrypt(
                sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], _associated(client_id)
            )
        except InvalidTag as exc:
            raise IdentityKeyError("the sealed code does not open: wrong key or altered") from exc
        return plain.decode("ascii")


def new_key() -> str:
    """A fresh key, base64 (32 random bytes)."""
    return base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


@functools.cache
def _ring(keys: str, key_file: str) -> KeyRing | None:
    return KeyRing.from_text(keys, key_file)


def keyring_of(settings: Settings) -> KeyRing | None:
    """The key ring the settings name (read once per process), or ``None``."""
    return _ring(settings.identity_keys.get_secret_value(), settings.identity_key_file)
