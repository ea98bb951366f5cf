"""What every browser test shares: Debian's Chromium, the live desk, signing in, and the page
checks every page must pass (axe-core, no sideways scrolling at 390 px, a screenshot kept).

axe-core is vendored under `vendor/` (MPL-2.0, its licence beside it) and injected into the
page under test; nothing is fetched at run time. Screenshots go to `var/test-artefacts/`
(override with `TEST_ARTEFACTS`), one PNG per named page, for a person to look at.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from servicedesk.auth import DEMO_PASSWORD
from tests.factories.world import build_world

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
ARTEFACTS = Path(os.environ.get("TEST_ARTEFACTS", Path(__file__).resolve().parents[2] / "var" / "test-artefacts"))
PHONE_WIDTH = 390
BLOCKING_IMPACTS = frozenset({"serious", "critical"})


@pytest.fixture(scope="module")
def _orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API keeps an event loop running in this thread, and Django refuses
    ORM calls from a thread with a running loop. The calls here (seeding, checks, the
    database flush after each test) are ordinary synchronous ones, so allow them."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_orm_beside_playwright) -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail("Chromium is not installed; `make browser` installs Debian's package.")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def desk_url(live_server) -> str:
    build_world()
    return live_server.url


#: Put into every page before its own scripts: each Content-Security-Policy violation the
#: browser reports is kept for check_page.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
// htmx refuses what would need eval (its trigger filters, hx-on) with this event instead.
document.addEventListener("htmx:evalDisallowedError", (event) => {
  window.__cspViolations.push(`htmx eval refused on ${event.target.outerHTML.slice(0, 120)}`);
});
"""


def new_context(browser: Browser, desk_url: str, *, locale: str = "en-GB", width: int = 1280) -> BrowserContext:
    context = browser.new_context(base_url=desk_url, locale=locale, viewport={"width": width, "height": 900})
    context.set_default_timeout(5_000)
    context.add_init_script(script=RECORD_CSP_VIOLATIONS)
    return context


def new_page(browser: Browser, desk_url: str, *, locale: str = "en-GB", width: int = 1280) -> Page:
    return new_context(browser, desk_url, locale=locale, width=width).new_page()


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD, *, wait: bool = True) -> None:
    """Through the sign-in page, by keyboard: type both fields, press Enter; then (unless told
    not to) wait for the home page the account lands on."""
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(email)
    field = page.locator("#id_password")
    field.fill(password)
    field.press("Enter")
    if wait:
        page.wait_for_url(re.compile(r"/(portal|console|dashboard|desk-admin)/$"))


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical axe-core violations of the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's debugging protocol, which the page's
        # Content-Security-Policy does not govern (a <script> tag would be refused, rightly).
        page.evaluate(AXE_SOURCE.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return [violation for violation in results["violations"] if violation["impact"] in BLOCKING_IMPACTS]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
        lines.append(f"{violation['impact']} {violation['id']}: {violation['help']} — {targets}")
    return "\n".join(lines)


def sideways_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 when it fits)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def screenshot(page: Page, name: str) -> Path:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def check_page(page: Page, name: str) -> None:
    """The checks every page passes as it is shown now: nothing blocked by the
    Content-Security-Policy, no serious or critical axe-core violation, no sideways scrolling
    when the viewport is a phone's, and a screenshot kept."""
    screenshot(page, name)
    blocked = page.evaluate("() => window.__cspViolations || []")
    assert not blocked, f"the Content-Security-Policy blocked on {name} ({page.url}): {blocked}"
    violations = axe_violations(page)
    assert not violations, f"axe-core on {name} ({page.url}):\n{describe_violations(violations)}"
    width = page.viewport_size["width"] if page.viewport_size else None
    if width is not None and width <= PHONE_WIDTH:
        assert sideways_overflow(page) == 0, f"{name} scrolls sideways at {width} px"
