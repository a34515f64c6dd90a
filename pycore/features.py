"""The feature modules the core installs, in start-up order."""

from __future__ import annotations

from pycore.sending import handlers as sending

INSTALLERS: list = [sending.install]
