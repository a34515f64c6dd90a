"""messages.import"""

from __future__ import annotations

from pycore.bridge import Register
from pycore.importer.protocol import ImportMessages
from pycore.importer.service import Importer


def register(on: Register, importer: Importer) -> None:
    on(ImportMessages, importer.import_batch)
