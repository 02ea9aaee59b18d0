"""Schema migrations (Alembic), run with ``tremplin db upgrade``."""

from pathlib import Path

from alembic import command
from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(database_url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url)
    return config


def upgrade(revision: str = "head", database_url: str | None = None) -> None:
    """Migrate the configured database, or ``database_url``, up to ``revision``."""
    command.upgrade(alembic_config(database_url), revision)


def revision(message: str) -> None:
    """Autogenerate a migration from the difference between the models and the database."""
    command.revision(alembic_config(), message=message, autogenerate=True)
