"""Three-way merge of GreenFlux station edits: what the user changed, against what the form showed.

Every station edit (full edit, quick edit, a reapplied conflict, and later
bulk and EVSE hardware edits) goes through the same three steps:

1. ``canonical(document)`` reduces a GreenFlux station document (an upstream
   answer, or the mirror's version built by ``stations.versions``) to what a
   user can change: the station's writable fields, and its EVSEs keyed by
   ``uid`` with their connectors keyed by ``id``. Live status, read-only
   configuration, ``etag``, ``last_updated``, ``charge_station_template_id``
   and fields only the mirror fills in (``evse_sequence_number``) are left
   out, ``""`` and ``None`` are one value, and capability and parking lists
   compare as sets. EVSEs in status ``REMOVED`` count as absent.

2. ``user_changes(shown, mine)`` lists the user's changes as a flat dict of
   *paths* to new values: ``"name"``, ``"evses/<uid>/capabilities"``,
   ``"evses/<uid>/connectors/<id>/voltage"``; ``"evses/<uid>"`` or
   ``"evses/<uid>/connectors/<id>"`` with the whole item when it was added,
   ``None`` when it was removed. Fields the user did not change are never in
   it, whatever the mirror holds.

3. At send time the worker reads the station fresh and either finds a
   conflict (``three_way`` tells which fields clash) or merges:
   ``merge_document(fresh, changes)`` is the fresh upstream document with only
   these changes applied (the body of a PUT: status, configuration and every
   untouched field exactly as the upstream has them now) and
   ``patch_body(fresh, changes)`` is the smallest PATCH that makes them.

All functions are pure (dicts in, dicts out) and JSON-safe, so changes can be
stored on an outbox operation and shown on the conflict page.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

STATION_FIELDS = ("name", "location_id", "default_charge_station_tariff_id", "deploy_state", "charger_type",
                  "contactless_type")
EVSE_FIELDS = ("evse_id", "capabilities", "floor_level", "physical_reference", "directions",
               "parking_restrictions")
CONNECTOR_FIELDS = ("standard", "format", "power_type", "voltage", "amperage", "max_electric_power",
                    "tariff_id")
_SETS = ("capabilities", "parking_restrictions")  # order carries no meaning


class _Missing:
    """The value at a path whose EVSE or connector does not exist in a version."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def _norm(name: str, value: Any) -> Any:
    if value in ("", None):
        return [] if name in (*_SETS, "directions") else None
    if name in _SETS:
        return sorted(value)
    if name == "directions":
        return [{"language": d.get("language", ""), "text": d.get("text", "")} for d in value]
    return value


def _connector(raw: Mapping[str, Any]) -> dict[str, Any]:
    return {f: _norm(f, raw.get(f)) for f in CONNECTOR_FIELDS}


def _evse(raw: Mapping[str, Any]) -> dict[str, Any]:
    out = {f: _norm(f, raw.get(f)) for f in EVSE_FIELDS}
    out["connectors"] = {str(c.get("id")): _connector(c) for c in raw.get("connectors") or []}
    return out


def canonical(document: Mapping[str, Any]) -> dict[str, Any]:
    """What a user can change of a GreenFlux station document, normalised for comparison."""
    out: dict[str, Any] = {f: _norm(f, document.get(f)) for f in STATION_FIELDS}
    out["evses"] = {str(e.get("uid")): _evse(e) for e in document.get("evses") or []
                    if e.get("status") != "REMOVED" and e.get("uid")}
    return out


# --- paths ------------------------------------------------------------------------------

def _path(*parts: str) -> str:
    return "/".join(parts)


def value_at(version: Mapping[str, Any], path: str) -> Any:
    """The value at ``path`` in a canonical version, or ``MISSING`` when its EVSE or connector is absent."""
    node: Any = version
    parts = path.split("/")
    for depth, part in enumerate(parts):
        if part == "evses" and depth == 0 or part == "connectors" and depth == 2:
            node = node.get(part, {})
            continue
        if not isinstance(node, Mapping) or part not in node:
            return MISSING
        node = node[part]
    return node


def _diff_items(base: Mapping[str, Any], mine: Mapping[str, Any], prefix: str, fields: Iterable[str],
                out: dict[str, Any]) -> None:
    for name in fields:
        if base.get(name) != mine.get(name):
            out[_path(prefix, name)] = mine.get(name)


def user_changes(shown: Mapping[str, Any], mine: Mapping[str, Any]) -> dict[str, Any]:
    """The paths where ``mine`` differs from ``shown`` (both canonical), with ``mine``'s values."""
    out: dict[str, Any] = {}
    for name in STATION_FIELDS:
        if shown.get(name) != mine.get(name):
            out[name] = mine.get(name)
    shown_evses, mine_evses = shown.get("evses", {}), mine.get("evses", {})
    for uid in [*shown_evses, *(u for u in mine_evses if u not in shown_evses)]:
        evse_path = _path("evses", uid)
        if uid not in mine_evses:
            out[evse_path] = None
        elif uid not in shown_evses:
            out[evse_path] = copy.deepcopy(mine_evses[uid])
        else:
            before, after = shown_evses[uid], mine_evses[uid]
            _diff_items(before, after, evse_path, EVSE_FIELDS, out)
            old, new = before.get("connectors", {}), after.get("connectors", {})
            for cid in [*old, *(c for c in new if c not in old)]:
                conn_path = _path(evse_path, "connectors", cid)
                if cid not in new:
                    out[conn_path] = None
                elif cid not in old:
                    out[conn_path] = copy.deepcopy(new[cid])
                else:
                    _diff_items(old[cid], new[cid], conn_path, CONNECTOR_FIELDS, out)
    return out


def apply_changes(version: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """A canonical version with ``changes`` applied (what the user wants), e.g. "mine" on the conflict page."""
    out = copy.deepcopy(dict(version))
    out.setdefault("evses", {})
    for path, value in sorted(changes.items(), key=lambda item: item[0].count("/")):
        parts = path.split("/")
        if len(parts) == 1:
            out[parts[0]] = value
            continue
        evses = out["evses"]
        uid = parts[1]
        if len(parts) == 2:
            _set_or_drop(evses, uid, value)
            continue
        if uid not in evses:
            continue  # the EVSE is gone in this version; three_way reports that as a clash
        if len(parts) == 3:
            evses[uid][parts[2]] = value
            continue
        connectors = evses[uid].setdefault("connectors", {})
        if len(parts) == 4:
            _set_or_drop(connectors, parts[3], value)
        elif parts[3] in connectors:
            connectors[parts[3]][parts[4]] = value
    return out


def _set_or_drop(items: dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        items.pop(key, None)
    else:
        items[key] = copy.deepcopy(value)


def touches_evses(changes: Mapping[str, Any]) -> bool:
    return any(path.startswith("evses/") for path in changes)


# --- three-way --------------------------------------------------------------------------

@dataclass(frozen=True)
class FieldMerge:
    """One path of a three-way comparison: where the user started, what they want, the upstream now."""

    path: str
    base: Any
    mine: Any
    theirs: Any
    mine_changed: bool
    theirs_changed: bool

    @property
    def clash(self) -> bool:
        """Both changed it, to different values: the user must choose."""
        return self.mine_changed and self.theirs_changed and self.mine != self.theirs


def three_way(shown: Mapping[str, Any], changes: Mapping[str, Any],
              theirs: Mapping[str, Any]) -> list[FieldMerge]:
    """Every path the user or the upstream changed since ``shown``, the user's first."""
    rows = [FieldMerge(path, value_at(shown, path), value, value_at(theirs, path), True,
                       value_at(theirs, path) != value_at(shown, path))
            for path, value in changes.items()]
    mine_paths = set(changes)
    for path, value in user_changes(shown, theirs).items():
        covered = any(path == p or path.startswith(p + "/") or p.startswith(path + "/") for p in mine_paths)
        if not covered:
            rows.append(FieldMerge(path, value_at(shown, path), value_at(shown, path), value, False, True))
    return rows


def clashes(shown: Mapping[str, Any], changes: Mapping[str, Any], theirs: Mapping[str, Any]) -> list[str]:
    """The paths both sides changed differently (empty: the changes can go on top of ``theirs``)."""
    return [row.path for row in three_way(shown, changes, theirs) if row.clash]


def already_applied(changes: Mapping[str, Any], theirs: Mapping[str, Any]) -> bool:
    """Whether the upstream already holds every change (an earlier attempt landed, or nothing to do)."""
    for path, value in changes.items():
        now = value_at(theirs, path)
        if not (now == value or (value is None and now is MISSING)):
            return False
    return True


# --- writing ----------------------------------------------------------------------------

def _connector_payload(cid: str, conn: Mapping[str, Any]) -> dict[str, Any]:
    return {"id": cid, **{f: v for f, v in conn.items() if f in CONNECTOR_FIELDS and v is not None}}


def _new_evse_payload(uid: str, evse: Mapping[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = {"uid": uid}
    for name in EVSE_FIELDS:
        value = evse.get(name)
        if value not in (None, []) or name == "capabilities":
            item[name] = copy.deepcopy(value) if value is not None else []
    item["connectors"] = [_connector_payload(cid, c) for cid, c in (evse.get("connectors") or {}).items()]
    return item


def _merge_evse(evse: dict[str, Any], uid: str, changes: Mapping[str, Any]) -> bool:
    """Apply the changes under ``evses/<uid>/`` to one upstream EVSE (in place); whether connectors changed."""
    prefix = _path("evses", uid) + "/"
    connectors_changed = False
    by_id = {str(c.get("id")): c for c in evse.get("connectors") or []}
    order = [str(c.get("id")) for c in evse.get("connectors") or []]
    for path, value in changes.items():
        if not path.startswith(prefix):
            continue
        parts = path[len(prefix):].split("/")
        if parts[0] != "connectors":
            evse[parts[0]] = copy.deepcopy(value)
            continue
        connectors_changed = True
        cid = parts[1]
        if len(parts) == 2:
            if value is None:
                by_id.pop(cid, None)
            else:
                by_id[cid] = _connector_payload(cid, value)
                order += [] if cid in order else [cid]
        elif cid in by_id:
            by_id[cid][parts[2]] = value
    evse["connectors"] = [{k: v for k, v in by_id[cid].items() if k != "last_updated" and v is not None}
                          for cid in order if cid in by_id]
    return connectors_changed


def merge_document(fresh: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fresh upstream document with only ``changes`` applied: the body of a PUT.

    ``fresh`` is the upstream's writable document (``gf.Station.writable()``):
    every field nobody changed, live status included, goes back exactly as the
    upstream has it now. EVSEs keep the upstream's order; removed ones are left
    out (GreenFlux then marks them REMOVED), added ones are appended.
    """
    document = copy.deepcopy(dict(fresh))
    for name in STATION_FIELDS:
        if name in changes:
            document[name] = changes[name]
    evses = []
    for evse in document.get("evses") or []:
        uid = str(evse.get("uid"))
        path = _path("evses", uid)
        if path in changes and changes[path] is None:
            continue
        _merge_evse(evse, uid, changes)
        evses.append(evse)
    known = {str(e.get("uid")) for e in evses}
    for path, value in changes.items():
        parts = path.split("/")
        if len(parts) == 2 and parts[0] == "evses" and value is not None and parts[1] not in known:
            evses.append(_new_evse_payload(parts[1], value))
    document["evses"] = evses
    return document


def patch_body(fresh: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """The smallest PATCH that makes ``changes`` on ``fresh``: only changed fields and touched EVSEs.

    GreenFlux's PATCH upserts the EVSEs it names (by ``uid``) and replaces a
    named EVSE's connector list, so an EVSE whose connectors changed carries
    its whole merged connector list; a removed EVSE is named with status
    ``REMOVED`` (OCPI never deletes an EVSE).
    """
    body: dict[str, Any] = {name: changes[name] for name in STATION_FIELDS if name in changes}
    touched = list(dict.fromkeys(path.split("/")[1] for path in changes if path.startswith("evses/")))
    if not touched:
        return body
    current = {str(e.get("uid")): e for e in fresh.get("evses") or []}
    evses = []
    for uid in touched:
        whole = changes.get(_path("evses", uid), MISSING)
        if whole is None:
            evses.append({"uid": uid, "status": "REMOVED"})
        elif whole is not MISSING and uid not in current:
            evses.append(_new_evse_payload(uid, whole))
        elif uid in current:
            merged = copy.deepcopy(current[uid])
            connectors_changed = _merge_evse(merged, uid, changes)
            item = {"uid": uid}
            prefix = _path("evses", uid) + "/"
            for path in changes:
                if path.startswith(prefix) and not path[len(prefix):].startswith("connectors"):
                    name = path[len(prefix):]
                    item[name] = merged[name]
            if connectors_changed:
                item["connectors"] = merged["connectors"]
            evses.append(item)
    body["evses"] = evses
    return body


def edit_of(payload: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any], str]:
    """``(shown, changes, check)`` of an edit operation's payload.

    Every edit stores ``{"shown", "changes", "check"}`` (``stations.services.station_edits_enqueue``);
    a payload of whole documents (``{"document", "base"}``: the base version the user saw and what
    they want, as bulk changes wrote it before they took the same route) is reduced to the same.
    """
    if "shown" in payload:
        return dict(payload["shown"]), dict(payload.get("changes") or {}), payload.get("check", "etag")
    shown = canonical(payload.get("base") or {})
    return shown, user_changes(shown, canonical(payload.get("document") or {})), "etag"

