"""What a bulk action applies to: checked rows, or every station matching the list's filter.

"All N matching this filter" travels as the filter's query string, never as N
ids, and is resolved again (scoped to the user) when the preview is computed.
A selection that names anything outside the user's reach is refused whole:
another company's station id, or a filter value (company, backend, location)
the filter form would drop as not theirs, which would otherwise widen the
selection to everything the user has.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import QueryDict

from portal.access import Role, scoped
from stations.filters import StationFilterForm
from stations.models import Station
from stations.selectors import station_filter

MAX_SELECTED = 10_000
# The list's filter fields; sort, page size and cursors do not change what is selected.
FILTER_NAMES = tuple(name for name in StationFilterForm.ORDER if name not in ("sort", "per_page"))


class SelectionRefused(Exception):
    """The selection cannot be acted on; the message says why and that nothing was changed."""


@dataclass(frozen=True)
class Selection:
    ids: tuple[int, ...] = ()
    filter: str | None = None  # the filter's query string when "all matching" was chosen

    @classmethod
    def from_params(cls, params: QueryDict) -> Selection:
        """From the station list's bulk form: ``scope=all`` with the filter, or ``station=<id>`` per checked row."""
        if params.get("scope") == "all":
            return cls(filter=filter_query(params))
        raw = params.getlist("station")
        ids = []
        for value in raw:
            if not str(value).isdigit():
                raise SelectionRefused(f"“{value}” is not a station id; nothing was changed.")
            ids.append(int(value))
        return cls(ids=tuple(dict.fromkeys(ids)))

    def to_json(self) -> dict[str, Any]:
        return {"filter": self.filter} if self.filter is not None else {"ids": list(self.ids)}

    def to_params(self) -> QueryDict:
        """Back to query parameters (for links to the export, or back to the form)."""
        if self.filter is not None:
            params = QueryDict(self.filter, mutable=True)
            params["scope"] = "all"
            return params
        params = QueryDict(mutable=True)
        params.setlist("station", [str(i) for i in self.ids])
        return params

    def filter_form(self, user: Any) -> StationFilterForm | None:
        return StationFilterForm(QueryDict(self.filter), user=user) if self.filter is not None else None

    def stations(self, user: Any, form: StationFilterForm | None = None,
                 min_role: Role = Role.VIEWER) -> QuerySet[Station]:
        """The selected stations of the companies where the user holds ``min_role``; refuses a selection
        that reaches beyond them."""
        if self.filter is not None:
            form = form or self.filter_form(user)
            assert form is not None
            if not form.is_valid():
                names = ", ".join(form.fields[n].label.lower() if n in form.fields else n for n in form.errors)
                raise SelectionRefused(
                    f"The filter names a {names} that is not one of yours; nothing was changed.")
            return station_filter(scoped(Station.objects.all(), user, min_role=min_role), form.to_query())
        if not self.ids:
            raise SelectionRefused("No stations are selected: check some rows, or choose all matching stations.")
        if len(self.ids) > MAX_SELECTED:
            raise SelectionRefused(f"At most {MAX_SELECTED:,} stations can be changed at once; nothing was changed.")
        qs = scoped(Station.objects.all(), user, min_role=min_role).filter(pk__in=self.ids)
        found = qs.count()
        if found != len(self.ids):
            missing = len(self.ids) - found
            raise SelectionRefused(
                f"{missing} of the {len(self.ids)} selected stations are not among your companies' stations "
                "(or no longer exist); nothing was changed.")
        return qs


def filter_query(params: QueryDict) -> str:
    """The filter part of the list's parameters, as a query string."""
    kept = QueryDict(mutable=True)
    for name in FILTER_NAMES:
        values = [v for v in params.getlist(name) if v]
        if values:
            kept.setlist(name, values)
    return kept.urlencode()


def describe(selection: Selection, count: int, form: StationFilterForm | None = None) -> str:
    """The selection in words, for the preview and the history."""
    plural = "" if count == 1 else "s"
    if selection.filter is None:
        return f"{count:,} checked station{plural}"
    if not selection.filter:
        return f"all {count:,} station{plural} (no filter)"
    parts = []
    if form is not None and form.is_valid():
        for name in FILTER_NAMES:
            value = form.data.get(name)
            if not value or name not in form.fields:
                continue
            field = form.fields[name]
            choices = dict((str(k), v) for k, v in getattr(field, "choices", ()))
            parts.append(f"{field.label.lower()} {choices.get(str(value), value)}")
    text = ", ".join(parts) or selection.filter
    return f"all {count:,} station{plural} matching {text}"[:300]
