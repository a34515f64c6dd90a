"""The words of a message that say what it asks: folded (case and accents ignored, as the search
index folds them), without the little words every message has ("o", "de", "você", "the")."""

from __future__ import annotations

import re
import unicodedata

WORD = re.compile(r"[^\W_]+")
MAX_TERMS = 10
# Common words of pt-BR and English chat: they match most of the history and say nothing of the question.
STOPWORDS = frozenset("""
a o e as os um uma uns umas de da do das dos em no na nos nas por pra pro para com sem que se
eu tu ele ela nos vos eles elas voce voces vc vcs me te lhe meu minha seu sua teu tua isso isto
aquilo esse essa este esta aquele aquela ai la aqui ja nao sim mas ou tambem muito mais menos
foi ser ter tem tenho temos estou esta estao era sao sou vai vou ao aos oi ola ok obrigado obrigada
bom boa dia tarde noite tudo bem entao qual quais quando onde como porque pq q tb ne gente
the an of to in on at for with is are was be do does did you your i me my we our it this that
and or but not no yes hi hello ok thanks please can could would will have has what which when
where how there here just so
""".split())


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(text: str) -> list[str]:
    """The words worth searching for, once each, in order, at most MAX_TERMS."""
    out = [w for w in dict.fromkeys(fold(m.group()) for m in WORD.finditer(text)) if len(w) >= 2 and w not in STOPWORDS]
    return out[:MAX_TERMS]
