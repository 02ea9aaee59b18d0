"""Which search engine serves a configuration: Meilisearch when
``TREMPLIN_MEILISEARCH_URL`` is set, else the embedded one under the data directory.

One engine per configuration and process: an embedded index folder has a single
writer, so every caller asking for the same folder must share it.
"""

from core.search.embedded import EmbeddedSearch
from core.search.meilisearch import MeilisearchSearch
from core.search.port import SearchEngine
from core.settings import Settings, get_settings

_ENGINES: dict[tuple[str, ...], SearchEngine] = {}


def search_engine(settings: Settings | None = None) -> SearchEngine:
    settings = settings or get_settings()
    if settings.meilisearch_url:
        key: tuple[str, ...] = ("meilisearch", settings.meilisearch_url, settings.meilisearch_index)
        if key not in _ENGINES:
            _ENGINES[key] = MeilisearchSearch(
                settings.meilisearch_url, settings.meilisearch_index, settings.meilisearch_key
            )
        return _ENGINES[key]
    directory = (settings.data_dir / "search" / "mentors").resolve()
    key = ("embedded", str(directory))
    if key not in _ENGINES:
        _ENGINES[key] = EmbeddedSearch(directory)
    return _ENGINES[key]


def reset() -> None:
    """Forget the engines (tests that change the settings)."""
    _ENGINES.clear()
