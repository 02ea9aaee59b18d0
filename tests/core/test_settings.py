"""Settings come from TREMPLIN_* variables and are all documented."""

from pathlib import Path

import pytest

from core.settings import Settings

REFERENCE = Path(__file__).parents[2] / "deploy" / "configuration.md"


def test_embedded_default_is_a_sqlite_file_in_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TREMPLIN_DATABASE_URL", raising=False)
    assert Settings().resolved_database_url == f"sqlite+aiosqlite:///{tmp_path / 'tremplin.db'}"


def test_database_url_switches_to_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_DATABASE_URL", "postgresql+asyncpg://app@db/tremplin")
    assert Settings().resolved_database_url == "postgresql+asyncpg://app@db/tremplin"


def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TREMPLIN_DEFAULT_LANGUAGE", "de")
    with pytest.raises(ValueError):
        Settings()


def test_every_setting_is_in_the_configuration_reference() -> None:
    reference = REFERENCE.read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`TREMPLIN_{name.upper()}`" not in reference]
    assert not missing
