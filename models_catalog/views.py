"""Station model pages: the catalogue with filters, a model's page, create, rename and archive.

Everyone reads; only admins create, rename and archive. Writes go through
``models_catalog.services`` (the outbox); a model's page polls its state
until the models API has answered.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from models_catalog import services
from models_catalog.forms import RenameForm, StationModelForm, connectors_formset, to_input
from models_catalog.models import PowerType, StationModel
from models_catalog.selectors import (
    ModelFilters,
    model_conflict,
    model_operations,
    stations_using,
    vendors,
)
from models_catalog.selectors import model_list as select_models
from portal import targets
from outbox.conflict_views import discard_and_say, reapply_and_say
from portal.access import Role, has_role, role_required
from sync.mirror import SyncState
from portal.models import Backend


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def model_list(request: HttpRequest) -> HttpResponse:
    filters = ModelFilters.from_params(request.GET)
    page = Paginator(select_models(filters), 50).get_page(request.GET.get("page"))
    context = {
        "page": page, "filters": filters, "vendors": vendors(), "power_types": PowerType.choices,
        "may_admin": has_role(request.user, Role.ADMIN), "query": filters.query,
    }
    template = "models_catalog/model_list.html#results" if request.htmx else "models_catalog/model_list.html"
    return render(request, template, context)


def _detail_context(request: HttpRequest, model: StationModel, rename_form: RenameForm | None = None) -> dict:
    return {
        "model": model, "operations": model_operations(model)[:10],
        "station_count": stations_using(model, request.user).count(),
        "may_admin": has_role(request.user, Role.ADMIN),
        "rename_form": rename_form or RenameForm(model=model),
        "conflict": model_conflict(model, request.user),
    }


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def model_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(StationModel, pk=model_id)  # the catalogue is shared by all companies
    return render(request, "models_catalog/model_detail.html", _detail_context(request, model))


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def model_status(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(StationModel, pk=model_id)
    response = render(request, "models_catalog/model_detail.html#status", _detail_context(request, model))
    if request.htmx and request.GET.get("was") == "pending" and model.sync_state != SyncState.PENDING:
        # It just settled: the page draws itself again with the catalogue's answer (its name, or after
        # a conflict the catalogue's name beside the held rename) and a rename form that shows it.
        response["HX-Refresh"] = "true"
    return response


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def model_create(request: HttpRequest) -> HttpResponse:
    adding = request.method == "POST" and "add_connector" in request.POST
    if adding:
        form = StationModelForm(initial=request.POST.dict())
        connectors = connectors_formset(request.POST, add_one=True)
    else:
        form = StationModelForm(request.POST or None)
        connectors = connectors_formset(request.POST or None)
    if request.method == "POST" and not adding and form.is_valid() & connectors.is_valid():
        try:
            backend = form.cleaned_data["backend"]
            model = services.model_create(user=request.user, data=to_input(form, connectors), backend=backend)
            targets.target_remember(Backend.Kind.MODELS, None, backend)
        except services.NoBackend as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("“%(model)s” is saved and on its way to the model catalogue.") % {"model": model})
            return redirect("models_catalog:detail", model.pk)
    context = {"form": form, "connectors": connectors}
    if request.htmx and adding:
        return render(request, "models_catalog/model_form.html#connectors", context)
    return render(request, "models_catalog/model_form.html", context)


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def model_rename(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(StationModel, pk=model_id)
    form = RenameForm(request.POST, model=model)
    if form.is_valid():
        try:
            op = services.model_rename(user=request.user, model=model, friendly_name=form.cleaned_data["friendly_name"],
                                       shown=form.shown_name)
        except services.ArchivedModel as exc:
            form.add_error("friendly_name", str(exc))
        else:
            if op is None:
                messages.info(request, _("That is the name the page showed, so nothing was sent."))
            else:
                messages.success(request, _("The new name is saved and on its way to the model catalogue."))
            return redirect("models_catalog:detail", model.pk)
    return render(request, "models_catalog/model_detail.html", _detail_context(request, model, form), status=400)


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def model_archive(request: HttpRequest, model_id: int) -> HttpResponse:
    model = get_object_or_404(StationModel, pk=model_id)
    if request.method == "POST":
        if services.model_archive(user=request.user, model=model) is None:
            messages.info(request, _("“%(model)s” was already archived.") % {"model": model})
        else:
            messages.success(request, _("“%(model)s” is archived: it can no longer be picked for new stations.") % {
                "model": model})
        return redirect("models_catalog:detail", model.pk)
    return render(request, "models_catalog/model_archive.html", _detail_context(request, model))


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def model_conflict_reapply(request: HttpRequest, model_id: int, op_id: int) -> HttpResponse:
    """"Send mine over theirs" for a rename held because the catalogue renamed the model meanwhile."""
    model = get_object_or_404(StationModel, pk=model_id)
    reapply_and_say(
        request, lambda: services.model_conflict_reapply(user=request.user, model=model, op_id=op_id),
        held_already=_("The model catalogue already has your name; nothing was sent."),
        sent=_("Your name is on its way to the model catalogue over theirs. If it was renamed again meanwhile, "
               "it is held again and shown here."),
        refusals=(services.ArchivedModel,))
    return redirect("models_catalog:detail", model.pk)


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def model_conflict_discard(request: HttpRequest, model_id: int, op_id: int) -> HttpResponse:
    model = get_object_or_404(StationModel, pk=model_id)
    discard_and_say(request, lambda: services.model_conflict_discard(user=request.user, model=model, op_id=op_id),
                    discarded=_("Your change was discarded; this is the model catalogue's version."))
    return redirect("models_catalog:detail", model.pk)
