"""The interface's words: pt-BR (the default) and English hold the same messages with the same
placeholders, and every message a page or script names literally exists in both."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "extension" / "_locales"


def messages(locale: str) -> dict:
    return json.loads((LOCALES / locale / "messages.json").read_text(encoding="utf-8"))


def test_both_languages_hold_the_same_messages_and_placeholders():
    pt, en = messages("pt_BR"), messages("en")
    assert set(pt) == set(en), {"only pt_BR": sorted(set(pt) - set(en)), "only en": sorted(set(en) - set(pt))}
    for key in pt:
        assert pt[key]["message"].strip() and en[key]["message"].strip(), key
        assert pt[key].get("placeholders") == en[key].get("placeholders"), key
        for locale, entry in (("pt_BR", pt[key]), ("en", en[key])):
            used = {m.lower() for m in re.findall(r"\$(\w+)\$", entry["message"])}
            assert used <= set(entry.get("placeholders", {})), (locale, key, used)


def literal_keys() -> set[tuple[str, str]]:
    """(file, key) for every message named literally: t("key"), t('key', ...), data-i18n="key"."""
    found = set()
    for path in sorted((ROOT / "extension").rglob("*")):
        if path.suffix not in (".js", ".html") or "protocol" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(ROOT).as_posix()
        found |= {(rel, k) for k in re.findall(r"""\bt\(\s*["'](\w+)["']\s*[,)]""", text)}
        found |= {(rel, k) for k in re.findall(r"""data-i18n(?:-title)?="([\w]+)\"""", text)}
    return found


def test_every_message_named_in_the_code_exists():
    pt = messages("pt_BR")
    used = literal_keys()
    assert len(used) > 100
    missing = sorted((f, k) for f, k in used if k not in pt)
    assert not missing, missing


def test_every_kind_of_log_line_has_a_name_in_both_languages():
    """The diagnostics page names the part of Mettri a log line is from in the user's language
    (logKind_<kind>: the core's logger names under mettri)."""
    from pycore.logs.service import ROOT as LOG_ROOT
    from tests.core.test_log_names import core_loggers

    kinds = {"core"} | {n.split(".")[1] for n in core_loggers() if n.startswith(LOG_ROOT + ".")}
    for locale in ("pt_BR", "en"):
        assert {f"logKind_{k}" for k in kinds} - set(messages(locale)) == set(), locale
