"""The variables a text may use for one contact, from the CRM card: the person's name and first
name, phone, the stage and value of their deal, every custom field, and today's date, each
written in the page's locale (dates, money and numbers).

Every name has a Portuguese and an English spelling (``{{nome}}`` / ``{{name}}``); custom
fields are named by their label (``{{Cidade}}`` -> ``{{cidade}}``) or their id.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from pycore.crm.protocol import CrmCard, CrmDefs, CrmField
from pycore.templates.render import Variables, var_key

# folded name -> how the editor writes it; the first spelling of each group is the one shown.
BUILTINS: dict[str, tuple[str, ...]] = {
    "name": ("nome", "name"),
    "first_name": ("primeiro_nome", "first_name"),
    "phone": ("telefone", "phone"),
    "stage": ("etapa", "stage"),
    "value": ("valor", "value"),
    "today": ("data", "hoje", "today", "date"),
}
LETTER = re.compile(r"[^\W\d_]")
# Words that are not a first name when a name starts with them ("Dona Maria" -> "Maria").
COURTESY = {"dona", "dom", "sr", "sra", "srta", "dr", "dra", "seu", "mr", "mrs", "ms", "miss"}


@dataclass(frozen=True)
class Locale:
    """The page's locale: "pt-BR", "en-US", "en-GB"... and its offset from UTC in minutes."""

    tag: str = "pt-BR"
    utc_offset_min: int = -180

    @property
    def pt(self) -> bool:
        return not self.tag.lower().startswith("en")

    @property
    def month_first(self) -> bool:
        return self.tag.lower() in ("en-us", "en")

    def date(self, day: dt.date) -> str:
        return day.strftime("%m/%d/%Y" if self.month_first else "%d/%m/%Y")

    def today(self, now: float) -> str:
        return self.date(dt.datetime.fromtimestamp(now, dt.timezone(dt.timedelta(minutes=self.utc_offset_min))).date())

    def number(self, value: float) -> str:
        text = f"{value:,.6f}".rstrip("0").rstrip(".") if isinstance(value, float) and not value.is_integer() else f"{int(value):,}"
        return text.translate(str.maketrans(",.", ".,")) if self.pt else text

    def money(self, cents: int) -> str:
        sign = "-" if cents < 0 else ""
        whole, frac = divmod(abs(cents), 100)
        text = f"{whole:,}.{frac:02d}"
        if self.pt:
            return f"{sign}R$ {text.translate(str.maketrans(',.', '.,'))}"
        return f"{sign}R${text}"


def person_name(name: str | None) -> str | None:
    """A name fit for a message: it has letters (a bare phone number is no name)."""
    if not name or not LETTER.search(name):
        return None
    return " ".join(name.split())


def first_name(name: str | None) -> str | None:
    words = [w for w in (name or "").split() if LETTER.search(w)]
    while len(words) > 1 and var_key(words[0]) in COURTESY:
        words = words[1:]
    return words[0] if words else None


def known_names(defs: CrmDefs | None) -> dict[str, str]:
    """Every variable a text may use: the built-ins and the custom fields (folded -> as written)."""
    known: dict[str, str] = {}
    for spellings in BUILTINS.values():
        for s in spellings:
            known[var_key(s)] = s
    for f in defs.fields if defs else []:
        known.setdefault(var_key(f.label), var_key(f.label))
        known.setdefault(var_key(f.id), var_key(f.label))
    return known


def field_value(f: CrmField, value: object, loc: Locale) -> str | None:
    if value is None or value == "":
        return None
    if f.type == "money" and isinstance(value, int):
        return loc.money(value)
    if f.type == "number" and isinstance(value, (int, float)):
        return loc.number(value)
    if f.type == "date" and isinstance(value, str):
        try:
            return loc.date(dt.date.fromisoformat(value))
        except ValueError:
            return value
    if f.type == "choice":
        return next((o.label for o in f.options if o.id == value), None)
    return str(value)


def for_contact(card: CrmCard | None, defs: CrmDefs | None, loc: Locale, now: float) -> Variables:
    """The variables of this contact (``card`` None: no contact, only the date has a value)."""
    values: dict[str, str] = {}

    def put(group: str, value: str | None) -> None:
        if value:
            for s in BUILTINS[group]:
                values[var_key(s)] = value

    put("today", loc.today(now))
    who = ""
    if card is not None:
        row = card.row
        who = row.name or row.phone_display or ""
        name = person_name(row.name)
        put("name", name)
        put("first_name", None if row.is_group else first_name(name))
        put("phone", row.phone_display)
        deal = _deal(card, defs)
        if deal is not None and defs is not None:
            stage = next((s for p in defs.pipelines if p.id == deal.pipeline for s in p.stages if s.id == deal.stage), None)
            if stage is not None:
                put("stage", stage.label.pt_BR if loc.pt else stage.label.en)
            if deal.value_cents is not None:
                put("value", loc.money(deal.value_cents))
        for f in defs.fields if defs else []:
            v = field_value(f, row.fields.get(f.id), loc)
            if v:
                values[var_key(f.label)] = v
                values[var_key(f.id)] = v
    return Variables(values=values, known=known_names(defs), who=who)


def _deal(card: CrmCard, defs: CrmDefs | None):
    deals = card.row.deals
    if not deals:
        return None
    default = defs.settings.default_pipeline if defs else None
    return next((d for d in deals if d.pipeline == default), deals[0])
