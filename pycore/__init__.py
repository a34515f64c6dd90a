"""Mettri's Python core.

Business logic only: it runs unchanged on CPython (tests) and under Pyodide
(the extension's offscreen document). Time, randomness and storage are injected;
the only module that touches Pyodide/JS objects is ``pycore.host``.
"""

__version__ = "0.1.0"
