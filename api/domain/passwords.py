"""Staff passwords: argon2id (argon2-cffi), and the scrypt hashes of earlier releases.

A new hash is argon2id with argon2-cffi's default parameters (RFC 9106's low-memory
profile: 64 MiB, 3 passes). A stored scrypt hash (``scrypt$n$r$p$salt$digest``, the
format before the console) is still checked, and the sign-in that succeeds with it stores
an argon2id hash instead (:func:`needs_upgrade`), so no account has to reset its password.

Hashing takes tens of milliseconds of CPU and tens of MiB; it runs in a small pool of threads
of its own (``HASHING_THREADS``; both algorithms release the GIL), never on the event loop,
so sign-ins, however many, cannot stall other requests: they queue for the pool instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
import secrets
from concurrent.futures import ThreadPoolExecutor

from argon2 import Parameters, PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_ARGON2 = PasswordHasher()


def use_parameters(parameters: Parameters) -> None:
    """Hash with other argon2 parameters from now on (the test suite uses argon2-cffi's
    cheapest profile: thousands of accounts are created there, none of them real)."""
    global _ARGON2, DUMMY_HASH
    _ARGON2 = PasswordHasher.from_parameters(parameters)
    DUMMY_HASH = hash_password(secrets.token_hex(8))


# Hashes at once per process: half the machine's cores (at least one, at most four), so the
# other half stays for requests, and memory for hashing stays bounded however many sign-ins
# arrive.
HASHING_THREADS = min(4, max(1, (os.cpu_count() or 2) // 2))
_hashing = ThreadPoolExecutor(max_workers=HASHING_THREADS, thread_name_prefix="password")


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> bool:
    if stored.startswith("scrypt$"):
        return _verify_scrypt(password, stored)
    try:
        return _ARGON2.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_upgrade(stored: str) -> bool:
    """Whether a hash that just matched should be replaced by a fresh argon2id one: a legacy
    scrypt hash, or argon2 with parameters weaker than today's."""
    if stored.startswith("scrypt$"):
        return True
    try:
        return _ARGON2.check_needs_rehash(stored)
    except InvalidHashError:
        return True


def _verify_scrypt(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(
            password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p)
        )
    except ValueError:
        return False
    return hmac.compare_digest(candidate, bytes.fromhex(digest))


def legacy_scrypt_hash(password: str) -> str:
    """A hash in the pre-argon2 format: for tests and bench data that show the upgrade."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1)
    return f"scrypt${2**14}$8$1${salt.hex()}${digest.hex()}"


# Spent on unknown usernames too, so a sign-in's timing does not tell which usernames exist.
DUMMY_HASH = hash_password(secrets.token_hex(8))


async def password_matches(password: str, stored: str) -> bool:
    """``verify_password`` in the hashing pool, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(
        _hashing, verify_password, password, stored
    )


async def new_password_hash(password: str) -> str:
    """``hash_password`` in the hashing pool, off the event loop."""
    return await asyncio.get_running_loop().run_in_executor(_hashing, hash_password, password)
