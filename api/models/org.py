"""The pilot's organisation: coordination regions, pilot kab/kota and their offices."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class CoordinationRegion(SQLModel, table=True):
    __tablename__ = "coordination_region"

    code: str = Field(primary_key=True, max_length=16)
    name: str
    # True while the official name is unpublished and the demo's example name stands in.
    example_name: bool = False


class PilotRegency(SQLModel, table=True):
    __tablename__ = "pilot_regency"

    regency_code: str = Field(primary_key=True, foreign_key="regency.code", max_length=4)
    coordination_region_code: str = Field(foreign_key="coordination_region.code", index=True)
    # Press-confirmed pilot; False marks example data to be replaced by the ministry's list.
    confirmed: bool = False


class Office(SQLModel, table=True):
    """An office that receives complaints: a pilot kab/kota's dinas, a province, a desk."""

    code: str = Field(primary_key=True, max_length=32)
    name: str
    type: str = Field(index=True, max_length=16)
    email: str | None = None
    regency_code: str | None = Field(default=None, foreign_key="regency.code", index=True)
    province_code: str | None = Field(default=None, foreign_key="province.code", index=True)
    coordination_region_code: str | None = Field(
        default=None, foreign_key="coordination_region.code", index=True
    )
    active: bool = True
    # "file" for offices of api/data/pilot.yaml (a reload updates them and deactivates those
    # dropped from the file), "admin" for offices added through the admin API (a reload
    # leaves them alone).
    managed_by: str = Field(default="file", max_length=8)
