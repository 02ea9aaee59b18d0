"""Mentor search in the API: free text, filters and facet counts, paginated."""

from typing import Annotated

import strawberry
from babel import Locale

from core import taxonomy
from core.graphql.context import GraphQLInfo
from core.graphql.loaders import MentorCard
from core.graphql.types import Mentor
from core.i18n import translate
from core.plugins import get_plugin_host
from core.services import search as search_service


@strawberry.input(description="Each filter keeps mentors matching any of its values; filters combine")
class MentorFilters:
    occupation_groups: list[str] = strawberry.field(
        default_factory=list, description="NOC 2021 major groups, two digits (21: applied sciences)"
    )
    industries: list[str] = strawberry.field(
        default_factory=list, description="NAICS 2022 sectors, two digits"
    )
    languages: list[str] = strawberry.field(default_factory=list, description="Language codes: fr, en, ar…")
    cities: list[str] = strawberry.field(default_factory=list)
    regions: list[str] = strawberry.field(
        default_factory=list, description="Census metropolitan areas, e.g. Ottawa–Gatineau"
    )
    program_types: list[str] = strawberry.field(
        default_factory=list, description="Program types the mentor may take part in"
    )
    open_to_virtual: bool | None = None
    has_capacity: bool = strawberry.field(default=False, description="Only mentors with room left")


@strawberry.type
class FacetValue:
    value: str
    count: int
    facet: strawberry.Private[str]

    @strawberry.field(description="The value in the viewer's language")
    def label(self, info: GraphQLInfo) -> str:
        return facet_label(self.facet, self.value, info.context.language)


@strawberry.type
class Facet:
    name: str
    values: list[FacetValue] = strawberry.field(description="Most frequent first")


@strawberry.type
class MentorSearchResult:
    items: list[Mentor]
    total_count: int
    facets: list[Facet]


def facet_label(facet: str, value: str, language: str) -> str:
    if facet == "occupation_group":
        entry = taxonomy.noc_table().get(value)
    elif facet == "industry":
        entry = taxonomy.naics_industry(value)
    else:
        entry = None
    if entry is not None:
        return entry.title(language)
    if facet == "languages":
        return str(Locale.parse(language).languages.get(value, value))
    if facet in ("open_to_virtual", "has_capacity"):
        return translate(f"search.{facet}.{value}", language)
    if facet == "program_types" and value in get_plugin_host().program_types():
        spec = get_plugin_host().program_types()[value][1]
        return spec.name_fr if language == "fr" else spec.name_en
    return value


@strawberry.type
class SearchQuery:
    @strawberry.field(
        description="The shared mentor pool, as the viewer's organization may see it: typo tolerant, "
        "accents ignored, French and English"
    )
    async def mentor_search(
        self,
        info: GraphQLInfo,
        text: str = "",
        filters: MentorFilters | None = None,
        facets: Annotated[
            list[str] | None,
            strawberry.argument(description="Facets to count (null: every filter's but has_capacity)"),
        ] = None,
        limit: int = 20,
        offset: int = 0,
    ) -> MentorSearchResult:
        given = filters or MentorFilters()
        search = search_service.MentorSearch(
            text=text,
            occupation_groups=given.occupation_groups,
            industries=given.industries,
            languages=given.languages,
            cities=given.cities,
            regions=given.regions,
            program_types=given.program_types,
            open_to_virtual=given.open_to_virtual,
            has_capacity=given.has_capacity,
            facets=facets,
            limit=limit,
            offset=offset,
        )
        page = await info.context.call(search_service.search_mentors, info.context.search, search)
        return MentorSearchResult(
            items=[Mentor.from_card(MentorCard(profile, name)) for profile, name in page.mentors],
            total_count=page.total,
            facets=[
                Facet(
                    name=name,
                    values=[
                        FacetValue(value=value, count=count, facet=name)
                        for value, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
                    ],
                )
                for name, counts in page.facets.items()
            ],
        )
