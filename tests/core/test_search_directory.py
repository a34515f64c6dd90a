"""The contact/chat directory: the word list narrows candidates, the answer is the full scan's."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pycore.search.directory import MIN_DIGITS, Directory, entry
from pycore.search.text import digits, words

NAMES = ["Maria Almeida", "Maria", "Mário Araújo", "Ana Paula", "Ana", "João da Silva", "Joana", "Loja Azul",
         "Grupo Entregas SP", "Beto Oficina", "", "Zé", "Ação Social"]
PUSH = [None, "Mari", "Jô", "Anita", "Silva Bebidas"]


def brute(directory: Directory, q: str, limit: int) -> list[tuple[float, str, str]]:
    """The rules in directory.search's docstring, checked on every entry."""
    qwords, qdigits = words(q), digits(q)
    phrase = " ".join(qwords)
    found = []
    for e in directory.entries.values():
        score, field = 0.0, ""
        for name, label in ((e.name, "title"), (e.push, "push_name")):
            if not phrase or not name:
                continue
            s = 4.0 if name == phrase else 3.0 if name.startswith(phrase) else \
                2.0 if all(any(w.startswith(qw) for w in name.split()) for qw in qwords) else 0.0
            if s > score:
                score, field = s, label
        if not score and len(qdigits) >= MIN_DIGITS and qdigits in e.digits:
            score, field = 1.0, "number"
        if score:
            found.append((score, field, e))
    found.sort(key=lambda t: (-t[0], -(t[2].last_ts or 0.0), t[2].title, t[2].key))
    return [(s, f, e.key) for s, f, e in found[:limit]]


def directory(n: int) -> Directory:
    d = Directory()
    d.load([{"key": f"55119{i:08d}@c.us", "title": NAMES[i % len(NAMES)] + (f" {i}" if i % 3 else ""),
             "push_name": PUSH[i % len(PUSH)], "last_ts": float(i % 17)} for i in range(n)])
    return d


@settings(max_examples=300, deadline=None)
@given(q=st.one_of(st.sampled_from(["maria", "mar", "ana p", "joao silva", "jo", "a", "ze", "acao", "1190000",
                                    "+55 11 9000-0001", "silva bebidas", "grupo sp", "", "  ", "12"]),
                   st.text(alphabet="amrioãjsl 019", max_size=8)))
def test_search_answers_as_a_full_scan_would(q):
    d = directory(300)
    assert [(s, f, e.key) for s, f, e in d.search(q, 50)] == brute(d, q, 50)


def test_reloading_replaces_the_word_list():
    d = directory(20)
    assert d.search("maria", 5)
    d.load([{"key": "1@c.us", "title": "Novo Nome"}])
    assert d.search("maria", 5) == [] and [e.key for _, _, e in d.search("novo", 5)] == ["1@c.us"]


def test_an_entry_matches_by_its_push_name_words_too():
    d = Directory()
    d.load([{"key": "1@c.us", "title": "Cliente 1", "push_name": "Dona Cida"}])
    assert [(f, e.key) for _, f, e in d.search("cida", 5)] == [("push_name", "1@c.us")]
    assert entry({"key": ""}) is None


def test_an_update_answers_as_a_reload_of_every_record_would():
    """update() puts in a few records (a renamed chat, a new one, a contact's push name, a newer
    last_ts) and leaves the rest: its answers are those of a directory loaded with all of them."""
    records = [{"key": f"55119{i:08d}@c.us", "title": NAMES[i % len(NAMES)] + (f" {i}" if i % 3 else ""),
                "push_name": PUSH[i % len(PUSH)], "last_ts": float(i % 17)} for i in range(200)]
    d = Directory()
    d.load(records)
    changed = [
        {**records[4], "title": "Zuleica Prado"},  # renamed
        {"key": "5511999999999@c.us", "title": "Maria Nova", "last_ts": 99.0},  # a new chat
        {**records[7], "last_ts": 50.0},  # a new message
    ]
    contact = {"key": records[7]["key"], "push_name": "Dona Joana"}  # its contact record, passed with it
    assert d.update(changed + [contact])
    assert not d.update([changed[2], contact])  # the same again: nothing changed
    final = {r["key"]: r for r in records}
    final.update({r["key"]: r for r in changed})
    whole = Directory()
    whole.load(list(final.values()) + [contact])
    for q in ("maria", "zuleica", "ana", "dona joana", "joana", "1190000", "mar", "ze"):
        assert [(s, f, e.key) for s, f, e in d.search(q, 50)] == [(s, f, e.key) for s, f, e in whole.search(q, 50)], q
    assert records[4]["key"] not in [e.key for _, _, e in d.search("ana 4", 50)]  # its old name is gone from the word list
