"""Roles per company: the plain ``User.companies`` table becomes the ``Membership`` model (same table)
with a ``role`` column; each membership gets the user's former global role (the highest of their
viewer/operator/admin groups), so nobody may do more or less in their own companies than before.

Then the role groups are deleted: nothing reads them any more. A membership of a user who held no
role group gave no access before and is dropped (it would otherwise become a viewer's). Going back
recreates the groups and gives each user the highest role of their memberships.
"""

from django.db import migrations, models
import django.db.models.deletion

ROLES = {"viewer": 1, "operator": 2, "admin": 3}


def roles_from_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("portal", "Membership")
    best: dict[int, int] = {}
    for group in Group.objects.filter(name__in=ROLES):
        for user_id in group.user_set.values_list("pk", flat=True):
            best[user_id] = max(best.get(user_id, 0), ROLES[group.name])
    for role in set(best.values()):
        Membership.objects.filter(user_id__in=[u for u, r in best.items() if r == role]).update(role=role)
    Membership.objects.exclude(user_id__in=list(best)).delete()
    Group.objects.filter(name__in=ROLES).delete()


def groups_from_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Membership = apps.get_model("portal", "Membership")
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in ROLES}
    names = {number: name for name, number in ROLES.items()}
    best: dict[int, int] = {}
    for user_id, role in Membership.objects.values_list("user_id", "role"):
        best[user_id] = max(best.get(user_id, 0), role)
    for user_id, role in best.items():
        groups[names[role]].user_set.add(user_id)


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_backend_paths"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The table, its columns and its (user, company) unique constraint exist already.
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="Membership",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                                   verbose_name="ID")),
                        ("company", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                      related_name="memberships", to="portal.company")),
                        ("user", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                   related_name="memberships", to="portal.user")),
                    ],
                    options={"db_table": "portal_user_companies", "ordering": ["company__name"],
                             "unique_together": {("user", "company")}},
                ),
                migrations.AlterField(
                    model_name="user",
                    name="companies",
                    field=models.ManyToManyField(blank=True, related_name="users", through="portal.Membership",
                                                 to="portal.company"),
                ),
            ],
        ),
        migrations.AddField(
            model_name="membership",
            name="role",
            field=models.PositiveSmallIntegerField(choices=[(1, "Viewer"), (2, "Operator"), (3, "Admin")],
                                                   default=1),
            preserve_default=False,
        ),
        migrations.RunPython(roles_from_groups, groups_from_roles),
    ]
