"""Shared column helpers for the SQLModel tables."""

import enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from core import clock
from core.db import UTCDateTime, enum_type
from core.ids import new_id


def id_field() -> Any:
    return Field(default_factory=new_id, primary_key=True)


def fk(target: str, *, nullable: bool = False, index: bool = True) -> Any:
    return Field(default=None if nullable else ..., foreign_key=target, nullable=nullable, index=index)


def created_at_field() -> Any:
    return Field(default_factory=clock.now, sa_type=UTCDateTime, nullable=False)


def timestamp_field(*, nullable: bool = True) -> Any:
    return Field(default=None if nullable else ..., sa_type=UTCDateTime, nullable=nullable)


def updated_at_field() -> Any:
    """Set on every UPDATE the ORM issues, so that whatever changed a row says so."""
    return Field(default=None, sa_type=UTCDateTime, nullable=True, sa_column_kwargs={"onupdate": clock.now})


def enum_field(enum_class: type[enum.Enum], default: Any = ..., *, index: bool = False) -> Any:
    return Field(default=default, sa_type=enum_type(enum_class), nullable=False, index=index)


def json_field(default_factory: Any = list) -> Any:
    return Field(default_factory=default_factory, sa_type=sa.JSON, nullable=False)
