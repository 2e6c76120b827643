"""Kemendagri region codes: provinces, kabupaten/kota and kecamatan (reference data)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Province(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=2)
    name: str


class Regency(SQLModel, table=True):
    """A kabupaten or kota."""

    code: str = Field(primary_key=True, max_length=4)
    province_code: str = Field(foreign_key="province.code", index=True, max_length=2)
    name: str
    kind: str = Field(max_length=9)


class District(SQLModel, table=True):
    """A kecamatan."""

    code: str = Field(primary_key=True, max_length=6)
    regency_code: str = Field(foreign_key="regency.code", index=True, max_length=4)
    name: str
