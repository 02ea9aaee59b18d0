"""Third-party plugins arrive through the ``tremplin`` entry-point group."""

import textwrap
from pathlib import Path

import pytest

from core.i18n import read_catalog
from core.plugins import PluginHost, build_plugin_manager


def test_third_party_plugins_arrive_through_the_tremplin_entry_points(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed distribution declaring ``[tremplin] reverse = ...`` is loaded,
    its program types and translations registered, without any change to core."""
    (tmp_path / "tremplin_reverse_mentoring.py").write_text(
        textwrap.dedent(
            """
            from pathlib import Path
            from core.hookspecs import ProgramType, hookimpl

            @hookimpl
            def register_program_types():
                return [ProgramType(key="reverse", name_en="Reverse mentoring", name_fr="Mentorat inversé")]

            @hookimpl
            def register_translations():
                return Path(__file__).parent / "reverse_locales"
            """
        )
    )
    for language, text in (
        ("en", "Newcomer mentors a senior"),
        ("fr", "La personne nouvelle arrivante guide"),
    ):
        catalog = tmp_path / "reverse_locales" / language
        catalog.mkdir(parents=True)
        (catalog / "reverse.po").write_text(f'msgid "rule.reverse.role"\nmsgstr "{text}"\n', encoding="utf-8")
    dist_info = tmp_path / "tremplin_reverse_mentoring-1.0.dist-info"
    dist_info.mkdir()
    (dist_info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tremplin-reverse-mentoring\nVersion: 1.0\n"
    )
    (dist_info / "entry_points.txt").write_text("[tremplin]\nreverse = tremplin_reverse_mentoring\n")
    monkeypatch.syspath_prepend(str(tmp_path))

    host = PluginHost(build_plugin_manager())
    assert "reverse" in host.plugin_names
    assert host.program_type("reverse")[0] == "reverse"
    assert host.program_type("open")[0] == "open"
    directories = host.manager.hook.register_translations()
    assert read_catalog(Path(directories[0]) / "fr" / "reverse.po")["rule.reverse.role"].startswith(
        "La personne"
    )
