"""Typed settings read from ``TREMPLIN_*`` environment variables.

Every setting has an embedded default so that ``tremplin demo`` runs with nothing to
install: a SQLite file under the data directory.
"""

import contextlib
import hashlib
import hmac
import os
import secrets
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
    demo: bool = Field(
        default=False,
        description="The platform runs the demo: the home page lists the demo logins, each signing in "
        "with a click. Set by `tremplin demo`; never on a real platform.",
    )
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
    graphql_max_complexity: int = Field(
        default=20000,
        ge=100,
        description="Highest cost of one GraphQL operation: each field 1, a list's selection times its page "
        "size (or 10 when it has none).",
    )
    request_max_body_bytes: int = Field(
        default=1_000_000, ge=10_000, description="Largest request body accepted (413 beyond)."
    )
    sign_in_failures_allowed: int = Field(
        default=5, ge=1, description="Failed sign-ins after which an account is locked for a while."
    )
    sign_in_lockout_minutes: int = Field(default=15, ge=1, description="How long that lock lasts.")
    sign_in_attempts_per_minute: int = Field(
        default=30, ge=1, description="Sign-ins one client address may try a minute."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Where people reach the platform; links in mail start with it.",
    )
    mail_from: str = Field(
        default="Tremplin <no-reply@tremplin.invalid>", description="Sender of the platform's mail."
    )
    smtp_host: str | None = Field(
        default=None, description="SMTP server; unset: mail is written to data_dir/mailbox/ instead."
    )
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_username: str | None = Field(default=None, description="SMTP login, if the server asks for one.")
    smtp_password: str | None = Field(default=None, description="SMTP password.")
    smtp_starttls: bool = Field(default=True, description="Upgrade the SMTP connection with STARTTLS.")
    smtp_ssl: bool = Field(default=False, description="Connect with TLS from the start (port 465).")
    smtp_timeout_seconds: float = Field(
        default=30, gt=0, description="Give up on the SMTP server after this."
    )
    email_verification_ttl_hours: int = Field(
        default=48, ge=1, description="Lifetime of an email verification (or invitation) link."
    )
    password_reset_ttl_minutes: int = Field(
        default=60, ge=1, description="Lifetime of a password reset link."
    )
    password_reset_requests_per_hour: int = Field(
        default=3, ge=1, description="Password reset mails one address may be sent an hour."
    )
    integration_token_ttl_minutes: int = Field(
        default=60, ge=1, description="Lifetime of an integration client's access token."
    )
    token_requests_per_minute: int = Field(
        default=30, ge=1, description="Token requests per minute, per integration client and per address."
    )
    secret_key: str | None = Field(
        default=None,
        min_length=32,
        description="Root of the keys that seal stored secrets (sign-on client secrets) and sign "
        "CSRF tokens; unset: generated once into data_dir/secret_key.",
    )
    cookie_secure: bool = Field(
        default=True,
        description="Browser session cookies are Secure and __Host- prefixed; false only to develop "
        "over plain http.",
    )
    sign_on_attempt_minutes: int = Field(
        default=10, ge=1, description="How long a person has to come back from their organization's provider."
    )
    meilisearch_url: str | None = Field(
        default=None,
        description="Meilisearch server (http://host:7700); unset: the embedded engine under data_dir.",
    )
    meilisearch_key: str | None = Field(default=None, description="Meilisearch API key, if it needs one.")
    meilisearch_index: str = Field(default="tremplin_mentors", description="Meilisearch index name.")
    jobs_in_process: bool = Field(
        default=True,
        description="Run the job worker inside the server process; false when `tremplin jobs work` runs "
        "it separately.",
    )
    job_poll_seconds: float = Field(
        default=2, gt=0, description="How often a job worker looks for jobs that fell due."
    )
    job_max_attempts: int = Field(
        default=5,
        ge=1,
        description="Runs of a failing job (a mail the SMTP server refused) before it is kept as failed.",
    )
    job_retry_seconds: int = Field(
        default=60, ge=0, description="Wait before a failed job runs again, times the attempts made."
    )
    reminder_scan_minutes: int = Field(
        default=5, ge=1, le=59, description="How often due reminders are looked for (and once at start-up)."
    )
    reminder_window_days: int = Field(
        default=60,
        ge=1,
        description="A reminder more overdue than this is no longer sent (a server down longer, imported "
        "history).",
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'tremplin.db').resolve()}"

    def derived_key(self, purpose: str) -> bytes:
        """A 32-byte key for one ``purpose``, derived from the secret key, so that a key
        leaked from one use opens none of the others."""
        return hmac.new(self._root_key(), purpose.encode(), hashlib.sha256).digest()

    def _root_key(self) -> bytes:
        if self.secret_key:
            return self.secret_key.encode()
        # The embedded default: made once, kept beside the data it protects, readable by
        # the server's user only. Written aside then linked in place, so that of two
        # processes starting together one wins and neither reads a half-written key.
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            draft = path.with_name(f".secret_key.{os.getpid()}")
            descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(secrets.token_urlsafe(48).encode())
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            draft.unlink()
        return path.read_bytes().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()
