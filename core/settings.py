"""Typed settings read from ``TREMPLIN_*`` environment variables.

Every setting has an embedded default so that ``tremplin demo`` runs with nothing to
install: a SQLite file under the data directory.
"""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TREMPLIN_", extra="ignore")

    data_dir: Path = Field(default=Path("var"), description="Where embedded data lives.")
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy async URL; defaults to a SQLite file in data_dir. "
        "Use postgresql+asyncpg://user@host/db for PostgreSQL.",
    )
    debug: bool = Field(default=False, description="Serve GraphiQL and verbose logs.")
    host: str = "127.0.0.1"
    port: int = 8000
    default_language: str = Field(default="en", pattern="^(en|fr)$")
    session_ttl_hours: int = Field(default=12, ge=1, description="Lifetime of a sign-in token.")
    proposal_ttl_days: int = Field(
        default=14, ge=1, description="Days a match proposal waits for answers before it expires."
    )
    argon2_time_cost: int = Field(default=3, ge=1)
    argon2_memory_cost: int = Field(default=65536, ge=64, description="KiB")
    graphql_max_depth: int = Field(default=12, ge=2)
    sign_in_failures_allowed: int = Field(
        default=5, ge=1, description="Failed sign-ins after which an account is locked for a while."
    )
    sign_in_lockout_minutes: int = Field(default=15, ge=1, description="How long that lock lasts.")
    sign_in_attempts_per_minute: int = Field(
        default=30, ge=1, description="Sign-ins one client address may try a minute."
    )
    meilisearch_url: str | None = Field(
        default=None,
        description="Meilisearch server (http://host:7700); unset: the embedded engine under data_dir.",
    )
    meilisearch_key: str | None = Field(default=None, description="Meilisearch API key, if it needs one.")
    meilisearch_index: str = Field(default="tremplin_mentors", description="Meilisearch index name.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tremplin.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
