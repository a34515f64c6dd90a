"""The feature modules the core installs, in start-up order."""

from __future__ import annotations

from pycore.capture.handlers import install as install_capture

INSTALLERS: list = [install_capture]
