"""Staff passwords: argon2id, and the scrypt hashes of earlier releases still accepted."""

from __future__ import annotations

import argon2

from api.domain import passwords


def test_a_new_password_is_hashed_with_argon2id_and_checks():
    stored = passwords.hash_password("kata-sandi-yang-panjang")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password("kata-sandi-yang-panjang", stored)
    assert not passwords.verify_password("kata-sandi-yang-salah", stored)


def test_the_product_hashes_with_argon2_cffi_defaults_outside_the_tests():
    # The suite switches to the cheapest profile; the product keeps the library's default.
    default = argon2.PasswordHasher()
    assert default.type is argon2.Type.ID
    assert default.memory_cost >= 64 * 1024 and default.time_cost >= 3


def test_a_legacy_scrypt_hash_still_checks_and_asks_to_be_upgraded():
    stored = passwords.legacy_scrypt_hash("kata-sandi-yang-panjang")
    assert passwords.verify_password("kata-sandi-yang-panjang", stored)
    assert not passwords.verify_password("kata-sandi-yang-salah", stored)
    assert passwords.needs_upgrade(stored)
    assert not passwords.needs_upgrade(passwords.hash_password("kata-sandi-yang-panjang"))


def test_a_damaged_hash_matches_no_password():
    for stored in ("scrypt$1$2", "$argon2id$nonsense", "", "plain"):
        assert not passwords.verify_password("anything-at-all", stored)
