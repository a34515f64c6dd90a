"""The feature modules the core installs, in start-up order."""

from __future__ import annotations

from pycore.capture.backfill import install as install_backfill
from pycore.capture.handlers import install as install_capture
from pycore.connection import install as install_connection
from pycore.contacts.handlers import install as install_contacts
from pycore.history.handlers import install as install_history
from pycore.metrics import install as install_metrics
from pycore.search.handlers import install as install_search
from pycore.sending.handlers import install as install_sending
from pycore.whatsapp.handlers import install as install_whatsapp
from pycore.wiring import install as install_wiring

INSTALLERS: list = [
    install_capture,
    install_history,  # after capture: imports share its change sequence
    install_whatsapp,
    install_connection,
    install_contacts,
    install_backfill,
    install_search,
    install_sending,
    install_metrics,
    install_wiring,  # last: connects the features above through events
]
