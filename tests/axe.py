"""Accessibility and wording checks for extension pages, shared by the e2e tests.

``assert_accessible(page)`` runs axe-core (pinned in tests/a11y/package.json, installed by
scripts/setup.sh) inside the page and fails with each violation, its rule and the elements.
``assert_readable(page)`` fails when a view shows "undefined", "null" or "NaN" (a field the
page read that does not exist) in its text or in an accessible name.
"""

from __future__ import annotations

import re
from pathlib import Path

AXE = Path(__file__).resolve().parent / "a11y" / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practices.
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LEAKS = re.compile(r"\b(undefined|null|NaN)\b")


def _inject(page) -> None:
    if not page.evaluate("() => typeof window.axe === 'object'"):
        if not AXE.exists():
            raise RuntimeError(f"{AXE} is missing: run scripts/setup.sh (npm ci in tests/a11y)")
        # Evaluated through the DevTools protocol: an extension page's CSP forbids inline scripts, not this.
        page.evaluate("(source) => { (0, eval)(source); }", AXE.read_text(encoding="utf-8"))


def violations(page, selector: str | None = None) -> list[dict]:
    _inject(page)
    result = page.evaluate(
        """async ([selector, tags]) => {
            const r = await axe.run(selector ? document.querySelector(selector) : document, {runOnly: {type: "tag", values: tags}});
            return r.violations.map((v) => ({id: v.id, impact: v.impact, help: v.help,
                                             nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5)}));
        }""",
        [selector, TAGS],
    )
    return result


def assert_accessible(page, selector: str | None = None, what: str = "") -> None:
    found = violations(page, selector)
    assert not found, f"axe found problems{' in ' + what if what else ''}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}" for v in found)


def assert_readable(page, selector: str = "body") -> None:
    text = page.evaluate(
        """(selector) => {
            const root = document.querySelector(selector);
            const names = [...root.querySelectorAll("*")].flatMap((el) =>
                ["aria-label", "aria-valuetext", "title", "placeholder", "value"].map((a) => el.getAttribute(a) || ""));
            return root.innerText + "\\n" + names.join("\\n");
        }""",
        selector,
    )
    leaks = sorted({m.group(0) for m in LEAKS.finditer(text)})
    assert not leaks, f"the view shows {leaks}: " + " | ".join(
        line for line in text.splitlines() if LEAKS.search(line))[:500]
