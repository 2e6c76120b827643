"""Personal fields at rest: keyed hashes to find, authenticated encryption to read back."""

from __future__ import annotations

import pickle

import pytest

from api.domain.protection import DecryptionFailed, Protector

KEY_A = Protector(hash_key=b"a" * 32, data_key=b"k" * 32)
KEY_B = Protector(hash_key=b"b" * 32, data_key=b"j" * 32)
NIK = "3510014107900001"


def test_the_same_nik_hashes_alike_under_one_key_and_differently_under_another():
    assert KEY_A.nik_hash(NIK) == KEY_A.nik_hash(NIK)
    assert KEY_A.nik_hash(NIK) != KEY_B.nik_hash(NIK)


def test_a_nik_and_a_family_card_with_the_same_digits_hash_differently():
    assert KEY_A.nik_hash(NIK) != KEY_A.kk_hash(NIK)


def test_encrypted_fields_round_trip_and_do_not_contain_the_plaintext():
    token = KEY_A.encrypt("SITI AMINAH", column="beneficiary.name")
    assert b"SITI" not in token
    assert KEY_A.decrypt(token, column="beneficiary.name") == "SITI AMINAH"


def test_encrypting_twice_gives_different_ciphertexts():
    assert KEY_A.encrypt(NIK, column="c") != KEY_A.encrypt(NIK, column="c")


def test_a_ciphertext_moved_to_another_column_does_not_decrypt():
    token = KEY_A.encrypt(NIK, column="beneficiary.nik")
    with pytest.raises(DecryptionFailed):
        KEY_A.decrypt(token, column="beneficiary.no_kk")


def test_a_ciphertext_under_another_key_or_tampered_does_not_decrypt():
    token = KEY_A.encrypt(NIK, column="c")
    with pytest.raises(DecryptionFailed):
        KEY_B.decrypt(token, column="c")
    with pytest.raises(DecryptionFailed):
        KEY_A.decrypt(token[:-1] + bytes([token[-1] ^ 1]), column="c")


def test_a_protector_sent_to_another_process_hashes_and_decrypts_alike():
    # The bulk import pickles one into each of its row-checking processes.
    copy = pickle.loads(pickle.dumps(KEY_A))
    assert copy.nik_hash(NIK) == KEY_A.nik_hash(NIK)
    token = copy.seal_identity(NIK, "SITI AMINAH", "3510010101100001")
    assert KEY_A.decrypt_identity(token).name == "SITI AMINAH"


def test_while_a_key_is_rotated_the_earlier_keys_ciphertexts_still_open():
    old = Protector(hash_key=b"a" * 32, data_key=b"o" * 32)
    rotating = Protector(hash_key=b"a" * 32, data_key=b"n" * 32, previous_data_keys=(b"o" * 32,))
    before = old.encrypt("SITI AMINAH", column="beneficiary.name")
    after = rotating.encrypt("SITI AMINAH", column="beneficiary.name")
    assert rotating.decrypt_noting_key(before, column="beneficiary.name") == ("SITI AMINAH", False)
    assert rotating.decrypt_noting_key(after, column="beneficiary.name") == ("SITI AMINAH", True)
    # New ciphertexts are the new key's only: the old key cannot open them.
    with pytest.raises(DecryptionFailed):
        old.decrypt(after, column="beneficiary.name")
    # An earlier key still binds the column, and survives the trip to an import worker.
    with pytest.raises(DecryptionFailed):
        rotating.decrypt(before, column="beneficiary.identity")
    assert pickle.loads(pickle.dumps(rotating)).decrypt(before, column="beneficiary.name")
