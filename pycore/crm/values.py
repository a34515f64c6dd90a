"""Custom field values: parsed from what the user typed (or a spreadsheet cell), validated,
stored in one canonical form.

Stored forms: text, e-mail -> str; number -> int or float; money -> int cents (BRL);
date -> "YYYY-MM-DD"; choice -> the option's id; phone -> E.164. ``None`` (or an empty
string) clears the value. Numbers and amounts written as text follow the language's
convention ("1.234,56" in pt-BR, "1,234.56" in English); a number with both separators is
read by its last one, whatever the language.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from pycore.crm import phone as phones
from pycore.crm.texts import Invalid
from pycore.crm.roster import norm

Lang = Literal["pt_BR", "en"]
Stored = str | int | float | None

TEXT_MAX = 1000
NUMBER_MAX = 1e15
MONEY_MAX = 10**13  # cents: a hundred billion reais
EMAIL = re.compile(r"^[^@\s\"<>,;]{1,64}@([A-Za-z0-9\u00c0-\uffff](?:[A-Za-z0-9\u00c0-\uffff\-]{0,62})\.)+[A-Za-z\u00c0-\uffff]{2,63}$")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")


def _plain(text: str) -> str:
    """One line, no control characters, trimmed."""
    if not text.isprintable():
        text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def parse_decimal(text: str, lang: Lang) -> Decimal | None:
    """'1.234,56' (pt-BR) or '1,234.56' (en) -> Decimal; None when it is not a number."""
    s = _SPACES.sub("", text).replace("\u2212", "-")
    s = re.sub(r"^(-?)(R\$|\$|BRL)", r"\1", s)
    if not s or len(s) > 40:
        return None
    neg = s.startswith("-")
    s = s.lstrip("+-")
    if not re.fullmatch(r"[\d.,]+", s) or not any(c.isdigit() for c in s):
        return None
    if "," in s and "." in s:
        decimal_sep = "," if s.rfind(",") > s.rfind(".") else "."
    elif "," in s:
        grouped = re.fullmatch(r"\d{1,3}(,\d{3})+", s) is not None
        decimal_sep = "." if (lang == "en" and grouped) or s.count(",") > 1 else ","
    elif "." in s:
        grouped = re.fullmatch(r"\d{1,3}(\.\d{3})+", s) is not None
        decimal_sep = "," if (lang == "pt_BR" and grouped) or s.count(".") > 1 else "."
    else:
        decimal_sep = "."
    thousands = "," if decimal_sep == "." else "."
    body = s.replace(thousands, "")
    if body.count(decimal_sep) > 1:
        return None
    body = body.replace(decimal_sep, ".")
    if body.startswith(".") or body.endswith("."):
        body = body.strip(".") or "0"
    try:
        value = Decimal(body)
    except InvalidOperation:
        return None
    return -value if neg else value


def parse_money(raw: Any, name: str, lang: Lang) -> int | None:
    """Integer cents from cents (an int) or typed text ('R$ 1.234,56')."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Invalid("bad_value_type", name=name)
    if isinstance(raw, int):
        cents = raw
    elif isinstance(raw, float):
        if not math.isfinite(raw) or raw != int(raw):
            raise Invalid("bad_money", name=name, value=str(raw)[:40])
        cents = int(raw)
    elif isinstance(raw, str):
        value = parse_decimal(raw, lang)
        if value is None or value.as_tuple().exponent < -2:
            raise Invalid("bad_money", name=name, value=raw.strip()[:40])
        cents = int(value * 100)
    else:
        raise Invalid("bad_value_type", name=name)
    if cents < 0:
        raise Invalid("money_negative", name=name)
    if cents > MONEY_MAX:
        raise Invalid("money_range", name=name)
    return cents


def parse_number(raw: Any, name: str, lang: Lang) -> int | float | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, bool):
        raise Invalid("bad_value_type", name=name)
    if isinstance(raw, (int, float)):
        value = raw
        if isinstance(value, float) and not math.isfinite(value):
            raise Invalid("not_a_number", name=name, value=str(raw))
    elif isinstance(raw, str):
        d = parse_decimal(raw, lang)
        if d is None:
            raise Invalid("not_a_number", name=name, value=raw.strip()[:40])
        value = int(d) if d == d.to_integral_value() else float(d)
    else:
        raise Invalid("bad_value_type", name=name)
    if abs(value) > NUMBER_MAX:
        raise Invalid("number_range", name=name)
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return value


def parse_date(raw: Any, name: str, lang: Lang) -> str | None:
    """'YYYY-MM-DD' from ISO ('2026-03-05', maybe with a time), dd/mm/yyyy (pt-BR) or mm/dd/yyyy (en)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if not isinstance(raw, str):
        raise Invalid("bad_value_type", name=name)
    s = raw.strip()
    shown = s[:40]
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+Z?)?", s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?: [\d:]+)?", s)
        if not m:
            raise Invalid("bad_date", name=name, value=shown)
        a, b, y = (int(g) for g in m.groups())
        d, mo = (a, b) if lang == "pt_BR" else (b, a)
        if y < 100:
            y += 2000 if y < 70 else 1900
    try:
        day = dt.date(y, mo, d)
    except ValueError:
        raise Invalid("bad_date", name=name, value=shown) from None
    if not 1900 <= day.year <= 2200:
        raise Invalid("date_range", name=name)
    return day.isoformat()


def parse_text(raw: Any, name: str) -> str | None:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, (str, int, float)):
        raise Invalid("bad_value_type", name=name)
    text = _plain(str(raw))
    if len(text) > TEXT_MAX:
        raise Invalid("text_too_long", name=name, limit=TEXT_MAX)
    return text or None


def parse_email(raw: Any, name: str) -> str | None:
    text = parse_text(raw, name)
    if text is None:
        return None
    if len(text) > 254 or not EMAIL.match(text):
        raise Invalid("bad_email", name=name, value=text[:60])
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def parse_phone(raw: Any, name: str) -> str | None:
    text = parse_text(raw, name)
    if text is None:
        return None
    return phones.normalize(text).e164


def parse_choice(raw: Any, name: str, options: list[tuple[str, str]]) -> str | None:
    """An option's id, given its id or its label (case and accents ignored)."""
    text = parse_text(raw, name)
    if text is None:
        return None
    for oid, _label in options:
        if text == oid:
            return oid
    want = norm(text)
    for oid, label in options:
        if norm(label) == want:
            return oid
    raise Invalid("not_an_option", name=name, value=text[:60], options=", ".join(label for _, label in options[:12]))


def parse_value(kind: str, raw: Any, name: str, lang: Lang, options: list[tuple[str, str]] | None = None) -> Stored:
    """A field's stored value; ``Invalid`` with the reason and the field's name otherwise."""
    if kind == "text":
        return parse_text(raw, name)
    if kind == "number":
        return parse_number(raw, name, lang)
    if kind == "money":
        return parse_money(raw, name, lang)
    if kind == "date":
        return parse_date(raw, name, lang)
    if kind == "choice":
        return parse_choice(raw, name, options or [])
    if kind == "email":
        return parse_email(raw, name)
    if kind == "phone":
        return parse_phone(raw, name)
    raise AssertionError(kind)


def format_value(kind: str, value: Stored, lang: Lang, options: dict[str, str] | None = None) -> str:
    """A stored value as the CSV export writes it (and search indexes it)."""
    if value is None:
        return ""
    if kind == "money":
        return format_cents(int(value), lang)
    if kind == "number":
        text = repr(value) if isinstance(value, float) else str(value)
        return text.replace(".", ",") if lang == "pt_BR" else text
    if kind == "date":
        y, m, d = str(value).split("-")
        return f"{d}/{m}/{y}" if lang == "pt_BR" else f"{y}-{m}-{d}"
    if kind == "choice":
        return (options or {}).get(str(value), "")
    return str(value)


def format_cents(cents: int, lang: Lang) -> str:
    """1234.56 written without grouping, the spreadsheet way: '1234,56' (pt-BR), '1234.56' (en)."""
    text = f"{cents // 100}.{cents % 100:02d}"
    return text.replace(".", ",") if lang == "pt_BR" else text
