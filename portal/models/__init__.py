"""Models of the project's own app: accounts, backends and the write outbox."""

from portal.models.accounts import Company, User, WorkerHeartbeat
from portal.models.backends import Backend
from portal.models.operations import Operation

__all__ = ["Backend", "Company", "Operation", "User", "WorkerHeartbeat"]
