"""Debian's headless Chromium driven by Playwright, for tests that need a real browser."""

from __future__ import annotations

import shutil
from contextlib import contextmanager

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    path = shutil.which("chromium")
    if not path:
        pytest.fail("Debian's chromium is missing: run scripts/install-system-deps (make test does)")
    return path


@contextmanager
def browser_page(width: int = 1280, height: int = 900):
    """A fresh page; yields (page, problems) where problems collects console errors and page errors."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            problems: list[str] = []
            page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
            page.on("pageerror", lambda error: problems.append(str(error)))
            # A font still loading when the test moves to the next page is aborted, which is no fault of the page;
            # a missing or unreadable file fails otherwise (net::ERR_FILE_NOT_FOUND)
            page.on("requestfailed", lambda request: None if request.failure == "net::ERR_ABORTED"
                    else problems.append(f"failed to load {request.url} ({request.failure})"))
            yield page, problems
        finally:
            browser.close()
