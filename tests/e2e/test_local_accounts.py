"""Local accounts through /graphql: email verification, password reset and the
invitation of a person added without a password, read from the development mailbox once
the mail jobs ran."""

import re
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import select

from core import clock, mail
from core.models import Language, User
from tests.e2e.test_bad_input import assert_refused
from tests.graphql_client import GraphQL, GraphQLError
from tests.mailbox import Mailbox
from tests.world import PASSWORD, World

REQUEST_RESET = "mutation($e: String!) { requestPasswordReset(email: $e) }"
RESET = "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }"
REQUEST_VERIFICATION = "mutation { requestEmailVerification }"
VERIFY = "mutation($t: String!) { verifyEmail(token: $t) }"
ADD_MEMBER = "mutation($input: MemberInput!) { addMember(input: $input) { role } }"
NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://127\.0\.0\.1:8000(/account/(?:verify|reset))\?token=([A-Za-z0-9_-]+)")


def link_of(message: EmailMessage) -> tuple[str, str]:
    """The path and token of the one link in a message."""
    [(path, token)] = LINK.findall(mail.plain_text(message))
    return path, token


async def code_of(graphql: GraphQL, query: str, variables: dict[str, str], token: str | None = None) -> str:
    with pytest.raises(GraphQLError) as refused:
        await graphql.execute(query, variables, token=token)
    return str(refused.value.code)


async def reset_token(graphql: GraphQL, mailbox: Mailbox, email: str) -> str:
    assert (await graphql.execute(REQUEST_RESET, {"e": email}))["requestPasswordReset"] is True
    path, token = link_of((await mailbox.deliver())[-1])
    assert path == "/account/reset"
    return token


async def user_named(sessions: async_sessionmaker[AsyncSession], email: str) -> User:
    async with sessions() as session:
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user


async def test_a_reset_link_sets_a_new_password_once_and_signs_out_everywhere(
    graphql: GraphQL, world: World, sessions: async_sessionmaker[AsyncSession], mailbox: Mailbox
) -> None:
    email = world.emails["agency_coordinator"]
    session_before = await graphql.sign_in(email, PASSWORD)
    token = await reset_token(graphql, mailbox, email)
    [message] = await mailbox.deliver()
    assert message["To"] == email and message["Subject"] == "Tremplin: reset your password"
    assert message["Content-Language"] == "en" and "60 minutes" in mail.plain_text(message)

    assert (await graphql.execute(RESET, {"t": token, "p": NEW_PASSWORD}))["resetPassword"] is True
    assert await code_of(graphql, "{ viewer { id } }", {}, session_before) == "UNAUTHENTICATED"
    assert await code_of(graphql, *sign_in_with(email, PASSWORD)) == "INVALID_CREDENTIALS"
    assert await graphql.sign_in(email, NEW_PASSWORD)
    # Reading the mailed link proved the address.
    assert (await user_named(sessions, email)).email_verified_at is not None
    await assert_refused(
        graphql, sessions, RESET, {"t": token, "p": "another passphrase"}, code="TOKEN_USED", token=""
    )


def sign_in_with(email: str, password: str) -> tuple[str, dict[str, str]]:
    return "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }", {
        "e": email,
        "p": password,
    }


async def test_unknown_addresses_get_the_same_answer_and_no_mail(
    graphql: GraphQL, world: World, mailbox: Mailbox
) -> None:
    for email in ("nobody@example.org", "not even an address", world.emails["hub_admin"].upper()):
        assert (await graphql.execute(REQUEST_RESET, {"e": email}))["requestPasswordReset"] is True
    # Only the real account (whatever the case it was typed in) got a message.
    assert [message["To"] for message in await mailbox.deliver()] == [world.emails["hub_admin"]]


async def test_a_new_link_retires_the_older_ones(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    email = world.emails["mentor"]
    first = await reset_token(graphql, mailbox, email)
    second = await reset_token(graphql, mailbox, email)
    assert (await graphql.execute(RESET, {"t": second, "p": NEW_PASSWORD}))["resetPassword"] is True
    await assert_refused(
        graphql, sessions, RESET, {"t": first, "p": NEW_PASSWORD}, code="TOKEN_USED", token=""
    )


async def test_expired_unknown_and_wrong_purpose_links_are_refused(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    email = world.emails["mentor"]
    issued_at = clock.now()
    with clock.frozen_at(issued_at):
        token = await reset_token(graphql, mailbox, email)
    with clock.frozen_at(issued_at + timedelta(minutes=61)):
        await assert_refused(
            graphql, sessions, RESET, {"t": token, "p": NEW_PASSWORD}, code="TOKEN_EXPIRED", token=""
        )
    with clock.frozen_at(issued_at + timedelta(minutes=59)):
        # Refusals changed nothing: the link still works within its hour.
        assert (await graphql.execute(RESET, {"t": token, "p": NEW_PASSWORD}))["resetPassword"] is True

    # A verification link of someone else (the reset verified this person's address).
    signed_in = await graphql.sign_in(world.emails["mentor_two"], PASSWORD)
    await graphql.execute(REQUEST_VERIFICATION, token=signed_in)
    path, verification = link_of((await mailbox.deliver())[-1])
    assert path == "/account/verify"
    for wrong in (verification, "made-up-token", ""):
        await assert_refused(
            graphql, sessions, RESET, {"t": wrong, "p": NEW_PASSWORD}, code="TOKEN_INVALID", token=""
        )
    await assert_refused(graphql, sessions, VERIFY, {"t": token}, code="TOKEN_INVALID", token="")


async def test_a_short_password_is_refused_and_the_link_still_works(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    token = await reset_token(graphql, mailbox, world.emails["mentor"])
    await assert_refused(
        graphql, sessions, RESET, {"t": token, "p": "short"}, code="PASSWORD_TOO_SHORT", token=""
    )
    assert (await graphql.execute(RESET, {"t": token, "p": NEW_PASSWORD}))["resetPassword"] is True


async def test_a_reset_lifts_the_sign_in_lockout(graphql: GraphQL, world: World, mailbox: Mailbox) -> None:
    email = world.emails["hub_coordinator"]
    for _ in range(5):
        assert await code_of(graphql, *sign_in_with(email, "wrong password")) == "INVALID_CREDENTIALS"
    assert await code_of(graphql, *sign_in_with(email, PASSWORD)) == "TOO_MANY_ATTEMPTS"
    token = await reset_token(graphql, mailbox, email)
    await graphql.execute(RESET, {"t": token, "p": NEW_PASSWORD})
    assert await graphql.sign_in(email, NEW_PASSWORD)


async def test_reset_requests_are_limited_per_address_asked_about(
    graphql: GraphQL, world: World, mailbox: Mailbox
) -> None:
    """Three an hour for one email address, known or not: the limit says nothing about
    who has an account."""
    for email in (world.emails["mentor"], "nobody@example.org"):
        for _ in range(3):
            await graphql.execute(REQUEST_RESET, {"e": email})
        with pytest.raises(GraphQLError) as refused:
            await graphql.execute(REQUEST_RESET, {"e": email}, language="fr")
        assert refused.value.code == "TOO_MANY_REQUESTS"
        assert refused.value.message.startswith("Trop de demandes")
    assert len(await mailbox.deliver()) == 3
    # Another address is not concerned.
    await graphql.execute(REQUEST_RESET, {"e": world.emails["mentor_two"]})
    assert len(await mailbox.deliver()) == 4


async def test_a_signed_in_person_verifies_their_address(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    email = world.emails["agency_admin"]
    assert await code_of(graphql, REQUEST_VERIFICATION, {}) == "UNAUTHENTICATED"
    token = await graphql.sign_in(email, PASSWORD)
    await graphql.execute("mutation { setLanguage(language: FR) }", token=token)
    assert (await graphql.execute(REQUEST_VERIFICATION, token=token))["requestEmailVerification"] is True
    [message] = await mailbox.deliver()
    assert message["Subject"] == "Tremplin : confirmez votre adresse courriel"
    assert "48 heures" in mail.plain_text(message)
    _, verification = link_of(message)
    assert (await user_named(sessions, email)).email_verified_at is None
    assert (await graphql.execute(VERIFY, {"t": verification}))["verifyEmail"] is True
    assert (await user_named(sessions, email)).email_verified_at is not None
    await assert_refused(graphql, sessions, VERIFY, {"t": verification}, code="TOKEN_USED", token="")
    await assert_refused(
        graphql, sessions, REQUEST_VERIFICATION, {}, code="EMAIL_ALREADY_VERIFIED", token=token
    )


async def test_a_verification_link_expires(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    issued_at = clock.now()
    with clock.frozen_at(issued_at):
        token = await graphql.sign_in(world.emails["mentor"], PASSWORD)
        await graphql.execute(REQUEST_VERIFICATION, token=token)
    _, verification = link_of((await mailbox.deliver())[-1])
    with clock.frozen_at(issued_at + timedelta(hours=48, seconds=1)):
        await assert_refused(graphql, sessions, VERIFY, {"t": verification}, code="TOKEN_EXPIRED", token="")


async def test_a_person_added_without_a_password_is_invited_to_set_one(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    member = {"email": "Leila@Agency.test", "displayName": "Leila", "role": "COORDINATOR"}
    await graphql.execute(ADD_MEMBER, {"input": member}, token=admin)
    [invitation] = await mailbox.deliver()
    assert invitation["To"] == "leila@agency.test"
    assert invitation["Subject"] == "Tremplin: agency (en) added you"
    path, token = link_of(invitation)
    assert path == "/account/reset" and "48 hours" in mail.plain_text(invitation)
    # No password yet: nothing signs in until the link is used.
    assert await code_of(graphql, *sign_in_with("leila@agency.test", "")) == "INVALID_CREDENTIALS"
    await graphql.execute(RESET, {"t": token, "p": NEW_PASSWORD})
    leila = await graphql.sign_in("leila@agency.test", NEW_PASSWORD)
    assert (await graphql.execute("{ viewer { roles } }", token=leila))["viewer"]["roles"] == ["COORDINATOR"]
    assert (await user_named(sessions, "leila@agency.test")).email_verified_at is not None


async def test_a_person_added_with_a_password_is_asked_to_verify_their_address(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    admin = await graphql.sign_in(world.emails["agency_admin"], PASSWORD)
    refused = {"email": "omar@agency.test", "displayName": "Omar", "role": "VIEWER", "password": "short"}
    await assert_refused(
        graphql, sessions, ADD_MEMBER, {"input": refused}, code="PASSWORD_TOO_SHORT", token=admin
    )
    assert await mailbox.deliver() == []  # the refused addition's mail never left
    await graphql.execute(ADD_MEMBER, {"input": {**refused, "password": NEW_PASSWORD}}, token=admin)
    [message] = await mailbox.deliver()
    assert message["Subject"] == "Tremplin: confirm your email address"
    _, verification = link_of(message)
    await graphql.execute(VERIFY, {"t": verification})
    assert (await user_named(sessions, "omar@agency.test")).email_verified_at is not None
    # Adding someone who already has an account sends nothing.
    existing = {"email": world.emails["mentor"], "displayName": "Mentor", "role": "VIEWER"}
    await graphql.execute(ADD_MEMBER, {"input": existing}, token=admin)
    assert len(await mailbox.deliver()) == 1


async def test_an_inactive_account_gets_no_link(
    graphql: GraphQL, world: World, sessions, mailbox: Mailbox
) -> None:
    email = world.emails["mentor_two"]
    token = await reset_token(graphql, mailbox, email)
    async with sessions() as session, session.begin():
        user = await session.scalar(select(User).where(User.email == email))
        assert user is not None
        user.is_active = False
        user.preferred_language = Language.FR
    await assert_refused(
        graphql, sessions, RESET, {"t": token, "p": NEW_PASSWORD}, code="TOKEN_INVALID", token=""
    )
    await graphql.execute(REQUEST_RESET, {"e": email})
    assert len(await mailbox.deliver()) == 1
