"""Models of the project's own app: accounts, backends, the write outbox and refresh runs."""

from portal.models.accounts import Company, Membership, User, WorkerHeartbeat
from portal.models.backends import Backend
from portal.models.identities import CompanyIdentity
from portal.models.operations import Operation
from portal.models.sync import RemovalHold, SyncLock, SyncRun
from portal.models.targets import TargetChoice

__all__ = ["Backend", "Company", "CompanyIdentity", "Membership", "Operation", "RemovalHold", "SyncLock", "SyncRun",
           "TargetChoice", "User", "WorkerHeartbeat"]
