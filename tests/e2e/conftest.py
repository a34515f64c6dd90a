# The core fixtures (an in-memory core with a fake clock) serve e2e tests that feed
# what the browser read into a core on CPython.
from tests.core.conftest import clock, core, events, storage  # noqa: F401
