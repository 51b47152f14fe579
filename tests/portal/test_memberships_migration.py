"""Migration 0007: today's global roles become per-company roles, with nobody able to do more or less
in their own companies than before."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("portal", "0006_backend_paths")]
AFTER = [("portal", "0007_memberships")]


@pytest.mark.django_db(transaction=True)
def test_each_membership_gets_the_users_former_global_role() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    Company, User, Group = (old.get_model("portal", "Company"), old.get_model("portal", "User"),
                            old.get_model("auth", "Group"))
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ("viewer", "operator", "admin")}
    a, b = Company.objects.create(name="A"), Company.objects.create(name="B")
    users = {}
    for name, roles, companies in (("op", ["operator"], [a, b]), ("both", ["viewer", "admin"], [a]),
                                   ("none", [], [b]), ("lonely", ["admin"], [])):
        user = User.objects.create(username=name)
        user.groups.set([groups[r] for r in roles])
        user.companies.set(companies)
        users[name] = user.pk

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Membership = new.get_model("portal", "Membership")
    roles = {(m.user_id, m.company.name): m.role for m in Membership.objects.select_related("company")}
    assert roles == {(users["op"], "A"): 2, (users["op"], "B"): 2,  # operator in each of their companies
                     (users["both"], "A"): 3}  # the highest of their groups
    # A membership without a role gave no access before: it is dropped, not made a viewer's.
    assert not new.get_model("auth", "Group").objects.filter(name__in=["viewer", "operator", "admin"]).exists()

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)  # and back: the groups again, each user in their highest role's
    old = executor.loader.project_state(BEFORE).apps
    back = {u.username: sorted(u.groups.values_list("name", flat=True))
            for u in old.get_model("portal", "User").objects.all()}
    assert back == {"op": ["operator"], "both": ["admin"], "none": [], "lonely": []}
    _latest()


def _latest() -> None:
    """Leave the database as the other tests expect it: at every app's newest migration (stopping at
    0007 left later tests in this process without the columns that later migrations add)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
