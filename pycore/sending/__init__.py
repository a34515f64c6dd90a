"""The writing side: one gate (policy -> rate limiter -> outbox) for every outbound message."""
