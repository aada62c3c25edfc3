"""Browser helpers: Debian's Chromium through Playwright, and axe-core checks."""

import os
from pathlib import Path

import axe_playwright_python

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # Without these Chromium calls home at start, and this machine has no internet.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
]
INSTALL_HINT = (
    f"Browser tests need Chromium at {CHROMIUM}. Install it with "
    "`sudo apt-get install -y chromium` (Debian/Ubuntu), or set CHROMIUM_PATH."
)
AXE_SOURCE = (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page against WCAG 2.2 AA and return its violations."""
    # Evaluated through DevTools, not as an inline <script>: the site's CSP forbids those.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_22_AA
    )
    return result["violations"]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        targets = [", ".join(node["target"]) for node in violation["nodes"][:5]]
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {targets}")
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, "axe-core found WCAG 2.2 AA violations:\n" + describe_violations(
        violations
    )
