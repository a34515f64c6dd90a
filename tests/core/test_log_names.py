"""Every logger of the core is under ``mettri``: the log book (core.logs, the diagnostics page)
keeps only those, so a module that logged under its own name (``__name__``) was never seen."""

from __future__ import annotations

import importlib
import logging
import pkgutil

import pycore
from pycore.logs.service import ROOT


def core_loggers() -> list[str]:
    """The names of every logger the core's modules make (each module imported)."""
    for mod in pkgutil.walk_packages(pycore.__path__, "pycore."):
        importlib.import_module(mod.name)
    return list(logging.root.manager.loggerDict)


def test_every_core_logger_feeds_the_log_book():
    loggers = core_loggers()
    names = [n for n in loggers if n.split(".")[0] == "pycore"]
    assert names == [], f"loggers outside {ROOT!r}: the log book never sees them"
    assert any(n.startswith(ROOT + ".") for n in loggers)

