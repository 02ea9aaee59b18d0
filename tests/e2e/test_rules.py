"""Eligibility rules staff edit without code: versioned, checked rule by rule, any-of
alternatives, and refused when they cannot work."""

from typing import Any

from core.services import referrals
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL
from tests.world import PASSWORD, World, admitted_referral

RULES = "query($p: UUID!) { programRules(programId: $p) { version criteria rules } }"
UPDATE = (
    "mutation($p: UUID!, $r: JSON!) { updateProgramRules(programId: $p, rules: $r) { version criteria } }"
)
REFERRAL = """query($id: UUID!) { referral(id: $id) {
  rulesVersion eligibility { rule passed blocking message } returnReasons } }"""


async def test_rule_fields_include_the_plugins_and_read_in_both_languages(
    graphql: GraphQL, world: World
) -> None:
    query = "{ ruleFields { key kind operators label choices { value label } } }"
    french = {f["key"]: f for f in (await graphql.execute(query, language="fr"))["ruleFields"]}
    assert french["official_language_clb"]["operators"] == ["eq", "gt", "gte", "lt", "lte", "ne"]
    assert french["trained_abroad"]["label"] == "Formation obtenue à l'étranger"
    assert {"value": "convention_refugee", "label": "réfugié au sens de la Convention"} in french[
        "immigration_status"
    ]["choices"]
    assert french["host_program"]["kind"] == "text"  # from the integrated plugin
    assert french["languages_spoken"]["label"] == "Nombre de langues parlées"  # the test-only plugin


async def test_a_new_program_starts_from_its_type_default_rules(graphql: GraphQL, world: World) -> None:
    versions = (await graphql.execute(RULES, {"p": str(world.program_id)}, language="fr"))["programRules"]
    assert [v["version"] for v in versions] == [1]
    assert versions[0]["criteria"][2].startswith(
        "Avoir atteint le niveau 5 ou plus des Niveaux de compétence"
    )


async def test_editing_rules_changes_the_next_check_not_the_record_of_previous_ones(
    graphql: GraphQL, sessions, world: World
) -> None:
    first = await admitted_referral(sessions, world)
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    stricter: dict[str, Any] = {
        "all": [
            {"field": "trained_abroad", "op": "is", "value": True},
            {
                "any": [
                    {"id": "strong-english", "field": "english_clb", "op": "gte", "value": 9},
                    {"id": "strong-french", "field": "french_clb", "op": "gte", "value": 10},
                ]
            },
        ]
    }
    updated = (
        await graphql.execute(UPDATE, {"p": str(world.program_id), "r": stricter}, token=hub, language="en")
    )["updateProgramRules"]
    assert updated == {
        "version": 2,
        "criteria": [
            "Trained outside Canada: yes",
            "English level (CLB): 9 or more",
            "French level (NCLC): 10 or more",
        ],
    }
    # The client (French 9, English 7) meets neither alternative now.
    async with sessions() as session, session.begin():
        second = await referrals.submit_referral(
            session,
            world.actors["other_coordinator"],
            world.mentee_ids["other_client"],
            world.program_id,
            consent=True,
        )
    other = (await graphql.execute(REFERRAL, {"id": str(second.id)}, token=hub))["referral"]
    assert other["rulesVersion"] == 2
    assert [(c["rule"], c["passed"], c["blocking"]) for c in other["eligibility"]] == [
        ("trained_abroad.is", True, False),
        ("strong-english", False, True),
        ("strong-french", False, True),
    ]
    earlier = (await graphql.execute(REFERRAL, {"id": str(first)}, token=hub))["referral"]
    assert earlier["rulesVersion"] == 1
    assert len(earlier["eligibility"]) == 5 and all(c["passed"] for c in earlier["eligibility"])

    # An alternative that was not met is not held against someone who met the other.
    await graphql.execute(
        UPDATE,
        {
            "p": str(world.program_id),
            "r": {"any": stricter["all"][1]["any"] + [{"field": "french_clb", "op": "gte", "value": 9}]},
        },
        token=hub,
    )
    returned = await graphql.execute(
        """mutation($id: UUID!) { returnReferral(id: $id, reasons: ["Program full this season"]) {
             returnReasons eligibility { rule blocking } } }""",
        {"id": str(second.id)},
        token=hub,
    )
    assert returned["returnReferral"]["returnReasons"] == ["Program full this season"]
    assert not any(check["blocking"] for check in returned["returnReferral"]["eligibility"])


async def test_rules_that_cannot_work_are_refused_when_saved(
    graphql: GraphQL, sessions, world: World
) -> None:
    hub = await graphql.sign_in(world.emails["hub_coordinator"], PASSWORD)
    program = str(world.program_id)
    cases = [
        ({"all": [{"field": "shoe_size", "op": "gte", "value": 9}]}, "UNKNOWN_RULE_FIELD"),
        ({"all": [{"field": "trained_abroad", "op": "gte", "value": 1}]}, "OPERATOR_NOT_SUPPORTED"),
        ({"all": [{"field": "official_language_clb", "op": "gte", "value": "five"}]}, "INVALID_RULE_VALUE"),
        ({"all": [{"field": "immigration_status", "op": "in", "value": ["tourist"]}]}, "INVALID_RULE_VALUE"),
        ({"every": []}, "INVALID_RULE_GROUP"),
        ({"all": []}, "INVALID_RULE_GROUP"),
        (
            {"all": [{"field": "city", "op": "eq", "value": "Ottawa", "label_en": "Lives in Ottawa"}]},
            "REQUIRED",
        ),
    ]
    for rules, code in cases:
        await assert_refused(graphql, sessions, UPDATE, {"p": program, "r": rules}, code=code, token=hub)
    agency = await graphql.sign_in(world.emails["agency_coordinator"], PASSWORD)
    valid = {"all": [{"field": "city", "op": "eq", "value": "Ottawa"}]}
    await assert_refused(
        graphql, sessions, UPDATE, {"p": program, "r": valid}, code="NOT_FOUND", token=agency
    )
