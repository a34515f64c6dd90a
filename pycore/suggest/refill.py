"""A reply written to one person, made fit for another: the names of the person answered then
become variables ({{nome}}, {{primeiro_nome}}) that the templates' renderer fills for this contact.
Only names are re-filled: other facts in an old reply (a price, a date) are the user's own words."""

from __future__ import annotations

import re


def generalize(reply: str, full_name: str, first_name: str) -> str:
    """``reply`` with the other person's full name, then first name, as variables (whole words,
    case as written). Braces already in the reply are kept apart so they never form a variable."""
    text = reply.replace("{{", "{\u200b{").replace("}}", "}\u200b}")
    for value, var in ((full_name, "{{nome}}"), (first_name, "{{primeiro_nome}}")):
        if value and len(value) >= 2:
            text = re.sub(r"(?<![\w])" + re.escape(value) + r"(?![\w])", var, text)
    return text


def restore(text: str) -> str:
    """Undo the keeping apart of braces (after rendering)."""
    return text.replace("{\u200b{", "{{").replace("}\u200b}", "}}")
