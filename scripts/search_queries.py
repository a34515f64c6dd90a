"""The fixed query set of the search benchmarks (Chromium and CPython), on the replica's corpus.

(label, q, filters): realistic queries of a shop's inbox in pt-BR and English;
``since_days`` is relative to the corpus's end (see ``resolve``).
"""

from __future__ import annotations

DAY = 86400.0

QUERIES = [
    ("word", "entrega", {}), ("word", "pix", {}), ("word", "comprovante", {}), ("word", "deliver", {}),
    ("word", "azul", {}), ("word", "address", {}),
    ("prefix", "entreg", {}), ("prefix", "comprov", {}), ("prefix", "deliv", {}), ("prefix", "obriga", {}),
    ("accented", "endereço", {}), ("accented", "cartão", {}), ("accented", "localização", {}), ("accented", "úteis", {}),
    ("phrase", '"prazo de entrega"', {}), ("phrase", '"muito obrigado"', {}), ("phrase", '"do you deliver"', {}),
    ("words", "valor item", {}), ("words", "pedido confirmado", {}),
    ("filtered", "pix", {"direction": "in"}), ("filtered", "entrega", {"types": ["text"]}),
    ("filtered", "obrigado", {"since_days": 7}), ("filtered", "pedido", {"chat_name": "Maria"}),
]


def resolve(queries: list, now: float) -> list:
    """since_days -> since (epoch seconds) relative to ``now``."""
    out = []
    for label, q, f in queries:
        f = dict(f)
        if "since_days" in f:
            f["since"] = now - f.pop("since_days") * DAY
        out.append([label, q, f])
    return out
