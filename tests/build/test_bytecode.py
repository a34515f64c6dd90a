"""tests/build/bytecode.py, the check that shipped bytecode was compiled from the pinned sources,
against this Python's own source hash and pycs."""

from __future__ import annotations

import importlib.util
from importlib._bootstrap_external import _code_to_hash_pyc

from tests.build import bytecode

SOURCES = [b"", b"x", b"12345678", b"a = 1\n" * 7, "ação = 'é'\n".encode() * 50]


def test_source_hash_is_cpythons():
    for source in SOURCES:
        assert bytecode.source_hash(importlib.util.MAGIC_NUMBER, source) == importlib.util.source_hash(source), source


def test_compiled_from_names_exactly_its_source():
    source = b"def f():\n    return 1\n"
    code = compile(source, "m.py", "exec")
    unchecked = _code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False)
    assert bytecode.compiled_from(unchecked, source)
    assert not bytecode.compiled_from(unchecked, source.replace(b"1", b"2"))
    # a pyc the interpreter would check against a source file that is not shipped
    assert not bytecode.compiled_from(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=True), source)
