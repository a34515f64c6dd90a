"""Development-only helpers, installed only when the extension runs unpacked (see pycore.host.start)."""
