"""What every browser test does to a page: check it with axe-core and at 320px."""

from __future__ import annotations

import os

from axe_playwright_python.sync_playwright import Axe

_axe = Axe()
PAGES_CHECKED: list[str] = []


def check_page(page) -> None:
    """No serious or critical axe violations, and nothing wider than a 320px screen."""
    results = _axe.run(page)
    serious = [v for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{page.url}\n{results.generate_report()}"
    PAGES_CHECKED.append(page.url)
    if os.environ.get("AXE_PAGES_FILE"):  # counts pages checked across a run (accessibility note)
        with open(os.environ["AXE_PAGES_FILE"], "a", encoding="utf-8") as pages:
            pages.write(page.url + "\n")
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 640})
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert overflow <= 320, f"{page.url} is {overflow}px wide at a 320px screen"


def sign_in(page, email: str, password: str) -> None:
    page.goto("/sign-in")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
