"""axe-core in the browser tests: ``assert_accessible(page)`` fails on any serious or critical violation.

axe-core comes inside the pinned ``axe-playwright-python`` package (its
``axe.min.js``) and is injected into the page through Playwright, so nothing
is downloaded: the helper checks that no request left the page's own site
while axe ran (the page itself may still fetch its favicon or a fragment).
Any browser test can call it after it has brought a page into the state to
check (a dialog open, a form with errors, a popup shown).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, Request

BLOCKING = ("serious", "critical")
# WCAG 2.5.3 (label in name: a control's accessible name contains its visible text, so "Refresh now" can be
# said to a voice control): axe ships the rule as experimental, off unless named.
LABEL_IN_NAME = {"label-content-name-mismatch": {"enabled": True}}
# The WCAG 2.1 A and AA rules (axe's "best practice" extras are left out: they cost time and are advice).
OPTIONS = {"resultTypes": ["violations"],
           "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
           "rules": LABEL_IN_NAME}
_AXE = Axe()  # reads the package's own axe.min.js once


# Every rule, best practices included (``landmark-unique``...), for pages held to "0 violations of any impact".
ALL_RULES = {"resultTypes": ["violations"],
             "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]},
             "rules": LABEL_IN_NAME}


def violations(page: Page, context: Any = None, *, every_impact: bool = False) -> list[dict[str, Any]]:
    """axe's serious and critical violations on the page as it is now (or within ``context``, a selector);
    with ``every_impact``, every violation of every rule, best practices included."""
    requests: list[str] = []
    origin = urlsplit(page.url)

    def seen(request: Request) -> None:
        if urlsplit(request.url)[:2] != origin[:2]:
            requests.append(request.url)

    page.on("request", seen)
    try:
        results = _AXE.run(page, context=context, options=ALL_RULES if every_impact else OPTIONS)
    finally:
        page.remove_listener("request", seen)
    assert not requests, f"requests left the site while axe ran: {requests}"
    found = results.response["violations"]
    return found if every_impact else [v for v in found if v.get("impact") in BLOCKING]


def report(found: list[dict[str, Any]]) -> str:
    lines = []
    for v in found:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')[:300]}")
    return "\n".join(lines)


def assert_accessible(page: Page, context: Any = None, where: str = "") -> None:
    found = violations(page, context)
    assert not found, f"{where or page.url}: {len(found)} serious or critical axe violations\n{report(found)}"
