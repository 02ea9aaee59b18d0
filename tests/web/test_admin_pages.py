"""The organization admin's and the employer representative's pages in Debian's
Chromium: plugins switched off and on, matching weights refused next to the field then
saved, an integration client created (its secret shown once) and revoked, the audit
log filtered and its chain verified, another organization's program (404), and
accessibility in both languages on a phone-width screen too."""

import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from core.demo import demo_logins
from core.models import Role
from tests.web.conftest import DemoServer
from tests.web.test_newcomer_pages import serious_violations, sign_in

LEAD_ADMIN = next(
    login
    for login in demo_logins()
    if login.role == Role.ORG_ADMIN.value and login.organization_slug == "hub"
)
AGENCY_ADMIN = next(
    login
    for login in demo_logins()
    if login.role == Role.ORG_ADMIN.value and login.organization_slug != "hub"
)
EMPLOYER_REP = next(login for login in demo_logins() if login.role == Role.EMPLOYER_REP.value)


@pytest.fixture
def page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.url, locale="en-CA")
    page = context.new_page()
    yield page
    context.close()


def _program_of(demo_server: DemoServer, slug: str) -> str:
    rows = demo_server.query(
        "select programs.id from programs join organizations on organizations.id = programs.organization_id "
        "where organizations.slug = ? order by programs.name_en",
        slug,
    )
    return str(uuid.UUID(str(rows[0][0])))


def test_the_admin_disables_and_enables_a_program_type(page: Page) -> None:
    sign_in(page, LEAD_ADMIN.email)
    page.get_by_role("link", name="Administration").click()
    row = page.locator("tbody tr").filter(has=page.get_by_role("button", name=re.compile("^Disable "))).first
    plugin = row.locator("th").inner_text()
    row.get_by_role("button", name=f"Disable {plugin}").click()
    expect(page.get_by_role("status")).to_contain_text(plugin)
    switched = page.locator(f"#plugin-{plugin}")
    expect(switched.locator("td").nth(1)).to_have_text("Disabled")
    switched.get_by_role("button", name=f"Enable {plugin}").click()
    expect(page.locator(f"#plugin-{plugin} td").nth(1)).to_have_text("Enabled")


def test_matching_weights_refused_next_to_the_field_then_saved(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, LEAD_ADMIN.email)
    page.goto(f"/admin/programs/{_program_of(demo_server, 'hub')}")
    page.get_by_role("button", name="Français").click()
    weight = page.locator("input[name^='weight.']").first
    field = weight.get_attribute("id")
    weight.fill("-2")
    page.get_by_role("button", name="Enregistrer la pondération").click()
    error = page.locator(f"#{field}-error")
    expect(error).to_be_visible()
    expect(error).not_to_contain_text("weight")
    expect(page.locator(f"#{field}")).to_have_value("-2")
    expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")

    page.locator(f"#{field}").fill("douze")
    page.get_by_role("button", name="Enregistrer la pondération").click()
    expect(page.locator(f"#{field}-error")).to_have_text("Entrez un nombre, par exemple 1,5.")
    expect(page.locator(f"#{field}")).to_have_value("douze")

    page.locator(f"#{field}").fill("2,5")
    page.get_by_role("button", name="Enregistrer la pondération").click()
    expect(page.get_by_role("status")).to_have_text("La pondération du jumelage a été enregistrée.")
    expect(page.locator(f"#{field}")).to_have_value("2.5")

    page.get_by_label("Critères (JSON)").fill('{"all": [')
    page.get_by_role("button", name="Enregistrer les critères dans une nouvelle version").click()
    expect(page.locator("#rules-error")).to_contain_text("JSON")
    expect(page.get_by_label("Critères (JSON)")).to_have_value('{"all": [')
    page.get_by_role("button", name="English").click()


def test_the_admin_creates_a_client_sees_its_secret_once_and_revokes_it(page: Page) -> None:
    sign_in(page, LEAD_ADMIN.email)
    page.goto("/admin/clients")
    page.get_by_label("Name").fill("")
    page.get_by_role("button", name="Create the client").click()
    expect(page.locator("#name-error")).to_be_visible()
    name = f"Funder dashboard {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name").fill(name)
    page.get_by_label("Operations allowed").fill("report notAnOperation")
    page.get_by_role("button", name="Create the client").click()
    expect(page.locator("#operations-error")).to_contain_text("notAnOperation")
    expect(page.get_by_label("Name")).to_have_value(name)
    page.get_by_label("Operations allowed").fill("report")
    page.get_by_role("button", name="Create the client").click()
    secret = page.locator("#new-client-secret").inner_text()
    assert len(secret) >= 20
    page.goto("/admin/clients")
    assert secret not in page.content()
    row = page.locator("tr.client", has_text=name)
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name=f"Revoke {name}").click()
    expect(page.locator("tr.client", has_text=name)).to_contain_text("Revoked on")


def test_the_admin_configures_single_sign_on_without_the_secret_ever_shown(page: Page) -> None:
    sign_in(page, AGENCY_ADMIN.email)
    page.goto("/admin/sign-on")
    expect(page.locator("#sign-on-state")).to_have_text("Not configured")
    secret = f"provider-secret-{uuid.uuid4().hex}"
    page.get_by_label("Issuer (https address of the provider)").fill("http://login.example.org")
    page.get_by_label("Client identifier").fill("tremplin-web")
    page.get_by_label("Client secret").fill(secret)
    page.get_by_role("button", name="Save the sign-on settings").click()
    expect(page.locator("#issuer-error")).to_be_visible()
    expect(page.get_by_label("Issuer (https address of the provider)")).to_have_value(
        "http://login.example.org"
    )
    expect(page.get_by_label("Client identifier")).to_have_value("tremplin-web")
    assert secret not in page.content()

    page.get_by_label("Issuer (https address of the provider)").fill("https://login.example.org")
    page.get_by_label("Client secret").fill(secret)
    page.get_by_role("button", name="Save the sign-on settings").click()
    expect(page.get_by_role("status")).to_have_text("The sign-on settings were saved.")
    expect(page.locator("#sign-on-state")).to_have_text("On")
    expect(page.get_by_label("Client secret")).to_have_value("")
    assert secret not in page.content()

    page.get_by_role("button", name="Stop single sign-on").click()
    expect(page.locator("#sign-on-state")).to_have_text("Not configured")


def test_the_agency_admin_filters_the_audit_log_and_verifies_the_chain(page: Page) -> None:
    sign_in(page, AGENCY_ADMIN.email)
    page.goto("/admin/audit")
    every = int(re.search(r"(\d+)", page.locator("#events-title").inner_text()).group(1))  # type: ignore[union-attr]
    assert every > 0
    page.get_by_label("Action").select_option("change")
    page.get_by_role("button", name="Filter").click()
    expect(page).to_have_url(re.compile("action=change"))
    changes = int(re.search(r"(\d+)", page.locator("#events-title").inner_text()).group(1))  # type: ignore[union-attr]
    assert changes <= every
    assert page.locator("tr.audit-event td:nth-child(2)").all_inner_texts() == ["Change"] * min(changes, 50)
    page.get_by_label("From (day included)").fill("2026-05-01")
    page.get_by_label("To (day included)").fill("2026-04-01")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#until-error")).to_be_visible()
    expect(page.get_by_label("To (day included)")).to_have_value("2026-04-01")
    page.goto("/admin/audit")
    page.get_by_role("button", name="Verify the chain of entries").click()
    expect(page.locator("#chain-result")).to_have_text(f"The chain is intact: {every} entries checked.")


def test_other_organizations_and_other_roles_are_refused(page: Page, demo_server: DemoServer) -> None:
    sign_in(page, AGENCY_ADMIN.email)
    other = _program_of(demo_server, "hub")
    assert page.goto(f"/admin/programs/{other}").status == 404  # type: ignore[union-attr]
    assert page.goto("/admin/programs/not-an-id").status == 404  # type: ignore[union-attr]
    assert page.goto(f"/admin/clients/{uuid.uuid4()}/revoke").status == 405  # type: ignore[union-attr]
    page.context.clear_cookies()
    sign_in(page, EMPLOYER_REP.email)
    assert page.goto("/admin").status == 403  # type: ignore[union-attr]
    page.get_by_role("link", name="Our programs and mentors").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Our programs and mentors")
    expect(page.locator("#mentors-title")).to_contain_text(re.compile(r"Our mentors: [1-9]"))


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_accessibility_violation_on_the_admin_pages(
    browser: Browser, demo_server: DemoServer, axe_source: str, screenshots: Path, language: str
) -> None:
    context = browser.new_context(base_url=demo_server.url, locale=f"{language}-CA")
    page = context.new_page()
    try:
        sign_in(page, LEAD_ADMIN.email, "/admin", language=language)
        found = {}
        for path in (
            "/admin",
            f"/admin/programs/{_program_of(demo_server, 'hub')}",
            "/admin/clients",
            "/admin/members",
            "/admin/sign-on",
            "/admin/audit?action=read",
        ):
            page.goto(path)
            expect(page.locator("html")).to_have_attribute("lang", language)
            found[path] = serious_violations(page, axe_source)
        page.screenshot(path=screenshots / f"admin-audit-{language}.png", full_page=True)
        page.context.clear_cookies()
        sign_in(page, EMPLOYER_REP.email, "/employer", language=language)
        found["/employer"] = serious_violations(page, axe_source)
        if language == "fr":
            page.get_by_role("button", name="English").click()
        assert {path: violations for path, violations in found.items() if violations} == {}
    finally:
        context.close()


def test_the_admin_pages_fit_a_phone_width(browser: Browser, demo_server: DemoServer) -> None:
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, LEAD_ADMIN.email, "/admin")
        widths = {}
        for path in (
            "/admin",
            f"/admin/programs/{_program_of(demo_server, 'hub')}",
            "/admin/clients",
            "/admin/audit",
        ):
            page.goto(path)
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
        assert {path: width for path, width in widths.items() if width > 390} == {}
    finally:
        context.close()


def test_the_admin_adds_a_member_after_fixing_the_address(page: Page) -> None:
    sign_in(page, AGENCY_ADMIN.email)
    page.goto("/admin/members")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("Name").fill("Aïcha Benali")
    page.get_by_label("Role").select_option("coordinator")
    page.get_by_role("button", name="Add the member").click()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.get_by_label("Email address")).to_have_value("not an address")
    expect(page.get_by_label("Name")).to_have_value("Aïcha Benali")
    expect(page.get_by_label("Role")).to_have_value("coordinator")
    address = f"aicha.{uuid.uuid4().hex[:6]}@example.org"
    page.get_by_label("Email address").fill(address)
    page.get_by_role("button", name="Add the member").click()
    expect(page.get_by_role("status")).to_have_text(f"{address} was added.")
