"""The main flow of the web app in Debian's Chromium, in French and in English: an agency
coordinator registers and refers a client, the program coordinator admits them and
proposes a mentor from the matching board's suggestions, the mentor and the agency (on
the client's behalf) accept, the mentor logs a meeting, the coordinator closes the
mentorship as completed and downloads the certificate."""

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, StorageState, expect

from core.demo import demo_logins
from core.models import Role
from tests.web.conftest import DemoServer
from tests.web.test_newcomer_pages import sign_in

AGENCY = "coordinator@rideau.demo.tremplin.ca"
PROGRAM_STAFF = "coordinator@hub.demo.tremplin.ca"
MENTOR = next(login.email for login in demo_logins() if login.role == Role.MENTOR.value)
MENTOR_NAME = "Sofia Martins"

# What each step reads on the page, in the page's language.
WORDS = {
    "en": {
        "referred": "The client is registered and referred.",
        "eligible": "Meets every eligibility criterion.",
        "admit": "Admit",
        "board": "Matching: {name}",
        "proposed": "The proposal is sent to the mentor and the newcomer.",
        "propose": "Propose {name}",
        "accept": "Accept",
        "accept_for": "Accept for the client",
        "log": "Log the meeting",
        "close": "Close",
        "completed": "Completed",
        "issue": "Issue the certificate",
        "download": "Download the certificate (PDF)",
    },
    "fr": {
        "referred": "La personne est inscrite et sa recommandation est envoyée.",
        "eligible": "Répond à tous les critères d’admissibilité.",
        "admit": "Admettre",
        "board": "Jumelage : {name}",
        "proposed": "La proposition est envoyée au mentor et à la personne immigrante.",
        "propose": "Proposer {name}",
        "accept": "Accepter",
        "accept_for": "Accepter au nom de la personne",
        "log": "Consigner la rencontre",
        "close": "Clore",
        "completed": "Terminé",
        "issue": "Délivrer l’attestation",
        "download": "Télécharger l’attestation (PDF)",
    },
}


# Signed-in sessions, kept for the whole run: one client address may only sign in so
# often a minute (core.throttle), and every browser module signs in from 127.0.0.1.
SESSIONS: dict[str, StorageState] = {}


@pytest.fixture
def contexts(browser: Browser, demo_server: DemoServer) -> Iterator[list[BrowserContext]]:
    """The browsers a test opens (one per person), closed at its end."""
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def person(
    browser: Browser,
    demo_server: DemoServer,
    opened: list[BrowserContext],
    email: str,
    language: str,
    **options: Any,
) -> Page:
    """A browser signed in as ``email``, showing pages in ``language``."""
    state = SESSIONS.get(email)
    context = browser.new_context(base_url=demo_server.url, storage_state=state, **options)
    opened.append(context)
    page = context.new_page()
    if state is None:
        sign_in(page, email, language=language)
        SESSIONS[email] = context.storage_state()
    else:
        page.goto("/")
        if page.locator("html").get_attribute("lang") != language:
            page.locator(f"form.language button[value={language}]").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
    return page


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_main_flow_from_referral_to_certificate(
    browser: Browser,
    demo_server: DemoServer,
    contexts: list[BrowserContext],
    screenshots: Path,
    language: str,
) -> None:
    words = WORDS[language]
    last_name = f"Souza {uuid.uuid4().hex[:6]}"
    client = f"Ana {last_name}"

    # The agency registers its client and refers them, with their consent.
    agency = person(browser, demo_server, contexts, AGENCY, language)
    agency.goto("/coordinator/clients/new")
    agency.locator("#firstName").fill("Ana")
    agency.locator("#lastName").fill(last_name)
    agency.locator("#countryOfTraining").fill("BR")
    agency.locator("#targetNoc").fill("21231")
    agency.locator("#city").fill("Kanata")
    agency.locator("#englishClb").select_option("8")
    agency.locator("#frenchClb").select_option("6")
    agency.locator("#jobSearchWorkshop").check()
    agency.locator("#careerGoal").fill("Principal software engineer: résumés and technical interviews")
    agency.locator("#consent").check()
    agency.screenshot(path=screenshots / f"agency-refers-{language}.png", full_page=True)
    agency.locator("main form button[type=submit]").click()
    expect(agency.get_by_role("status")).to_have_text(words["referred"])

    # The program's coordinator admits them from the inbox, then matches them.
    staff = person(browser, demo_server, contexts, PROGRAM_STAFF, language)
    staff.goto("/coordinator")
    staff.get_by_role("link", name=client).click()
    expect(staff.locator("#checks-title + p")).to_have_text(words["eligible"])
    staff.get_by_role("button", name=words["admit"], exact=True).click()
    expect(staff.get_by_role("heading", level=1)).to_have_text(words["board"].format(name=client))
    suggestion = staff.locator(".suggestions > li", has=staff.get_by_role("heading", name=MENTOR_NAME))
    expect(suggestion).to_be_visible()
    staff.screenshot(path=screenshots / f"coordinator-matching-board-{language}.png", full_page=True)
    suggestion.get_by_role("button", name=words["propose"].format(name=MENTOR_NAME)).click()
    expect(staff.get_by_role("status")).to_have_text(words["proposed"])

    # The mentor accepts; the agency accepts on the client's behalf.
    mentor = person(browser, demo_server, contexts, MENTOR, language)
    mentor.goto("/mentor/proposals")
    card = mentor.locator(".card", has=mentor.get_by_role("heading", name=client))
    card.get_by_role("button", name=words["accept"], exact=True).click()
    expect(card.get_by_role("button")).to_have_count(0)
    agency.goto("/coordinator/proposals")
    card = agency.locator(".card", has_text=client)
    card.get_by_role("button", name=words["accept_for"]).click()
    expect(card.get_by_role("button")).to_have_count(0)

    # The mentor logs a meeting on the pair's page.
    mentor.goto("/mentor/mentees")
    mentor.get_by_role("link", name=client).click()
    mentorship_id = mentor.url.rsplit("/", 1)[1].split("#")[0]
    # The page names the other side of the pair, and the mentor accepts the agreement.
    heading = mentor.get_by_role("heading", level=1)
    expect(heading).to_contain_text(client.split()[0])
    expect(heading).not_to_contain_text(MENTOR_NAME)
    mentor.locator("#agreement button").click()
    expect(mentor.locator("#agreement form")).to_have_count(0)
    mentor.locator("#minutes").fill("90")
    mentor.locator("#notes").fill("Résumé review")
    mentor.get_by_role("button", name=words["log"]).click()
    expect(mentor.locator("#meetings")).to_contain_text("Résumé review")

    # The coordinator closes the mentorship as completed and downloads the certificate.
    staff.goto(f"/coordinator/mentorships/{mentorship_id}")
    staff.locator("#kind").select_option("mutual_agreement")
    staff.get_by_role("button", name=words["close"], exact=True).click()
    expect(staff.locator("#status")).to_have_text(words["completed"])
    staff.get_by_role("button", name=words["issue"]).click()
    with staff.expect_download() as download:
        staff.get_by_role("link", name=words["download"]).click()
    staff.screenshot(path=screenshots / f"coordinator-mentorship-closed-{language}.png", full_page=True)
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
