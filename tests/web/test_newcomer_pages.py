"""The web app in Debian's Chromium: the home page's demo logins, the newcomer's pages in
both languages, form errors, expired sessions, other organizations' records, and
accessibility (axe-core) on a phone-width screen too."""

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from core.demo import DEMO_PASSWORD, demo_logins
from core.models import Role
from tests.web.conftest import DemoServer

NEWCOMER = next(login.email for login in demo_logins() if login.role == Role.MENTEE.value)
IMPACTS_REFUSED = {"serious", "critical"}
START_PAGES = {
    Role.MENTEE.value: "/me/profile",
    Role.COORDINATOR.value: "/coordinator",
    Role.MENTOR.value: "/mentor/proposals",
    Role.ORG_ADMIN.value: "/admin",
    Role.EMPLOYER_REP.value: "/employer",
    Role.VIEWER.value: "/reports",
}


@pytest.fixture
def page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.url, locale="en-CA")
    page = context.new_page()
    yield page
    context.close()


def sign_in(page: Page, email: str, next_path: str = "", language: str | None = "en") -> None:
    """Signs in through the form; then switches to ``language`` when the person's saved
    preference (which another test may have changed) differs."""
    page.goto("/sign-in" + (f"?next={next_path}" if next_path else ""))
    page.locator("#email").fill(email)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/sign-in" not in url)
    if language is not None and page.locator("html").get_attribute("lang") != language:
        page.locator(f"form.language button[value={language}]").click()
        expect(page.locator("html")).to_have_attribute("lang", language)


def serious_violations(page: Page, axe_source: str) -> list[dict[str, Any]]:
    page.evaluate(axe_source)
    result = page.evaluate("async () => await axe.run(document)")
    return [
        {"id": violation["id"], "nodes": [node["target"] for node in violation["nodes"]]}
        for violation in result["violations"]
        if violation["impact"] in IMPACTS_REFUSED
    ]


def test_each_demo_login_reaches_its_roles_start_page(page: Page) -> None:
    logins = demo_logins()
    page.goto("/")
    expect(page.locator(".demo-logins li")).to_have_count(len(logins))
    for login in logins:
        page.context.clear_cookies()
        page.goto("/")
        page.locator(".demo-logins form", has=page.locator(f"input[value='{login.email}']")).get_by_role(
            "button"
        ).click()
        start = START_PAGES.get(login.role, "/dashboard")
        expect(page).to_have_url(re.compile(re.escape(start) + "$"))
        # Signed in (in the person's own language: the francophone coordinator's is French).
        expect(page.locator("form[action='/sign-out'] button")).to_be_visible()


def test_a_wrong_password_is_refused_in_the_page_keeping_the_email(page: Page) -> None:
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(NEWCOMER)
    page.get_by_label("Password").fill("not the password")
    response_status: list[int] = []
    page.on("response", lambda response: response_status.append(response.status))
    page.get_by_role("button", name="Sign in", exact=True).last.click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert 401 in response_status
    expect(page.get_by_label("Email address")).to_have_value(NEWCOMER)


def test_the_newcomer_searches_in_french_and_fixes_a_form_error(page: Page, screenshots: Path) -> None:
    sign_in(page, NEWCOMER)
    expect(page).to_have_url(re.compile("/me/profile$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")

    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    # Remembered on the next page: the person's saved preference.
    page.get_by_role("link", name="Trouver un mentor").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Trouver un mentor")

    total = re.compile(r"Mentors trouvés : (\d+)")
    everyone = int(total.search(page.get_by_role("heading", level=2).first.inner_text() or "").group(1))  # type: ignore[union-attr]
    assert everyone > 0
    facet = page.locator("fieldset.facet", has=page.locator("legend", has_text="Langues"))
    french = facet.get_by_label(re.compile("^français"))
    counted = int(re.search(r"\((\d+)\)", french.locator("xpath=..").inner_text()).group(1))  # type: ignore[union-attr]
    french.check()
    page.get_by_role("group", name="Filtres").get_by_role("button", name="Rechercher").click()
    expect(page).to_have_url(re.compile(r"languages=fr"))
    heading = page.locator("#results-title")
    expect(heading).to_have_text(f"Mentors trouvés : {counted}")
    assert counted <= everyone
    expect(facet.get_by_label(re.compile("^français"))).to_be_checked()
    page.screenshot(path=screenshots / "newcomer-search-fr.png", full_page=True)

    page.get_by_role("link", name="Mon profil et mon plan d’action").click()
    too_long = "613 555 0100 poste 1234 — demandez Amina, svp"
    page.get_by_label("Téléphone").fill(too_long)
    page.get_by_label("Plan d’action").fill("Mettre à jour mon CV")
    page.get_by_role("button", name="Enregistrer").click()
    error = page.locator("#phone-error")
    expect(error).to_contain_text("40")
    expect(error).not_to_contain_text("characters")
    expect(page.get_by_label("Téléphone")).to_have_value(too_long)
    expect(page.get_by_label("Téléphone")).to_have_attribute("aria-describedby", "phone-error")
    expect(page.get_by_label("Plan d’action")).to_have_value("Mettre à jour mon CV")
    page.screenshot(path=screenshots / "newcomer-profile-error-fr.png", full_page=True)

    page.get_by_label("Téléphone").fill("613 555 0100")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_role("status")).to_have_text("Vos modifications sont enregistrées.")
    expect(page.get_by_label("Plan d’action")).to_have_value("Mettre à jour mon CV")

    # Back to English for the other tests: the preference is the person's.
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_an_anonymous_visitors_language_is_remembered(page: Page) -> None:
    page.goto("/")
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("navigation").get_by_role("link", name="Se connecter").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connexion")


def test_an_expired_session_returns_to_the_page_after_signing_in(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, NEWCOMER)
    expect(page).to_have_url(re.compile("/me/profile$"))
    user_id = demo_server.query("select id from users where email = ?", NEWCOMER)[0][0]
    demo_server.execute(
        "update auth_tokens set expires_at = '2000-01-01 00:00:00' where user_id = ?", user_id
    )
    page.goto("/mentors?text=engineer")
    expect(page).to_have_url(re.compile(r"/sign-in\?next="))
    expect(page.locator(".notice")).to_be_visible()
    page.locator("#email").fill(NEWCOMER)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/mentors\?text=engineer$"))
    expect(page.get_by_label("Occupation, skill or keyword")).to_have_value("engineer")


def test_a_return_path_to_another_site_is_ignored(page: Page) -> None:
    sign_in(page, NEWCOMER, next_path="//evil.example/")
    expect(page).to_have_url(re.compile("/me/profile$"))


def test_another_pairs_mentorship_answers_404(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, NEWCOMER)
    mine = demo_server.query(
        "select m.id from mentorships m join mentee_profiles p on p.id = m.mentee_id "
        "join users u on u.id = p.user_id where u.email = ?",
        NEWCOMER,
    )
    assert mine
    page.goto("/me/mentorship")
    own = page.locator(".cards a").first
    own.click()
    expect(page.locator("#meetings-title")).to_be_visible()

    others = demo_server.query(
        "select m.id from mentorships m join mentee_profiles p on p.id = m.mentee_id "
        "join organizations o on o.id = p.owner_organization_id "
        "where p.user_id is null and o.slug != 'rideau' limit 1"
    )
    assert others
    other_id = uuid.UUID(str(others[0][0]))
    answer = page.goto(f"/mentorships/{other_id}")
    assert answer is not None and answer.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("This page is not available")
    # The same answer as for a record that does not exist: nothing tells them apart.
    missing = page.goto("/mentorships/00000000-0000-0000-0000-000000000000")
    assert missing is not None and missing.status == 404
    assert page.goto("/mentorships/not-an-id").status == 404  # type: ignore[union-attr]


def test_a_form_posted_without_the_csrf_token_is_refused(page: Page) -> None:
    sign_in(page, NEWCOMER)
    answer = page.request.post("/me/profile", form={"phone": "1", "actionPlan": "forged"})
    assert answer.status == 403
    page.goto("/me/profile")
    expect(page.get_by_label("Action plan")).not_to_have_value("forged")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_accessibility_violation(
    browser: Browser, demo_server: DemoServer, axe_source: str, screenshots: Path, language: str
) -> None:
    context = browser.new_context(base_url=demo_server.url, locale="fr-CA" if language == "fr" else "en-CA")
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.locator("html")).to_have_attribute("lang", language)
        found = {"home": serious_violations(page, axe_source)}
        page.screenshot(path=screenshots / f"home-{language}.png", full_page=True)
        sign_in(page, NEWCOMER)
        if language == "fr":
            page.get_by_role("button", name="Français").click()
        expect(page.locator("html")).to_have_attribute("lang", language)
        found["profile"] = serious_violations(page, axe_source)
        page.goto("/mentors?languages=en")
        found["search"] = serious_violations(page, axe_source)
        page.screenshot(path=screenshots / f"newcomer-search-{language}.png", full_page=True)
        for path in ("/me/proposals", "/me/mentorship", "/me/consents", "/me/data"):
            page.goto(path)
            found[path] = serious_violations(page, axe_source)
        if language == "fr":
            page.get_by_role("button", name="English").click()
        assert {name: found for name, found in found.items() if found} == {}
    finally:
        context.close()


def test_phone_width_pages_do_not_scroll_sideways(
    browser: Browser, demo_server: DemoServer, screenshots: Path
) -> None:
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        widths = {}
        page.goto("/")
        widths["home"] = page.evaluate("document.documentElement.scrollWidth")
        sign_in(page, NEWCOMER)
        for path in ("/me/profile", "/mentors", "/me/mentorship"):
            page.goto(path)
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        page.goto("/mentors")
        page.screenshot(path=screenshots / "newcomer-search-phone.png", full_page=True)
        assert {name: width for name, width in widths.items() if width > 390} == {}
    finally:
        context.close()


def test_the_newcomer_logs_a_meeting_and_downloads_their_data(page: Page) -> None:
    sign_in(page, NEWCOMER)
    page.goto("/me/mentorship")
    page.locator(".cards a").first.click()
    logged = page.locator("#meetings li").count()
    page.get_by_label("Length in minutes").fill("3")
    page.get_by_label("Notes (seen by you and your mentor)").fill("Mock interview")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator("#minutes-error")).to_be_visible()
    expect(page.get_by_label("Length in minutes")).to_have_value("3")
    expect(page.get_by_label("Notes (seen by you and your mentor)")).to_have_value("Mock interview")

    page.get_by_label("Length in minutes").fill("45")
    page.get_by_role("button", name="Log the meeting").click()
    expect(page.locator("#meetings li")).to_have_count(logged + 1)
    expect(page.locator("#meetings")).to_contain_text("Mock interview")

    page.goto("/me/data")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download my data").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert [row["email"] for row in exported["tables"]["users"]] == [NEWCOMER]
    assert any(row["notes"] == "Mock interview" for row in exported["tables"]["meetings"])


def test_pages_send_a_strict_content_policy_and_still_load_their_stylesheet(page: Page) -> None:
    answer = page.goto("/")
    assert answer is not None
    policy = answer.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert answer.headers["x-frame-options"] == "DENY"
    header = page.locator("header.top")
    expect(header).to_have_css("background-color", "rgb(11, 61, 102)")


def test_the_newcomer_revokes_a_consent(page: Page) -> None:
    """Last of the module: it changes the demo newcomer's consents for good."""
    sign_in(page, NEWCOMER)
    page.goto("/me/consents")
    card = page.locator(".card", has_text="Show my profile to the mentors proposed to me")
    expect(card.get_by_role("button", name="Revoke")).to_be_visible()
    card.get_by_role("button", name="Revoke").click()
    expect(page).to_have_url(re.compile("/me/consents$"))
    expect(card).to_contain_text("Revoked on")
    expect(card.get_by_role("button", name="Revoke")).to_have_count(0)
    # The other consent stays live.
    other = page.locator(".card", has_text="Share my file with a program I am referred to")
    expect(other.get_by_role("button", name="Revoke")).to_be_visible()
