"""The station list's search, filter and sort form (a GET form: it works without JavaScript).

Choices come from one ``values_list`` query per list (backends, companies,
locations, models), scoped to the user's companies and cached until one of
those tables changes (``filter_choices``), so validating a chosen
id costs no further query and an id from another company is refused with a
message next to its field rather than leaking or silently matching nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from html import escape
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from locations.models import Location
from models_catalog.models import StationModel
from portal import generations
from portal.access import company_ids, scoped
from sync.mirror import SyncState
from portal.models import Backend, Company
from stations.models import Connectivity, DeployState, Status
from stations.selectors import DEFAULT_PER_PAGE, DEFAULT_SORT, PER_PAGE_CHOICES, REMOVED, SORTS, StationQuery

SORT_LABELS = {
    "label": _("Label"), "identity": _("Charge box identity"), "status": _("Status"), "updated": _("Last updated"),
}
SORT_CHOICES = [
    ("label", _("Label, A to Z")), ("-label", _("Label, Z to A")),
    ("identity", _("Charge box identity, A to Z")), ("-identity", _("Charge box identity, Z to A")),
    ("status", _("Status, A to Z")), ("-status", _("Status, Z to A")),
    ("updated", _("Last updated, oldest first")), ("-updated", _("Last updated, newest first")),
]
STATION_KINDS = (Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX)
MAX_SELECT_OPTIONS = 300
FILTER_TABLES = (Backend, Company, Location, StationModel)


def filter_choices(user: Any) -> dict[str, list[tuple[int, str]] | None]:
    """The (id, name) choices of each list filter in the user's scope; ``location`` None when too many.

    Every list page shows them, and they change rarely: cached per company scope under the
    generations of their tables (``portal.generations``), so a page asks the database only for
    its stations.
    """
    ids = company_ids(user)
    scope = "all" if ids is None else ",".join(map(str, sorted(ids)))

    def compute() -> dict[str, list[tuple[int, str]] | None]:
        companies = Company.objects.all() if ids is None else Company.objects.filter(id__in=ids)
        locations = list(scoped(Location.objects.all(), user).values_list("id", "name")[:MAX_SELECT_OPTIONS + 1])
        models = StationModel.objects.values_list("id", "vendor", "model", "friendly_name")
        return {
            "backend": list(scoped(Backend.objects.filter(kind__in=STATION_KINDS), user).values_list("id", "name")),
            "company": list(companies.values_list("id", "name")),
            "location": locations if len(locations) <= MAX_SELECT_OPTIONS else None,
            "model": [(pk, friendly or f"{vendor} {model}") for pk, vendor, model, friendly in models],
        }

    return generations.cached(f"station-filter-choices:{scope}", FILTER_TABLES, compute)


class LocationNameField(forms.CharField):
    """The location filter for large estates: an exact name (or id), resolved to one location."""

    def __init__(self, locations: Any, **kwargs: Any) -> None:
        super().__init__(label=_("Location"), required=False, max_length=200, help_text=_("Exact location name"),
                         widget=forms.TextInput(attrs={"placeholder": _("Location name")}), **kwargs)
        self.locations = locations

    def clean(self, value: Any) -> int | None:
        text = super().clean(value).strip()
        if not text:
            return None
        if text.isdigit():
            match = list(self.locations.filter(pk=int(text)).values_list("id", flat=True)[:1])
        else:
            match = list(self.locations.filter(name__iexact=text).values_list("id", flat=True)[:2])
        if len(match) != 1:
            raise forms.ValidationError(
                str(_("No location is named “%(text)s”.") if not match else _("Several locations are named “%(text)s”; use its id.")) % {"text": text}
            )
        return match[0]


def _attrs(attrs: dict[str, Any]) -> str:
    """HTML attributes in their order, as ``django/forms/widgets/attrs.html`` writes them
    (``flatatt`` sorts them): True gives the bare name, False leaves it out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{conditional_escape(value)}"'
        for name, value in attrs.items() if value is not False
    )


class FastSelect(forms.Select):
    """A select that writes its options in Python.

    Django renders every ``<option>`` through a template (about 0.1 ms each);
    the location list can hold hundreds, which made the filter form cost more
    than the rows. Same HTML, same attributes (id, aria-describedby, ...):
    ``tests/stations/test_filter_rendering.py`` compares it with Django's own.
    """

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        chosen = set(self.format_value(value))
        # html.escape is what django.utils.html.escape does, without a SafeString per option.
        options = "".join(
            f'<option value="{escape(str(v))}"{" selected" if str(v) in chosen else ""}>{escape(str(label))}</option>'
            for v, label in self.choices
        )
        final_attrs = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{escape(name)}"{final_attrs}>{options}</select>')


class FastTextInput(forms.TextInput):
    """A text input written in Python, the same HTML as Django's template (see ``FastSelect``)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> str:
        value = self.format_value(value)
        shown = "" if value is None else f' value="{escape(value)}"'
        final_attrs = _attrs(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<input type="{self.input_type}" name="{escape(name)}"{shown}{final_attrs}>')


class ChoiceList(BaseChoiceIterator):
    """Choices already in Django's normal form, (value, label) pairs.

    Django normalises a plain list of choices on every assignment, walking all of them, twice per
    field (the field, then its widget); for a few hundred locations that was most of the filter
    form's cost. A ``BaseChoiceIterator`` is taken as it is.
    """

    def __init__(self, pairs: list[tuple[Any, str]]) -> None:
        self.pairs = pairs

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        return iter(self.pairs)

    def __len__(self) -> int:
        return len(self.pairs)


def _choices(any_label: str, pairs: Any) -> ChoiceList:
    return ChoiceList([("", any_label), *((value, label if isinstance(label, Promise) else str(label)) for value, label in pairs)])


def _select(label: str, choices: ChoiceList, coerce: Any = str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, choices=choices, required=False, coerce=coerce,
        empty_value=None if coerce is int else "",
        widget=FastSelect,
        error_messages={"invalid_choice": _("That choice is not one of yours any more; showing all.")},
    )


class StationFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, strip=True,
        widget=FastTextInput(attrs={"type": "search", "placeholder": _("Label, identity or serial number")}),
    )
    status = _select(_("Status"), _choices(_("Any status"), Status.choices))
    connectivity = _select(_("Connectivity"), _choices(_("Any connectivity"), Connectivity.choices))
    deploy_state = _select(_("Deploy state"), _choices(_("Any deploy state"), DeployState.choices))
    sync_state = _select(
        _("Sync state"), _choices(_("Any sync state"), [*SyncState.choices, (REMOVED, _("Removed upstream"))])
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORT_CHOICES, required=False, widget=FastSelect)
    per_page = forms.TypedChoiceField(
        label=_("Rows per page"), choices=[(n, str(n)) for n in PER_PAGE_CHOICES], coerce=int, required=False,
        empty_value=DEFAULT_PER_PAGE, widget=FastSelect,
    )

    # The order fields appear in; lists with one entry or fewer are dropped in __init__.
    ORDER = ("q", "backend", "company", "location", "model", "status", "connectivity", "deploy_state",
             "sync_state", "sort", "per_page")

    def __init__(self, data: Any, *, user: Any) -> None:
        # Sort and page size always have a value, so their selects show what the list does.
        data = data.copy()
        for name, default in (("sort", DEFAULT_SORT), ("per_page", DEFAULT_PER_PAGE)):
            if not data.get(name):
                data[name] = str(default)
        super().__init__(data, label_suffix="")
        choices = filter_choices(user)
        lists = {
            "backend": (_("Backend"), _("Any backend"), choices["backend"]),
            "company": (_("Company"), _("Any company"), choices["company"]),
            "model": (_("Model"), _("Any model"), choices["model"]),
        }
        if choices["location"] is None:
            # Thousands of locations make a select nobody can use (and a heavy page): type a name instead.
            locations = scoped(Location.objects.all(), user).values_list("id", "name")
            self.fields["location"] = LocationNameField(locations, initial=data.get("location", ""))
        else:
            lists["location"] = (_("Location"), _("Any location"), choices["location"])
        for name, (label, any_label, rows) in lists.items():
            # A filter with a single possible value narrows nothing (e.g. one company): leave it out.
            if len(rows) > 1 or (data or {}).get(name):
                self.fields[name] = _select(label, _choices(any_label, rows), coerce=int)
        self.order_fields(self.ORDER)

    def render(self, template_name: str | None = None, context: dict[str, Any] | None = None,
               renderer: Any = None) -> str:
        """Labels written in Python (Django renders each through two templates): the same HTML."""
        if template_name == self.template_name_label and context is not None and context["use_tag"]:
            label = conditional_escape(context["label"])
            return mark_safe(f'<{context["tag"]}{_attrs(context["attrs"] or {})}>{label}</{context["tag"]}>')
        return super().render(template_name, context, renderer)

    def to_query(self) -> StationQuery:
        """The valid part of the input; a field with an error filters nothing (its message says so)."""
        self.is_valid()
        data = {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        sort = data.get("sort") or DEFAULT_SORT
        key = sort.lstrip("-")
        return StationQuery(
            q=data.get("q", ""),
            backend=data.get("backend"),
            company=data.get("company"),
            location=data.get("location"),
            model=data.get("model"),
            status=data.get("status") or "",
            connectivity=data.get("connectivity") or "",
            deploy_state=data.get("deploy_state") or "",
            sync_state=data.get("sync_state") or "",
            sort=key if key in SORTS else DEFAULT_SORT,
            descending=sort.startswith("-"),
        )

    @property
    def page_size(self) -> int:
        self.is_valid()
        if "per_page" in self.errors:
            return DEFAULT_PER_PAGE
        return self.cleaned_data.get("per_page") or DEFAULT_PER_PAGE

    # The rarer filters, folded behind "More filters" (a <details>: no JavaScript needed).
    MORE = ("backend", "company", "model", "deploy_state", "sync_state", "per_page")

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name != "q" and name not in self.MORE]

    @property
    def more_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name in self.MORE]

    @property
    def more_in_use(self) -> int:
        """How many of the folded filters are set (a page size other than the default counts): they open the fold."""
        used = sum(1 for name in self.MORE if name != "per_page" and name in self.fields and self.data.get(name))
        return used + (str(self.data.get("per_page")) != str(DEFAULT_PER_PAGE))

    @property
    def filters_in_use(self) -> bool:
        return any(self.data.get(name) for name in self.ORDER if name not in ("sort", "per_page"))
