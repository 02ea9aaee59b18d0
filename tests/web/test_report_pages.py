"""The reports' pages in Debian's Chromium: the lead organization's collaborative report
with its charts and suppressed cells, its XLSX download and mailing, a bad period, an
agency's own report and another organization's program (404), accessibility in both
languages and a phone-width screen."""

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

LEAD_VIEWER = next(login.email for login in demo_logins() if login.role == Role.VIEWER.value)
AGENCY = next(
    login
    for login in demo_logins()
    if login.role == Role.ORG_ADMIN.value and login.organization_slug != "hub"
)
AGENCY_ADMIN = AGENCY.email


@pytest.fixture
def page(browser: Browser, demo_server: DemoServer) -> Iterator[Page]:
    context = browser.new_context(base_url=demo_server.url, locale="en-CA")
    page = context.new_page()
    yield page
    context.close()


def _agency_and_other_program(demo_server: DemoServer) -> tuple[str, str]:
    """A program of the agency admin's organization and one of another organization."""
    agency = AGENCY.organization_slug
    rows = demo_server.query(
        "select programs.id, organizations.slug from programs join organizations "
        "on organizations.id = programs.organization_id"
    )
    other = next(str(row[0]) for row in rows if row[1] != agency)
    own = [str(row[0]) for row in rows if row[1] == agency]
    return (own[0] if own else ""), other


def _uuid(stored: str) -> str:
    """SQLite stores the ids as 32 hex digits."""
    return str(uuid.UUID(stored))


def test_the_lead_organization_reads_the_collaborative_report(page: Page, screenshots: Path) -> None:
    sign_in(page, LEAD_VIEWER)
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reports")
    expect(page.locator("#scope")).to_have_value("collaborative")
    expect(page.locator("#report-title")).to_contain_text("The whole collaborative")
    charts = page.locator(".chart svg[role=img]")
    assert charts.count() >= 10
    # Small cells are said in words, in the table and in the chart, never drawn as zero.
    suppressed = page.locator("tr.suppressed td")
    assert suppressed.count() > 0
    expect(suppressed.first).to_have_text("suppressed (fewer than 5 people)")
    page.screenshot(path=screenshots / "report-collaborative-en.png", full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download (Excel, XLSX)").click()
    saved = download.value
    assert saved.suggested_filename.startswith("tremplin-report-collaborative-")
    assert saved.suggested_filename.endswith(".xlsx")
    assert Path(saved.path()).read_bytes()[:2] == b"PK"

    page.get_by_label("File format").select_option("csv")
    page.get_by_role("button", name="Email me the report").click()
    expect(page.get_by_role("status")).to_contain_text(LEAD_VIEWER)


def test_a_period_ending_before_it_starts_is_refused_next_to_the_field(page: Page) -> None:
    sign_in(page, LEAD_VIEWER)
    page.goto("/reports")
    page.get_by_role("button", name="Français").click()
    page.get_by_label("Premier jour").fill("2026-03-01")
    page.get_by_label("Lendemain de la période").fill("2026-02-01")
    page.get_by_role("button", name="Afficher le rapport").click()
    error = page.locator("#end-error")
    expect(error).to_be_visible()
    expect(page.get_by_label("Lendemain de la période")).to_have_value("2026-02-01")
    expect(page.get_by_label("Premier jour")).to_have_value("2026-03-01")
    expect(page.locator(".chart")).to_have_count(0)
    page.get_by_role("button", name="English").click()


def test_an_agency_reads_its_own_program_and_not_anothers(page: Page, demo_server: DemoServer) -> None:
    own, other = _agency_and_other_program(demo_server)
    sign_in(page, AGENCY_ADMIN)
    page.goto("/reports")
    # Not an overseer: no collaborative, its own organization in full.
    expect(page.locator("#scope option[value=collaborative]")).to_have_count(0)
    expect(page.locator(".notice")).to_have_count(0)
    if own:
        page.goto(f"/reports?scope=program:{_uuid(own)}")
        expect(page.locator("#scope")).to_have_value(f"program:{_uuid(own)}")
    answer = page.goto(f"/reports?scope=program:{_uuid(other)}")
    assert answer is not None and answer.status == 404
    answer = page.goto(f"/reports/export.xlsx?programId={_uuid(other)}&start=2025-01-01&end=2026-01-01")
    assert answer is not None and answer.status == 404
    assert page.goto("/reports?scope=program:not-an-id").status == 404  # type: ignore[union-attr]
    assert page.goto("/reports?scope=collaborative").status == 403  # type: ignore[union-attr]


@pytest.mark.parametrize("language", ["en", "fr"])
def test_no_serious_accessibility_violation_on_the_report(
    browser: Browser, demo_server: DemoServer, axe_source: str, screenshots: Path, language: str
) -> None:
    context = browser.new_context(base_url=demo_server.url, locale=f"{language}-CA")
    page = context.new_page()
    try:
        sign_in(page, LEAD_VIEWER, "/reports", language=language)
        expect(page.locator("html")).to_have_attribute("lang", language)
        assert page.locator(".chart svg").count() > 0
        if language == "fr":
            expect(page.locator("tr.suppressed td").first).to_have_text(re.compile("moins de 5"))
            page.screenshot(path=screenshots / "report-collaborative-fr.png", full_page=True)
        assert serious_violations(page, axe_source) == []
        if language == "fr":
            page.get_by_role("button", name="English").click()
    finally:
        context.close()


def test_the_report_fits_a_phone_width(browser: Browser, demo_server: DemoServer, screenshots: Path) -> None:
    context = browser.new_context(base_url=demo_server.url, viewport={"width": 390, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, LEAD_VIEWER, "/reports")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.screenshot(path=screenshots / "report-phone.png", full_page=True)
    finally:
        context.close()
