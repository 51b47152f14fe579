"""Models of the project's own app: accounts, backends, the write outbox and refresh runs."""

from portal.models.accounts import Company, User, WorkerHeartbeat
from portal.models.backends import Backend
from portal.models.operations import Operation
from portal.models.sync import SyncLock, SyncRun

__all__ = ["Backend", "Company", "Operation", "SyncLock", "SyncRun", "User", "WorkerHeartbeat"]
