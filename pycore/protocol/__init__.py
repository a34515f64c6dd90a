"""The JS<->Python protocol: one registry of pydantic models (see base.py).

Importing this package registers every command and event.
"""

from pycore.protocol import (
    debug,  # noqa: F401,E402  (handlers only in development builds)
    system,  # noqa: F401,E402
)
from pycore.protocol.base import (  # noqa: F401
    COMMANDS,
    EVENTS,
    PROTOCOL_VERSION,
    Command,
    CoreError,
    Empty,
    ErrorInfo,
    Event,
    EventEnvelope,
    Model,
    Reply,
    Request,
    command,
    event,
)
