"""Browser tests: the system Chromium driven by Playwright, with axe-core on every page.

A `journey` wraps Playwright's page. Every page the browser lands on must be
scanned with axe (journey.check()), and the test fails at the end if any visited
URL was not scanned, if axe found a violation, or if the browser console reported
an error (a Content Security Policy violation shows up there).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from werkzeug.serving import make_server

from tests.support import Account

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / ".artifacts"

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run"],
    }


def serve(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    yield from serve(app)


_AXE = Axe()


class Journey:
    """A user's path through the service, checked for accessibility at every step."""

    def __init__(self, page: Page, base_url: str, name: str) -> None:
        self.page = page
        self.base_url = base_url
        self.name = name
        self.visited: list[str] = []
        self.scanned: set[str] = set()
        self.console_errors: list[str] = []
        page.on("framenavigated", self._navigated)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console_errors.append(str(error)))

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        source = (message.location or {}).get("url", "")
        if message.text.startswith("Failed to load resource") and source in self.visited:
            return  # the page itself answered 403/404 on purpose; its own resources must still load
        self.console_errors.append(f"{message.text} ({source})")

    def _navigated(self, frame: Any) -> None:
        if frame == self.page.main_frame and frame.url.startswith(self.base_url):
            self.visited.append(frame.url)

    def url(self, path: str) -> str:
        return self.base_url + path

    def goto(self, path: str) -> Journey:
        self.page.goto(self.url(path))
        return self.check()

    def check(self) -> Journey:
        """Run axe on the page as it is now (errors and dialogs included) and record the scan."""
        self.page.wait_for_load_state("load")
        results = _AXE.run(self.page)
        if results.violations_count:
            ARTIFACTS.mkdir(exist_ok=True)
            report = ARTIFACTS / f"axe-{re.sub(r'[^A-Za-z0-9]+', '-', self.name)}-{len(self.scanned)}.json"
            report.write_text(json.dumps(results.response, indent=2))
            raise AssertionError(
                f"axe found {results.violations_count} violation(s) on {self.page.url}; see {report}\n"
                + results.generate_report()
            )
        self.scanned.add(self.page.url)
        return self

    def click(self, selector: str) -> Journey:
        """Click something that loads a new page, then scan that page."""
        with self.page.expect_navigation():
            self.page.click(selector)
        return self.check()

    def submit(self, button_text: str = "") -> Journey:
        # not a form's hidden default button (the one Enter presses): the button a person sees
        selector = (f"button:has-text('{button_text}'):not([aria-hidden=true])" if button_text
                    else "main button[type=submit]:not([aria-hidden=true])")
        return self.click(selector)

    def sign_in(self, account: Account | str, password: str | None = None) -> Journey:
        email = account if isinstance(account, str) else account.email
        secret = password or (account.password if isinstance(account, Account) else "")
        if "/sign-in" not in self.page.url:
            self.goto("/sign-in")
        self.page.fill("#email", email)
        self.page.fill("#password", secret)
        return self.submit("Sign in")

    def sign_out(self) -> Journey:
        return self.click("header button:has-text('Sign out')")

    def heading(self) -> str:
        return self.page.locator("h1").first.inner_text()

    def expect_heading(self, text: str) -> Journey:
        expect(self.page.locator("h1").first).to_contain_text(text)
        return self

    def finish(self) -> None:
        unscanned = sorted(set(self.visited) - self.scanned)
        assert not unscanned, f"pages visited without an axe scan: {unscanned}"
        assert not self.console_errors, f"browser console errors: {self.console_errors}"


@pytest.fixture
def journey(page: Page, live_server: str, request: pytest.FixtureRequest) -> Iterator[Journey]:
    page.set_default_timeout(15_000)
    trip = Journey(page, live_server, request.node.name)
    yield trip
    trip.finish()


@pytest.fixture
def new_journey(browser: Any, live_server: str, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A second person in their own browser (separate cookies)."""
    journeys: list[Journey] = []
    contexts: list[Any] = []

    def start(base_url: str | None = None) -> Journey:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        trip = Journey(page, base_url or live_server, f"{request.node.name}-{len(journeys) + 1}")
        journeys.append(trip)
        return trip

    yield start
    for trip in journeys:
        trip.finish()
    for context in contexts:
        context.close()
