"""The diagnostics page shows what the core knows of WhatsApp Web right now: the connection (in the
page's language, whether a tab is the active one, when it last reported) and the last self-test,
and follows them as they change."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests import browser
from tests.conftest import wait_for
from tests.e2e.a11y import serious_violations
from tests.e2e.reading import call, open_connected

pytestmark = pytest.mark.e2e

PAGE = "extension/pages/diagnostics/diagnostics.html"


def test_diagnostics_shows_the_connection_and_the_last_self_test(routed, core_page):
    context, ext_id = routed
    wa, _ = open_connected(context, core_page, "gen=2025&lang=en")
    wa.evaluate("() => __replica.openChat(__replica.chats()[0].id)")  # a chat open: the whole self-test can run
    # A test from before the chat opened ("no conversation open") also has sending on: wait for the chat's.
    outcome = wait_for(lambda: (o := call(core_page, "selftest.last")["outcome"]) and o["summary_en"].startswith("All good") and o,
                       message="a self-test with a chat open")

    page = browser.open_page(context, ext_id, PAGE)
    pt = page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    status = call(core_page, "connection.state")["status"]
    state = page.locator("#diag-connection-state")
    state.wait_for()
    assert state.inner_text() == (status["pt_BR"] if pt else status["en"])
    assert page.locator("#diag-active-tab").inner_text() == ("uma aba ativa (de 1 aberta)" if pt else "one active tab (of 1 open)")
    assert page.locator("#diag-last-report time").get_attribute("datetime")
    summary = page.locator("#diag-selftest-summary")
    wait_for(lambda: summary.inner_text() == (outcome["summary_pt"] if pt else outcome["summary_en"]),
             message="the self-test summary")
    assert page.locator("#diag-selftest-mode").inner_text() == ("ligados" if pt else "on")
    ok = sum(s in ("ok", "deferred") for s in outcome["features"].values())
    assert page.locator("#diag-selftest-checks").inner_text() == (
        f"{ok} de {len(outcome['features'])} encontradas" if pt else f"{ok} of {len(outcome['features'])} found")
    assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("#page-state").inner_text())
    assert serious_violations(page) == []

    # The tab goes away: the page follows (it asks again every few seconds).
    wa.close()
    wait_for(lambda: page.locator("#diag-active-tab").inner_text() == ("nenhuma aba ativa" if pt else "no active tab"),
             timeout=20, message="the page to show no active tab")
    page.close()


def test_the_accessibility_check_sees_a_planted_violation(ext):
    """serious_violations() is not vacuous: a nameless button planted in a page is reported."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    page.locator("#run").wait_for()
    assert serious_violations(page) == []
    page.evaluate("() => document.querySelector('main').append(document.createElement('button'))")
    assert "button-name" in {v["id"] for v in serious_violations(page)}
    page.close()


def test_the_log_names_each_line_in_the_pages_language(ext, core_page):
    """The core's log: each line's level and the part of Mettri it is from in the page's language
    (the internal name stays in the export), filtered by level."""
    context, ext_id = ext
    rebuilt = browser.core_call(core_page, "search.rebuild")["result"]["indexed"]
    page = browser.open_page(context, ext_id, PAGE)
    pt = page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    lines = page.locator('ol.log li[data-kind="search"]')
    lines.last.wait_for()
    label = "Informação · Busca" if pt else "Information · Search"
    assert lines.last.inner_text().endswith(f" {label}: search index rebuilt: {rebuilt} messages"), lines.last.inner_text()
    assert lines.last.locator("time").get_attribute("datetime")
    assert not re.search(r"\b(null|undefined|NaN)\b", page.locator("ol.log").inner_text())
    # warnings and errors only: the rebuild's line goes
    page.select_option("#diag-log-level", "warning")
    wait_for(lambda: lines.count() == 0 and page.locator("ol.log li.log-info").count() == 0, message="info lines filtered out")
    assert serious_violations(page) == []
    page.close()


def core_texts(pt: bool, boot: dict) -> dict:
    """What the core section says for this boot state, in the page's language."""
    # as Intl rounds: half up, from the shortest decimal form (1,150 ms: "1.2", where Python's format gives "1.1")
    tenths = (Decimal(boot["readyMs"]) / 1000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    seconds = str(tenths).replace(".", "," if pt else ".")
    start = (f"pronto em {seconds} s, a partir da memória salva" if pt else f"ready in {seconds} s, from the saved memory") \
        if boot["runtimeFrom"] == "snapshot" else \
        (f"pronto em {seconds} s, carregado do zero" if pt else f"ready in {seconds} s, loaded from scratch")
    snapshot = {
        ("snapshot", None): ("em uso nesta partida", "in use for this start"),
        ("fresh", None): ("será salva em instantes", "will be saved shortly"),
        ("fresh", "making"): ("sendo salva agora", "being saved now"),
        ("fresh", "saved"): ("salva", "saved"),
        ("fresh", "failed"): ("não foi salva: a próxima partida carrega do zero", "not saved: the next start loads from scratch"),
    }
    return {"state": "Pronto" if pt else "Ready", "start": start,
            "snapshot": {s[0 if pt else 1] for (frm, _), s in snapshot.items() if frm == boot["runtimeFrom"]}}


ROUND_TRIP = {True: re.compile(r"^\d+(,\d)? ms \(mediana de 20\)$"), False: re.compile(r"^\d+(\.\d)? ms \(median of 20\)$")}


def test_diagnostics_shows_the_core_and_follows_a_restart(ext, core_page):
    """The core's section: ready, how its start went, how this page reaches it and a measured round
    trip; a restart is followed through its stages to the new start, measured again."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    pt = page.evaluate("() => chrome.i18n.getMessage('@@ui_locale')").lower().startswith("pt")
    text = lambda sel: page.locator(sel).inner_text()  # noqa: E731
    # What this test expects rounds as the page does, for every start up to 10 s: Python's format
    # rounds 0.15 s and 1.25 s down (to even, from the binary value), the page's Intl up.
    formatted = page.evaluate("""() => { const f = new Intl.NumberFormat(chrome.i18n.getUILanguage(),
        {minimumFractionDigits: 1, maximumFractionDigits: 1}); return Array.from({length: 10000}, (_, ms) => f.format(ms / 1000)); }""")
    assert [ms for ms, s in enumerate(formatted)
            if f" {s} s" not in core_texts(pt, {"readyMs": ms, "runtimeFrom": "fresh"})["start"]] == []
    round_trip = page.locator("#diag-core-round-trip")
    wait_for(lambda: ROUND_TRIP[pt].match(round_trip.inner_text()), message="a measured round trip")
    boot = browser.core_result(page, "core.boot_state")
    want = core_texts(pt, boot)
    assert text("#diag-core-state") == want["state"]
    assert text("#diag-core-start") == want["start"]
    # the snapshot may be saved meanwhile (a fresh start saves one shortly): any state of this start's
    assert text("#diag-core-snapshot") in want["snapshot"]
    assert page.evaluate("() => MettriCore.lineLive()") is True
    assert text("#diag-core-path") == ("por uma linha direta" if pt else "over a direct line")
    assert not re.search(r"\b(null|undefined|NaN)\b", text("#core-state"))
    assert serious_violations(page) == []

    # "Measure again" measures again: the button is off and the value says so while it does (read in
    # the click's own task, before the first ping is answered), the new median drawn after.
    during = page.evaluate("""() => { const b = document.getElementById("diag-core-measure"); b.click();
        return [b.disabled, document.getElementById("diag-core-round-trip").textContent]; }""")
    assert during == [True, "medindo…" if pt else "measuring…"]
    button = page.locator("#diag-core-measure")
    wait_for(lambda: button.is_enabled() and ROUND_TRIP[pt].match(round_trip.inner_text()), message="the round trip measured again")

    # A restart: the section goes through the start-up stages and shows the new start.
    page.evaluate("() => chrome.runtime.sendMessage({to: 'sw', kind: 'restart_core'})")
    starting = ("Iniciando o núcleo…" if pt else "Starting the core…")
    wait_for(lambda: text("#diag-core-state").startswith(starting), message="the restart's stages")
    assert text("#diag-core-start") == ("ainda em andamento" if pt else "still under way")
    new = browser.wait_core_ready(page)
    assert new["startedAt"] != boot["startedAt"]
    # Compared with the core's state when asked: a document Chrome closed and the worker made again
    # meanwhile is a newer start, and the page must follow that one.
    shown = lambda: (text("#diag-core-state"), text("#diag-core-start"))  # noqa: E731
    latest = lambda: (r := browser.core_call(page, "core.boot_state"))["ok"] and r["result"]  # noqa: E731
    wait_for(lambda: (now := latest()) and now["stage"] == "ready" and now["startedAt"] != boot["startedAt"]
             and shown() == (want["state"], core_texts(pt, now)["start"]),
             message=lambda: f"the new start ({latest()}); the page shows {shown()}")
    wait_for(lambda: ROUND_TRIP[pt].match(round_trip.inner_text()), message="the round trip measured after the restart")
    assert not re.search(r"\b(null|undefined|NaN)\b", text("#core-state"))
    page.close()


def test_the_self_check_reports_in_the_pages_language(ext):
    """"Verificar" loads a private runtime and writes and reads a scratch database; what it prints
    is worded for the user (the stages by their names in the page's language), not internal names."""
    context, ext_id = ext
    page = browser.open_page(context, ext_id, PAGE)
    page.click("#run")
    wait_for(lambda: page.text_content("#state") in ("Tudo certo", "Falhou"), timeout=120, message="the check to end")
    text = page.text_content("#out")
    page.close()
    lines = text.strip().split("\n")
    assert re.fullmatch(r"Carregando o Python: [\d.]+ ms", lines[0]), text
    assert re.fullmatch(r"Carregando os pacotes: [\d.]+ ms", lines[1]), text
    assert re.fullmatch(r"Gravação e leitura de 500 registros: [\d.]+ ms", lines[2]), text
    assert not re.search(r"\b(runtime|packages|ok|undefined|null|NaN)\b", text), text
