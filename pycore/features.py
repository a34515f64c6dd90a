"""The feature modules the core installs, in start-up order."""

from __future__ import annotations

from pycore.search.handlers import install as install_search

INSTALLERS: list = [install_search]
