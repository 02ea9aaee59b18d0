"""The coordinator's and the mentor's pages in Debian's Chromium: form errors next to the
field in the page's language, another organization's referral answering 404, the
mentor's profile, accessibility (axe-core) in both languages and a phone-width screen."""

import re
import uuid
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.web.conftest import DemoServer
from tests.web.test_main_flow import AGENCY, MENTOR, PROGRAM_STAFF, person
from tests.web.test_newcomer_pages import serious_violations


@pytest.fixture
def contexts(browser: Browser, demo_server: DemoServer) -> Iterator[list[BrowserContext]]:
    opened: list[BrowserContext] = []
    yield opened
    for context in opened:
        context.close()


def refer_a_client(browser: Browser, demo_server: DemoServer, opened: list[BrowserContext]) -> str:
    """An eligible client, registered and referred by the agency; their name."""
    agency = person(browser, demo_server, opened, AGENCY, "en")
    agency.goto("/coordinator/clients/new")
    last_name = f"Tremblay {uuid.uuid4().hex[:6]}"
    agency.locator("#firstName").fill("Karim")
    agency.locator("#lastName").fill(last_name)
    agency.locator("#countryOfTraining").fill("MA")
    agency.locator("#targetNoc").fill("21231")
    agency.locator("#englishClb").select_option("7")
    agency.locator("#jobSearchWorkshop").check()
    agency.locator("#consent").check()
    agency.locator("main form button[type=submit]").click()
    expect(agency.get_by_role("status")).to_be_visible()
    return f"Karim {last_name}"


def test_registering_a_client_without_consent_keeps_what_was_typed(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext]
) -> None:
    page = person(browser, demo_server, contexts, AGENCY, "fr")
    page.goto("/coordinator/clients/new")
    page.locator("#firstName").fill("Lina")
    page.locator("#lastName").fill("Haddad")
    page.locator("#countryOfTraining").fill("LB")
    page.locator("#targetNoc").fill("21231")
    page.locator("main form button[type=submit]").click()
    error = page.locator("#consent-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("consentement")
    expect(page.locator("#consent")).to_have_attribute("aria-describedby", "consent-error")
    expect(page.locator("#lastName")).to_have_value("Haddad")
    # An unknown occupation code is refused next to its field.
    page.locator("#targetNoc").fill("99999")
    page.locator("#consent").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#targetNoc-error")).to_contain_text("99999")
    expect(page.locator("#firstName")).to_have_value("Lina")
    page.get_by_role("button", name="English").click()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_return_without_reasons_shows_the_error_next_to_the_field(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext], language: str
) -> None:
    client = refer_a_client(browser, demo_server, contexts)
    page = person(browser, demo_server, contexts, PROGRAM_STAFF, language)
    page.goto("/coordinator")
    page.get_by_role("link", name=client).click()
    page.locator("#returnNote").fill("Seen on the phone")
    page.locator("form[action$='/return'] button").click()
    error = page.locator("#reasons-error")
    expect(error).to_be_visible()
    expect(error).to_have_text(
        "Ce renseignement est obligatoire." if language == "fr" else "This information is required."
    )
    expect(page.locator("#reasons")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#returnNote")).to_have_value("Seen on the phone")

    page.locator("#reasons").fill("Bring a recent résumé\nBook a language assessment")
    page.locator("form[action$='/return'] button").click()
    expect(page.locator("dl.facts")).to_contain_text("Bring a recent résumé")
    expect(page.locator("form[action$='/return']")).to_have_count(0)


def test_another_organizations_referral_answers_404(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext]
) -> None:
    others = demo_server.query(
        "select r.id from referrals r join organizations o on o.id = r.referring_organization_id "
        "join programs p on p.id = r.program_id join organizations po on po.id = p.organization_id "
        "where o.slug != 'rideau' and po.slug != 'rideau' limit 1"
    )
    assert others
    page = person(browser, demo_server, contexts, AGENCY, "en")
    answer = page.goto(f"/coordinator/referrals/{uuid.UUID(str(others[0][0]))}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    # Nor may they see its matching board: the same answer as for no record at all.
    board = page.goto(f"/coordinator/match/{uuid.UUID(str(others[0][0]))}")
    assert board is not None and board.status == 404
    missing = page.goto(f"/coordinator/referrals/{uuid.UUID(int=0)}")
    assert missing is not None and missing.status == 404


def test_the_mentor_fixes_a_capacity_error_and_saves(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext]
) -> None:
    page = person(browser, demo_server, contexts, MENTOR, "en")
    page.goto("/mentor/profile")
    capacity = page.get_by_label("How many newcomers I can mentor at once")
    kept = capacity.input_value()
    capacity.fill("three")
    page.get_by_label("Tuesday evening").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#capacity-error")).to_have_text("Enter a whole number.")
    expect(capacity).to_have_value("three")
    expect(page.get_by_label("Tuesday evening")).not_to_be_checked()
    capacity.fill(kept)
    page.get_by_label("Tuesday evening").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(capacity).to_have_value(kept)
    expect(page.get_by_label("Tuesday evening")).to_be_checked()


def _coordinator_pages(page: Page) -> list[str]:
    page.goto("/coordinator/waiting")
    board = page.locator("main a[href^='/coordinator/match/']").first.get_attribute("href")
    page.goto("/coordinator")
    first = page.locator("main a[href^='/coordinator/referrals/']").first.get_attribute("href")
    page.goto("/coordinator/mentorships")
    mentorship = page.locator("main a[href^='/coordinator/mentorships/']").first.get_attribute("href")
    assert board and first and mentorship
    return ["/coordinator", first, "/coordinator/waiting", "/coordinator/mentorships", mentorship, board]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_accessibility_violation(
    browser: Browser,
    demo_server: DemoServer,
    contexts: list[BrowserContext],
    axe_source: str,
    screenshots: Path,
    language: str,
) -> None:
    found = {}
    page = person(browser, demo_server, contexts, PROGRAM_STAFF, language)
    for path in _coordinator_pages(page):
        page.goto(path)
        found[path] = serious_violations(page, axe_source)
    page.goto("/coordinator/waiting")
    page.screenshot(path=screenshots / f"coordinator-waiting-{language}.png", full_page=True)
    page = person(browser, demo_server, contexts, AGENCY, language)
    for path in ("/coordinator/clients/new", "/coordinator/proposals"):
        page.goto(path)
        found[path] = serious_violations(page, axe_source)
    page = person(browser, demo_server, contexts, MENTOR, language)
    for path in ("/mentor/profile", "/mentor/proposals", "/mentor/mentees"):
        page.goto(path)
        found[path] = serious_violations(page, axe_source)
    page.screenshot(path=screenshots / f"mentor-mentees-{language}.png", full_page=True)
    page.locator("main a[href^='/mentorships/']").first.click()
    found["the mentor's mentorship"] = serious_violations(page, axe_source)
    assert {name: violations for name, violations in found.items() if violations} == {}


def test_phone_width_pages_do_not_scroll_sideways(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext], screenshots: Path
) -> None:
    phone = {"viewport": {"width": 390, "height": 844}}
    widths = {}
    page = person(browser, demo_server, contexts, PROGRAM_STAFF, "en", **phone)
    for path in _coordinator_pages(page):
        page.goto(path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    page.screenshot(path=screenshots / "coordinator-matching-board-phone.png", full_page=True)
    page = person(browser, demo_server, contexts, MENTOR, "en", **phone)
    for path in ("/mentor/profile", "/mentor/proposals", "/mentor/mentees"):
        page.goto(path)
        widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert {name: width for name, width in widths.items() if width > 390} == {}


def test_a_cohort_run_is_reviewed_and_its_drafts_set_aside(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext], screenshots: Path
) -> None:
    page = person(browser, demo_server, contexts, PROGRAM_STAFF, "en")
    page.goto("/coordinator/waiting")
    page.get_by_role("button", name="Run a cohort").first.click()
    expect(page).to_have_url(re.compile(r"/coordinator/cohorts/[0-9a-f-]+$"))
    drafts = page.locator("input[name=draftIds]")
    expect(drafts.first).to_be_checked()
    count = drafts.count()
    page.screenshot(path=screenshots / "coordinator-cohort-drafts-en.png", full_page=True)
    # Nothing checked: refused in the page, nothing sent.
    for index in range(count):
        drafts.nth(index).uncheck()
    page.get_by_role("button", name="Send the checked proposals").click()
    expect(page.get_by_role("alert")).to_have_text("This information is required.")
    expect(drafts).to_have_count(count)
    # Set aside (sending would reserve the demo mentors the other tests propose).
    page.get_by_role("button", name="Set the checked ones aside").click()
    expect(drafts).to_have_count(0)
    expect(page.locator(".card", has_text="Set aside")).to_have_count(count)


def test_staff_extend_a_mentorship_after_fixing_the_date(
    browser: Browser, demo_server: DemoServer, contexts: list[BrowserContext]
) -> None:
    mentorship_id, planned_end = demo_server.query(
        "select m.id, m.planned_end from mentorships m join programs p on p.id = m.program_id "
        "join organizations o on o.id = p.organization_id where o.slug = 'hub' and m.status = 'active' "
        "order by m.planned_end desc limit 1"
    )[0]
    page = person(browser, demo_server, contexts, PROGRAM_STAFF, "fr")
    page.goto(f"/coordinator/mentorships/{uuid.UUID(str(mentorship_id))}")
    page.locator("#newEnd").fill("2000-01-01")
    page.locator("#extendReason").fill("Interview season")
    page.get_by_role("button", name="Prolonger").click()
    expect(page.locator("#newEnd-error")).to_be_visible()
    expect(page.locator("#extendReason")).to_have_value("Interview season")
    later = date.fromisoformat(str(planned_end)[:10]) + timedelta(days=28)
    page.locator("#newEnd").fill(later.isoformat())
    page.get_by_role("button", name="Prolonger").click()
    expect(page.locator("dl.facts")).to_contain_text(later.isoformat())
    page.get_by_role("button", name="English").click()
