"""The command line: a platform operator creates an organization and its first admin."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from core.cli import main


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TREMPLIN_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TREMPLIN_DATABASE_URL", raising=False)
    from core.settings import get_settings

    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def create(*extra: str) -> list[str]:
    return [
        "org", "create", "ottawa-hub", "--name-en", "Ottawa Hub", "--name-fr", "Carrefour Ottawa",
        "--kind", "lead_organization", "--admin-email", "admin@hub.example", "--admin-name", "Ada",
        "--admin-password", "long enough secret", *extra,
    ]  # fmt: skip


def test_an_operator_creates_an_organization_with_its_first_admin(data_dir: Path) -> None:
    created = CliRunner().invoke(main, create())
    assert created.exit_code == 0, created.output
    assert "ottawa-hub" in created.output
    assert (data_dir / "tremplin.db").exists()
    again = CliRunner().invoke(main, create())
    assert again.exit_code == 1
    assert "SLUG_TAKEN" in again.output


def test_a_bad_province_is_refused_with_its_message(data_dir: Path) -> None:
    refused = CliRunner().invoke(main, create("--province", "XX"))
    assert refused.exit_code == 1
    assert "INVALID_PROVINCE (province)" in refused.output
    assert "ni une province ni un territoire" in refused.output
