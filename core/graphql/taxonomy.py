"""Occupation and industry look-ups for forms: public, since a newcomer fills in their
target occupation before they have an account."""

import strawberry

from core import taxonomy, validation
from core.graphql.types import Classification

MAX_SEARCH_LENGTH = 100
MAX_LIMIT = 100


def _search(
    kind: taxonomy.Kind, search: str, limit: int, *, unit_groups_only: bool = False
) -> list[Classification]:
    text = validation.text(search, "search", max_length=MAX_SEARCH_LENGTH, required=True)
    validation.integer(limit, "limit", minimum=1, maximum=MAX_LIMIT)
    return [
        Classification(code=entry.code, title_en=entry.title_en, title_fr=entry.title_fr)
        for entry in taxonomy.search(kind, text, limit=limit, unit_groups_only=unit_groups_only)
    ]


@strawberry.type
class TaxonomyQuery:
    @strawberry.field(
        description="NOC 2021 occupations whose code starts with the search, or whose English or "
        "French title holds its words (accents and case ignored); code matches first, then titles "
        "starting with the words"
    )
    def occupations(
        self, search: str, limit: int = 20, unit_groups_only: bool = True
    ) -> list[Classification]:
        return _search("noc", search, limit, unit_groups_only=unit_groups_only)

    @strawberry.field(description="NAICS 2022 industries, searched as occupations are")
    def industries(self, search: str, limit: int = 20) -> list[Classification]:
        return _search("naics", search, limit)
