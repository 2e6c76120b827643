"""Keyed hashing and field encryption for personal data at rest.

A copy of the database alone must reveal no NIK and no full name. So:

* people are *found* by a keyed hash (BLAKE2b in its keyed MAC mode under ``NIK_HASH_KEY``):
  without the key a stolen table cannot be reversed by hashing all ~10^10 plausible NIKs;
* what staff may later need to *read* (NIK, name, family card number) is encrypted with
  AES-256-GCM under ``DATA_ENCRYPTION_KEY``. The column name is bound in as associated data,
  so a ciphertext copied into another column does not decrypt.

Each hash is domain-separated (BLAKE2b's personalisation: "nik", "name", …) so equal strings in
different roles do not produce equal hashes. BLAKE2b's keyed mode is a MAC by design (no HMAC
construction needed) and, from a pre-keyed state, about four times faster than HMAC-SHA256:
the bulk import computes four of these per person.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# One byte in front of every ciphertext names its format. Which key made it is not written
# down: GCM authenticates, so the current key and then each earlier one is tried (a wrong key
# fails verification); earlier keys are there only while `bansos rotate-keys encryption`
# re-encrypts (api/domain/key_rotation.py).
_KEY_ID = b"\x01"
_NONCE_BYTES = 12


@dataclass(frozen=True, slots=True)
class Identity:
    """Who a registry row is, as staff may need to read it back."""

    nik: str
    name: str
    no_kk: str

    def __repr__(self) -> str:  # never print personal data by accident
        return "Identity(<encrypted fields>)"


_IDENTITY_COLUMN = "beneficiary.identity"
_SEPARATOR = "\x1f"
_IDENTITY_AAD = _IDENTITY_COLUMN.encode()  # encoded once: the import seals millions


def _rebuild_protector(
    hash_key: bytes, data_key: bytes, previous_data_keys: tuple[bytes, ...] = ()
) -> Protector:
    return Protector(hash_key=hash_key, data_key=data_key, previous_data_keys=previous_data_keys)


class DecryptionFailed(ValueError):
    """A ciphertext was tampered with, moved to another column, or made with another key."""


class Protector:
    """Hashes and encrypts personal fields with the deployment's keys."""

    __slots__ = ("_nik", "_name", "_kk", "_row", "_reporter", "_aead", "_previous", "_keys")

    def __init__(
        self, *, hash_key: bytes, data_key: bytes, previous_data_keys: tuple[bytes, ...] = ()
    ) -> None:
        if len(hash_key) < 16:
            raise ValueError("the hash key must be at least 16 bytes")
        # BLAKE2b takes keys up to 64 bytes; a longer configured key is condensed first.
        key = hash_key if len(hash_key) <= 64 else hashlib.blake2b(hash_key).digest()
        # Pre-keyed states: each digest copies one instead of re-keying (the slow part).
        self._nik = hashlib.blake2b(key=key, digest_size=32, person=b"bansos.nik")
        self._name = hashlib.blake2b(key=key, digest_size=32, person=b"bansos.name")
        self._kk = hashlib.blake2b(key=key, digest_size=32, person=b"bansos.kk")
        self._row = hashlib.blake2b(key=key, digest_size=16, person=b"bansos.row")
        self._reporter = hashlib.blake2b(key=key, digest_size=32, person=b"bansos.reporter")
        self._aead = AESGCM(data_key)
        self._previous = tuple(AESGCM(key) for key in previous_data_keys)
        self._keys = (hash_key, data_key, tuple(previous_data_keys))

    def __reduce__(self):
        # Pickling carries the keys: it exists so the bulk import can hand a Protector to its
        # checking processes through a pipe. Never pickle one to disk or over a network.
        return _rebuild_protector, self._keys

    @staticmethod
    def _digest(keyed, value: str) -> bytes:
        state = keyed.copy()
        state.update(value.encode())
        return state.digest()

    def nik_hash(self, nik: str) -> bytes:
        """Lookup key for a normalized 16-digit NIK (32 bytes)."""
        return self._digest(self._nik, nik)

    def name_hash(self, normalized_name: str) -> bytes:
        """Comparison key for a name already passed through ``normalize_name`` (32 bytes)."""
        return self._digest(self._name, normalized_name)

    def kk_hash(self, no_kk: str) -> bytes:
        """Lookup key for a family card number (groups a family without revealing it)."""
        return self._digest(self._kk, no_kk)

    def fingerprint(self, *parts: str) -> bytes:
        """A keyed digest of a whole record (16 bytes), to tell "changed" from "same"."""
        return self._digest(self._row, "\x1f".join(parts))

    def reporter_hash(self, channel: str, channel_user: str) -> bytes:
        """Lookup key for a channel's user (a Telegram chat, a partner's account id)."""
        return self._digest(self._reporter, f"{channel}\x1f{channel_user}")

    def encrypt(self, plaintext: str, *, column: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _KEY_ID + nonce + self._aead.encrypt(nonce, plaintext.encode(), column.encode())

    def encrypt_identity(self, identity: Identity) -> bytes:
        """One ciphertext for NIK, name and family card number (one AES call per person)."""
        return self.seal_identity(identity.nik, identity.name, identity.no_kk)

    def seal_identity(self, nik: str, name: str, no_kk: str) -> bytes:
        """``encrypt_identity`` from the three fields, for the bulk import (which would
        otherwise build an ``Identity`` per row only to take it apart again)."""
        nonce = os.urandom(_NONCE_BYTES)
        plaintext = f"{nik}{_SEPARATOR}{name}{_SEPARATOR}{no_kk}".encode()
        return _KEY_ID + nonce + self._aead.encrypt(nonce, plaintext, _IDENTITY_AAD)

    def decrypt_identity(self, token: bytes) -> Identity:
        nik, name, no_kk = self.decrypt(token, column=_IDENTITY_COLUMN).split(_SEPARATOR)
        return Identity(nik=nik, name=name, no_kk=no_kk)

    def decrypt(self, token: bytes, *, column: str) -> str:
        return self.decrypt_noting_key(token, column=column)[0]

    def decrypt_noting_key(self, token: bytes, *, column: str) -> tuple[str, bool]:
        """The plaintext, and whether the current key made it (False: an earlier one did)."""
        if token[:1] != _KEY_ID:
            raise DecryptionFailed("unknown key id")
        nonce, body = token[1 : 1 + _NONCE_BYTES], token[1 + _NONCE_BYTES :]
        for aead in (self._aead, *self._previous):
            try:
                plaintext = aead.decrypt(nonce, body, column.encode()).decode()
            except Exception:  # InvalidTag: tampered, wrong column or wrong key
                continue
            return plaintext, aead is self._aead
        raise DecryptionFailed("ciphertext does not verify")
