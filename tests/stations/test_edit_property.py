"""Stateful property test: two portal users and one editor working straight on the upstream's API.

Hypothesis interleaves: a portal user opens the edit form, saves a full edit
or a quick edit from it, refreshes the station, decides a conflict (field by
field, or discards); the editor changes station fields or an EVSE's
capabilities on the simulator's HTTP API. After every step:

    every change anyone made is either upstream, or was knowingly replaced
    (by someone whose form, or conflict page, showed it), or is an open
    conflict shown to its author, with the author's value on the page.

Values are unique per change, so "the form showed it" is value equality.
For speed the outbox runs in this process, synchronously after each step,
against the simulator over HTTP (the real worker is proven in
``test_no_lost_edits.py``).

Replaying a failure: Hypothesis prints the failing steps, and
``@reproduce_failure(...)`` with its blob (``print_blob``); add that
decorator to ``test_no_change_is_ever_lost``, or run with the seed it was
found under: ``pytest tests/stations/test_edit_property.py --hypothesis-seed=<n>``.
More interleavings: ``EDIT_PROPERTY_EXAMPLES=2000``.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule, run_state_machine_as_test

from upstreams import greenflux as gf
from locations.models import Location
from portal.access import Role
from portal.models import Backend, Company, Operation, User
from outbox.operations import operation_run
from stations import merge, services
from stations.forms.edit import StationEditForm
from stations.mapping import apply_greenflux
from stations.models import Station
from stations.versions import ShownVersion
from tests.factories import UserFactory

EXAMPLES = int(os.environ.get("EDIT_PROPERTY_EXAMPLES", "200"))
FIELDS = {"label": "name", "default_tariff_id": "default_charge_station_tariff_id"}  # portal -> upstream
CAPABILITIES = ("RFID_READER", "REMOTE_START_STOP_CAPABLE", "CREDIT_CARD_PAYABLE")
EDITOR = "editor"
_stations = itertools.count(1)


@dataclass
class Change:
    """One change someone made: who, where, what, and (for portal users) what their form showed there."""

    author: str
    path: str
    value: Any
    shown: Any = merge.MISSING  # the editor always works on the current version
    op_id: int | None = None
    withdrawn: bool = False  # its author kept theirs in a conflict


@dataclass
class OpenForm:
    shown: ShownVersion
    initial: dict[str, Any]


class EditRace(RuleBasedStateMachine):
    backend: Backend
    users: dict[str, User]

    def __init__(self) -> None:
        super().__init__()
        self.values = itertools.count(1)
        self.changes: list[Change] = []
        self.forms: dict[str, OpenForm] = {}

    # --- setup: a station of its own for each interleaving ---------------------------------

    @initialize(updated=st.booleans())
    def new_station(self, updated: bool) -> None:
        csid = f"PROP-{os.getpid()}-{next(_stations)}"
        location = Location.objects.filter(backend=self.backend).first()
        new = gf.Station(
            charge_station_id=csid, location_id=location.upstream_id, deploy_state="Stock", name="Start",
            default_charge_station_tariff_id="TARIFF-START",
            evses=(gf.Evse(uid=f"{csid}-E1", capabilities=("RFID_READER",), connectors=(
                gf.Connector("1", "IEC_62196_T2", "SOCKET", "AC_3_PHASE", 400, 32, 22000),)),),
        )
        with self.backend.connector() as connector:
            record = connector.create_station(new)
            if updated:  # re-saved once, so it has an etag; otherwise it has none yet
                record = connector.patch_station(csid, {"name": "Start"})
        station = Station.objects.create(backend=self.backend, company=self.backend.company, label=csid,
                                         charge_box_identity=csid, upstream_id=csid)
        self.station = apply_greenflux(station, record)
        self.uid = record.evses[0].uid

    # --- helpers ----------------------------------------------------------------------------

    def fresh(self) -> Station:
        return Station.objects.select_related("backend", "company", "location", "template").get(pk=self.station.pk)

    def upstream(self) -> dict[str, Any]:
        with self.backend.connector() as connector:
            return merge.canonical(connector.get_station(self.station.upstream_id).writable())

    def run_outbox(self) -> None:
        while True:
            queued = list(Operation.objects.filter(target_id=self.station.pk, target_type="station",
                                                   status=Operation.Status.QUEUED).values_list("pk", flat=True))
            if not queued:
                break
            for op_id in queued:
                assert operation_run(op_id) in ("done", "conflict"), Operation.objects.get(pk=op_id).error_message

    def conflict_of(self, user: str) -> Operation | None:
        return Operation.objects.filter(target_id=self.station.pk, target_type="station", created_by=self.users[user],
                                        status=Operation.Status.CONFLICT).order_by("-pk").first()

    def unique(self, prefix: str) -> str:
        return f"{prefix}-{next(self.values)}"

    def record(self, user: str, op: Operation | None, shown: ShownVersion) -> None:
        if op is None:
            return
        for path, value in op.payload["changes"].items():
            self.changes.append(Change(user, path, value, merge.value_at(shown.document, path), op.pk))

    # --- the portal users --------------------------------------------------------------------

    @rule(user=st.sampled_from(["u1", "u2"]))
    def open_form(self, user: str) -> None:
        form = StationEditForm(station=self.fresh(), user=self.users[user])
        self.forms[user] = OpenForm(form.shown, dict(form.initial))

    @precondition(lambda self: self.forms)
    @rule(data=st.data(), fields=st.sets(st.sampled_from(sorted(FIELDS)), min_size=1))
    def save_full_edit(self, data: st.DataObject, fields: set[str]) -> None:
        user = data.draw(st.sampled_from(sorted(self.forms)))
        opened = self.forms.pop(user)
        posted = {**opened.initial, **{name: self.unique(name) for name in fields}}
        form = StationEditForm(posted, station=self.fresh(), user=self.users[user])
        assert form.is_valid(), form.errors
        try:
            op = services.station_edit(user=self.users[user], station=self.fresh(), shown=form.shown,
                                       changes=form.changes())
        except services.StationInConflict:
            return  # refused and told so: no change was made
        self.record(user, op, form.shown)
        self.run_outbox()

    @precondition(lambda self: self.forms)
    @rule(data=st.data(), field=st.sampled_from(sorted(FIELDS)))
    def save_quick_edit(self, data: st.DataObject, field: str) -> None:
        user = data.draw(st.sampled_from(sorted(self.forms)))
        shown = self.forms[user].shown  # the quick forms of the same page
        try:
            op = services.station_patch(user=self.users[user], station=self.fresh(), name=field,
                                        value=self.unique(field), shown=shown)
        except services.StationInConflict:
            return
        self.record(user, op, shown)
        self.run_outbox()

    @rule()
    def refresh(self) -> None:
        services.station_refresh(user=None, station=self.fresh())
        self.run_outbox()

    @rule(user=st.sampled_from(["u1", "u2"]), data=st.data())
    def decide_conflict(self, user: str, data: st.DataObject) -> None:
        op = self.conflict_of(user)
        if op is None:
            return
        if data.draw(st.booleans(), label="discard"):
            services.station_conflict_discard(user=self.users[user], station=self.fresh(), op=op)
            self.withdraw(op, set(op.payload["changes"]))
            self.run_outbox()
            return
        rows = services.conflict_merges(op)
        choices = {row.path: data.draw(st.sampled_from(["mine", "theirs"]), label=row.path)
                   for row in rows if row.clash}
        new = services.station_conflict_reapply(user=self.users[user], station=self.fresh(), op=op, choices=choices)
        sent = set(new.payload["changes"]) if new is not None else set()
        self.withdraw(op, set(op.payload["changes"]) - sent)
        if new is not None:
            shown = ShownVersion(self.station.pk, new.base_etag, new.payload["shown"], "")
            self.withdraw(op, sent)  # ...replaced by the same values, sent from the version the page showed
            self.record(user, new, shown)
        self.run_outbox()

    def withdraw(self, op: Operation, paths: set[str]) -> None:
        for change in self.changes:
            if change.op_id == op.pk and change.path in paths:
                change.withdrawn = True

    # --- the editor, straight on the upstream's API --------------------------------------------

    @rule(field=st.sampled_from(sorted(FIELDS.values())))
    def editor_changes_a_field(self, field: str) -> None:
        value = self.unique("ed-name" if field == "name" else "ed-tariff")
        with self.backend.connector() as connector:
            connector.patch_station(self.station.upstream_id, {field: value})
        self.changes.append(Change(EDITOR, field, value))

    @rule(capabilities=st.sets(st.sampled_from(CAPABILITIES)))
    def editor_changes_the_evse(self, capabilities: set[str]) -> None:
        with self.backend.connector() as connector:
            connector.patch_station(self.station.upstream_id,
                                    {"evses": [{"uid": self.uid, "capabilities": sorted(capabilities)}]})
        self.changes.append(Change(EDITOR, f"evses/{self.uid}/capabilities", sorted(capabilities)))

    # --- the promise ---------------------------------------------------------------------------

    def replaced(self, index: int, change: Change) -> bool:
        """Whether a later change that landed on the same path was made by someone who saw this one."""
        for later in self.changes[index + 1:]:
            if later.path != change.path or later.withdrawn:
                continue
            landed = later.op_id is None or Operation.objects.get(pk=later.op_id).status == Operation.Status.DONE
            saw = later.author == EDITOR or later.shown == change.value
            if landed and saw:
                return True
        return False

    @invariant()
    def no_change_is_lost(self) -> None:
        if not hasattr(self, "station"):
            return
        upstream = self.upstream()
        for index, change in enumerate(self.changes):
            if change.withdrawn or self.replaced(index, change):
                continue
            if merge.value_at(upstream, change.path) == change.value:
                continue
            # Not upstream: it must be an open conflict of its author, showing their value.
            assert change.author != EDITOR, f"the editor's {change.path}={change.value!r} was overwritten"
            op = self.conflict_of(change.author)
            assert op is not None and op.pk == change.op_id, (
                f"{change.author}'s {change.path}={change.value!r} is neither upstream nor an open conflict")
            rows = {row.path: row for row in services.conflict_merges(op)}
            assert change.path in rows and rows[change.path].mine == change.value

    @invariant()
    def nothing_failed(self) -> None:
        if hasattr(self, "station"):
            assert not Operation.objects.filter(target_id=self.station.pk, status=Operation.Status.FAILED).exists()


@pytest.mark.django_db
def test_no_change_is_ever_lost(gf_backend: Backend, company_a: Company, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("outbox.operations.operation_enqueue", lambda *a, **k: None)  # run_outbox runs them here
    EditRace.backend = gf_backend
    EditRace.users = {name: UserFactory(username=name, role=Role.OPERATOR, companies=[company_a], password=None)
                      for name in ("u1", "u2")}
    run_state_machine_as_test(EditRace, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=6, deadline=None, print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
