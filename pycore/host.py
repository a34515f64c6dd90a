"""The one adapter between the core and its JavaScript host (Pyodide only).

The offscreen document calls :func:`start` with a host object (extension/offscreen/host.js)
and then sends every request through ``CoreHost.handle_json``. All values cross
the boundary as JSON text, so no JS proxies outlive a call.
"""

from __future__ import annotations

import json
import logging
import random
from typing import Any, Callable, Collection, Sequence

from pycore.app import Core, Services
from pycore.clock import SystemClock
from pycore.dev.clock import WarpClock
from pycore.storage.base import (
    BLOB_FAULTS,
    PartSeen,
    Range,
    Storage,
    StorageError,
    WriteOp,
    blob_parts,
    blob_size,
    blob_writes,
    read_file_parts,
)
from pycore.storage.schema import schema_json

log = logging.getLogger("mettri.host")

# Text handed to JavaScript is JSON with every non-ASCII character escaped (json.dumps' default):
# Pyodide copies an ASCII str across in one go, and any other str character by character. An
# import's batch of 5,000 records with accents took 180-230 ms to cross raw, under 10 escaped; the
# escapes cost JSON.parse nothing (it parsed the escaped text faster).

# Errors IndexedDB raises that a retry can cure (a closed connection is reopened by the shim).
RETRYABLE = ("InvalidStateError", "TransactionInactiveError", "AbortError", "QuotaExceededError", "UnknownError")
WRITE_ATTEMPTS = 3


def _js_error(exc: Exception) -> StorageError:
    text = str(exc)
    return StorageError(text, retryable=any(name in text for name in RETRYABLE))


class IndexedDBStorage(Storage):
    """Storage over extension/offscreen/idb-shim.js."""

    overlaps = True

    def __init__(self, shim: Any) -> None:
        self._shim = shim
        self.early: set[tuple[str, str]] = set()  # blobs taken from the worker's early reads

    def read_early(self, store: str, key: str) -> bool:
        return (store, key) in self.early

    async def _call(self, method: str, *args: Any) -> Any:
        try:
            text = await getattr(self._shim, method)(*args)
        except Exception as exc:  # JsException under Pyodide
            raise _js_error(exc) from None
        return json.loads(text)

    async def open(self) -> int:
        return int(await self._call("open", json.dumps(schema_json())))

    async def apply(self, ops: Sequence[WriteOp]) -> None:
        await self._write(json.dumps([op.as_json() for op in ops]))

    async def _write(self, payload: str, *blobs: Any) -> None:
        last: StorageError | None = None
        for _ in range(WRITE_ATTEMPTS):
            try:
                await self._call("apply", payload, *blobs)
                return
            except StorageError as exc:
                last = exc
                if not exc.retryable:
                    break
        assert last is not None
        raise last

    async def put_blob(self, store: str, key: str, head: dict[str, Any], data: bytes,
                       parts: Collection[int] | None = None, also: Sequence[WriteOp] = ()) -> None:
        """As Storage.put_blob, each part crossing once as a Uint8Array (a copy out of wasm memory),
        never as JSON text: a part's write names its place in that list ("blob")."""
        from pyodide.ffi import to_js  # Pyodide only, like this module

        view = memoryview(data)
        await self._put_parts(store, key, head, len(data), lambda start, end: to_js(view[start:end]), parts, also)

    async def put_blob_file(self, store: str, key: str, head: dict[str, Any], path: str,
                            parts: Collection[int] | None = None, also: Sequence[WriteOp] = ()) -> None:
        """As Storage.put_blob_file: the parts are views of the file's bytes in Pyodide's in-memory file
        system, which IndexedDB copies as it takes them; nothing crosses into or out of wasm memory."""
        from pyodide_js import FS  # Pyodide only, like this module

        node = FS.lookupPath(path).node
        contents, size = node.contents, node.usedBytes
        await self._put_parts(store, key, head, size, lambda start, end: contents.subarray(start, end), parts, also)

    async def _put_parts(self, store: str, key: str, head: dict[str, Any], size: int, part: Callable[[int, int], Any],
                         parts: Collection[int] | None, also: Sequence[WriteOp]) -> None:
        from pyodide.ffi import to_js  # Pyodide only, like this module

        ops, spans = blob_writes(store, key, head, size, parts, self.blob_part)
        payload = [op.as_json() for op in [*ops, *also]]
        for n in range(len(spans)):
            payload[1 + n]["blob"] = n
        await self._write(json.dumps(payload), to_js([part(start, end) for start, end in spans]))

    async def get_blob(self, store: str, key: str, each: PartSeen | None = None) -> tuple[dict[str, Any], bytearray] | None:
        """Not over IndexedDB: a blob is read into a file (get_blob_file), never whole into the heap."""
        raise StorageError("a blob is read with get_blob_file here", retryable=False)

    async def get_blob_file(self, store: str, key: str, path: str, each: PartSeen | None = None) -> dict[str, Any] | None:
        """As Storage.get_blob_file. The blob is read whole in JavaScript (IdbShim.readBlob, or the
        worker's early read when one was made) and its buffer becomes the file's storage in Pyodide's
        in-memory file system (no copy, outside the wasm heap); ``each`` then reads the file through
        one part-sized buffer."""
        from js import Object
        from pyodide.ffi import to_js
        from pyodide_js import FS  # Pyodide only, like this module

        try:
            got = await self._shim.takeEarlyBlob(store, json.dumps(key))
            early = got is not None
            if not early:
                got = await self._shim.readBlob(store, json.dumps(key), json.dumps(blob_parts(key).model_dump()))
                if got is None:
                    return None
            head = json.loads(got.head)
            blob_size(head)  # a head with no size is said as Storage.get_blob says it
            if got.fault:  # else the bytes are the head's size: readWhole made them so
                raise StorageError(BLOB_FAULTS.get(got.fault, f"blob unreadable: {got.fault}"), retryable=False)
            FS.writeFile(path, got.data, to_js({"canOwn": True}, dict_converter=Object.fromEntries))
        except StorageError:
            raise
        except Exception as exc:  # JsException under Pyodide
            raise _js_error(exc) from None
        if early:
            self.early.add((store, key))
        if each:
            read_file_parts(path, each)
        return head

    async def get(self, store: str, key: Any) -> dict[str, Any] | None:
        return await self._call("get", store, json.dumps(key))

    async def get_many(self, store: str, keys) -> list[dict[str, Any] | None]:
        if not keys:
            return []
        return await self._call("getMany", store, json.dumps(list(keys)))

    @staticmethod
    def _q(store: str, index: str | None, range: Range | None, **extra: Any) -> str:
        q = {"store": store, "index": index, "range": range.model_dump() if range else None, **extra}
        return json.dumps(q)

    async def query(self, store, *, index=None, range=None, limit=None, reverse=False, fields=None):
        return await self._call("query", self._q(store, index, range, limit=limit, reverse=reverse,
                                                 fields=list(fields) if fields is not None else None))

    async def count(self, store, *, index=None, range=None) -> int:
        return int(await self._call("count", self._q(store, index, range)))

    async def close(self) -> None:
        self._shim.close()


class JsModelClient:
    """The language model's request through the JS host (extension/offscreen/host.js ``modelChat``),
    which adds the API key from chrome.storage.local and aborts at the timeout."""

    def __init__(self, host: Any) -> None:
        self._host = host

    async def chat(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            text = await self._host.modelChat(json.dumps(request))
        except Exception as exc:  # JsException: a failed request, never a failed core
            log.warning("model request failed: %s", type(exc).__name__)
            return {"error": "network"}
        answer = json.loads(text)
        return answer if isinstance(answer, dict) else {"error": "network"}


class CoreHost:
    """What JavaScript holds: a started core and its entry point."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def handle_json(self, text: str) -> str:
        return await self.core.handle_json(text)

    async def loaded(self) -> None:
        """Wait until the features built after "ready" are in (or failed to be)."""
        await self.core.features.later_set.built.wait()


async def start(host: Any, dev: bool = False) -> CoreHost:
    """``dev``: the extension runs unpacked (a development build). Only then may tests move the
    core's clock forward (``debug.clock.advance``, pycore/dev/clock.py)."""

    def emit(envelope: dict[str, Any]) -> None:
        host.emit(json.dumps(envelope))

    clock = WarpClock(SystemClock()) if dev else SystemClock()
    services = Services(clock=clock, rng=random.Random(), storage=IndexedDBStorage(host.idb), emit=emit, host=host,
                        model_client=JsModelClient(host))
    core = Core(services, dev=dev, later_after_ready=True)
    await core.start()
    return CoreHost(core)
