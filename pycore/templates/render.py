"""The one renderer of texts with variables: templates, quick replies, campaigns and the
suggestions re-filled from history all go through :func:`render`.

A variable is written ``{{ name }}``. Names are compared folded (case, accents, spaces,
hyphens and underscores ignored), so ``{{Primeiro Nome}}`` is ``{{primeiro_nome}}``.
The result is either the whole text or nothing: a text with a variable that does not exist,
or that has no value for this contact, is never produced (no ``{{...}}``, no empty name in a
message); the problems say which variable and why, in pt-BR and English.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from pycore.templates.texts import texts

VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")
BRACES = re.compile(r"\{\{|\}\}")
MAX_NAME = 64


def var_key(name: str) -> str:
    """The comparison form of a variable's name: "Data de Aniversário" -> "data_de_aniversario"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "_".join(re.findall(r"[^\W_]+", plain))


@dataclass(frozen=True)
class Problem:
    """Why a text could not be rendered: ``unknown`` (no such variable), ``missing`` (no value
    for this contact) or ``malformed`` (braces that are not a variable)."""

    code: str
    variable: str
    pt_BR: str
    en: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "variable": self.variable, "pt_BR": self.pt_BR, "en": self.en}


@dataclass
class Variables:
    """What a text may name: every known variable (by folded name) and the values this contact has.
    ``known`` without a value (or with an empty one) is *missing*; a name not in ``known`` is *unknown*."""

    values: dict[str, str] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # folded name -> how to write it ({{primeiro_nome}})
    who: str = ""  # the contact, for the messages ("Ana Souza"); empty when there is none

    def with_extra(self, extra: dict[str, str]) -> "Variables":
        """Values given with the text (a campaign's spreadsheet columns) win over the contact's."""
        if not extra:
            return self
        values = dict(self.values)
        known = dict(self.known)
        for name, value in extra.items():
            k = var_key(name)
            if k:
                values[k] = value
                known.setdefault(k, name)
        return Variables(values=values, known=known, who=self.who)


@dataclass(frozen=True)
class Rendered:
    text: str | None
    problems: tuple[Problem, ...] = ()
    used: tuple[str, ...] = ()  # folded names of the variables the text uses, in order, once each


def names_in(text: str) -> list[str]:
    """The variables a text uses, as written, once each, in order."""
    seen: dict[str, str] = {}
    for m in VARIABLE.finditer(text):
        seen.setdefault(var_key(m.group(1)), m.group(1))
    return list(seen.values())


def malformed(text: str) -> list[Problem]:
    """Braces that are not a variable: ``{{}}``, ``{{ nome`` without its end, a name too long."""
    out: list[Problem] = []
    for m in VARIABLE.finditer(text):
        name = m.group(1)
        if not var_key(name) or len(name) > MAX_NAME:
            out.append(Problem("malformed", m.group(0)[:MAX_NAME], **texts("var_malformed", var=m.group(0)[:MAX_NAME])))
    rest = VARIABLE.sub("", text)
    stray = BRACES.search(rest)
    if stray is not None:
        piece = rest[max(0, stray.start() - 10): stray.end() + 10].strip()
        out.append(Problem("malformed", piece, **texts("var_unclosed", piece=piece)))
    return out


def render(text: str, variables: Variables) -> Rendered:
    """The text with every variable filled, or None and every problem found."""
    problems = malformed(text)
    used: dict[str, None] = {}
    reported: set[str] = set()

    def fill(m: re.Match) -> str:
        name = m.group(1)
        key = var_key(name)
        if not key or len(name) > MAX_NAME:
            return ""  # reported by malformed()
        used.setdefault(key, None)
        if key not in variables.known:
            if key not in reported:
                reported.add(key)
                available = ", ".join("{{" + n + "}}" for n in sorted(set(variables.known.values()))[:12])
                problems.append(Problem("unknown", name, **texts("var_unknown", var=name, available=available or "-")))
            return ""
        value = clean_value(variables.values.get(key))
        if not value:
            if key not in reported:
                reported.add(key)
                code = "var_missing" if variables.who else "var_missing_no_contact"
                problems.append(Problem("missing", name, **texts(code, var=name, who=variables.who)))
            return ""
        return value

    out = VARIABLE.sub(fill, text)
    if problems:
        return Rendered(None, tuple(problems), tuple(used))
    return Rendered(out, (), tuple(used))


def clean_value(value: object) -> str:
    """A value as it goes into a message: one line of text, trimmed; braces taken out so a value can
    never look like a variable (a CRM field holding "{{x}}")."""
    if value is None:
        return ""
    text = " ".join(str(value).split())
    return text.replace("{{", "{").replace("}}", "}")
