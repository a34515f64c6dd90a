"""The feature modules the core installs, in start-up order."""

from __future__ import annotations

INSTALLERS: list = []
