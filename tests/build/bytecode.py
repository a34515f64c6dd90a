"""Which source a shipped ``.pyc`` was compiled from. The wheels ship bytecode in place of sources
(scripts/pyc/compile_wheels.py) as unchecked-hash pycs (PEP 552): the header holds the source's
SipHash-1-3 keyed with the magic number of the Python that compiled it. That Python is Pyodide's
3.14, not the 3.11 running the tests, so ``importlib.util.source_hash`` (keyed with this Python's
magic) cannot be used: the hash is computed here, for any magic."""

from __future__ import annotations

import struct

_MASK = (1 << 64) - 1
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, not checked against the source


def _rotl(x: int, b: int) -> int:
    return ((x << b) | (x >> (64 - b))) & _MASK


def siphash13(k0: int, k1: int, data: bytes) -> int:
    """SipHash-1-3, as CPython's _Py_KeyedHash computes it."""
    v0, v1 = k0 ^ 0x736F6D6570736575, k1 ^ 0x646F72616E646F6D
    v2, v3 = k0 ^ 0x6C7967656E657261, k1 ^ 0x7465646279746573

    def sip_round() -> None:
        nonlocal v0, v1, v2, v3
        v0 = (v0 + v1) & _MASK
        v1 = _rotl(v1, 13) ^ v0
        v0 = _rotl(v0, 32)
        v2 = (v2 + v3) & _MASK
        v3 = _rotl(v3, 16) ^ v2
        v0 = (v0 + v3) & _MASK
        v3 = _rotl(v3, 21) ^ v0
        v2 = (v2 + v1) & _MASK
        v1 = _rotl(v1, 17) ^ v2
        v2 = _rotl(v2, 32)

    whole = len(data) - len(data) % 8
    for (word,) in struct.iter_unpack("<Q", data[:whole]):
        v3 ^= word
        sip_round()
        v0 ^= word
    last = (len(data) & 0xFF) << 56 | int.from_bytes(data[whole:], "little")
    v3 ^= last
    sip_round()
    v0 ^= last
    v2 ^= 0xFF
    for _ in range(3):
        sip_round()
    return v0 ^ v1 ^ v2 ^ v3


def source_hash(magic: bytes, source: bytes) -> bytes:
    """What a pyc compiled with ``magic`` (its first 4 bytes) records for ``source``."""
    return siphash13(int.from_bytes(magic, "little"), 0, source).to_bytes(8, "little")


def compiled_from(pyc: bytes, source: bytes) -> bool:
    """Whether ``pyc`` is unchecked-hash bytecode of exactly ``source``."""
    flags = int.from_bytes(pyc[4:8], "little")
    return flags == UNCHECKED_HASH and pyc[8:16] == source_hash(pyc[:4], source)
