"""Programs organizations run, and who may refer to them."""

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from core.models.base import created_at_field, fk, id_field, json_field


class Program(SQLModel, table=True):
    __tablename__ = "programs"

    id: uuid.UUID = id_field()
    organization_id: uuid.UUID = fk("organizations.id")
    program_type: str = Field(max_length=60, index=True, description="Key of a plugin's type")
    name_en: str = Field(max_length=200)
    name_fr: str = Field(max_length=200)
    description_en: str = Field(default="", sa_type=sa.Text)
    description_fr: str = Field(default="", sa_type=sa.Text)
    capacity: int = Field(default=50, description="Mentees in active mentorships at once")
    term_weeks: int = 12
    meeting_minutes_per_week: int = 60
    languages: list[str] = json_field()
    province: str = Field(default="ON", max_length=2)
    open_to_all_referrers: bool = True
    accepting_referrals: bool = True
    settings: dict[str, Any] = json_field(dict)
    # Matching weights, minimum score and language requirement staff set; what is not
    # set takes the platform's defaults (core.services.matching).
    matching: dict[str, Any] = json_field(dict)
    created_at: datetime = created_at_field()


class ProgramRuleSet(SQLModel, table=True):
    """One version of a program's eligibility rules. Versions are never changed: an
    edit adds the next one, so every referral keeps the version it was checked against."""

    __tablename__ = "program_rule_sets"
    __table_args__ = (sa.UniqueConstraint("program_id", "version"),)

    id: uuid.UUID = id_field()
    program_id: uuid.UUID = fk("programs.id")
    version: int
    rules: dict[str, Any] = json_field(dict)
    # None for the version the platform installed (a program's type defaults).
    created_by_user_id: uuid.UUID | None = fk("users.id", nullable=True, index=False)
    created_at: datetime = created_at_field()


class ProgramReferrer(SQLModel, table=True):
    """Organizations allowed to refer when a program is not open to all referrers."""

    __tablename__ = "program_referrers"

    program_id: uuid.UUID = Field(foreign_key="programs.id", primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organizations.id", primary_key=True)
