"""Chat-export test data: the generator (generate.py), hand-written fixtures (fixtures/), and the
differential comparison with whatsapp-chat-parser (differential.py, Node)."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def fixture(name: str) -> bytes:
    """A hand-written fixture's bytes (the parser's input is always bytes and a file name)."""
    return (FIXTURES / name).read_bytes()
