"""The printed GraphQL schema is a published contract: it changes only on purpose."""

from pathlib import Path

from core.graphql.schema import build_schema

SCHEMA_FILE = Path(__file__).parents[2] / "schemas" / "schema.graphql"


def test_committed_schema_matches_the_code() -> None:
    printed = build_schema().as_str() + "\n"
    assert SCHEMA_FILE.read_text(encoding="utf-8") == printed, (
        "schemas/schema.graphql is out of date: run `tremplin schema print --output schemas/schema.graphql` "
        "and review the difference"
    )
