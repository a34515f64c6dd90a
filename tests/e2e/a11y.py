"""Accessibility checks of extension pages with axe-core (pinned in tests/a11y/package-lock.json)."""

from __future__ import annotations

import re
from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "a11y" / "node_modules" / "axe-core" / "axe.min.js"

RUN = """async (selector) => {
    const result = await axe.run(selector ? document.querySelector(selector) : document, {resultTypes: ["violations"]});
    return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" "))}));
}"""


def serious_violations(page, selector: str | None = None) -> list[dict]:
    """axe-core's serious and critical violations on the page (or inside ``selector``).

    The script goes in through the DevTools protocol, which extension pages' CSP does not restrict."""
    assert AXE.exists(), "axe-core is not installed: run scripts/setup.sh (npm ci in tests/a11y)"
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")  # a script, not a function: run as it is
    return page.evaluate(RUN, selector)


def assert_accessible(page, selector: str | None = None, what: str = "") -> None:
    found = serious_violations(page, selector)
    assert not found, f"axe found problems{' in ' + what if what else ''}:\n" + "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at {v['nodes'][:5]}" for v in found)


LEAKS = re.compile(r"\b(undefined|null|NaN)\b")


def assert_readable(page, selector: str = "body") -> None:
    """Fails when a view shows "undefined", "null" or "NaN" (a field the page read that does not
    exist) in its text or in an accessible name."""
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
