from pycore.storage.base import Range, Storage, StorageError, WriteOp  # noqa: F401
from pycore.storage.memory import MemoryStorage  # noqa: F401
