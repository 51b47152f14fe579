"""CSV imports over the API: upload a file (checked row by row, nothing sent), read the report with
each refused row's column and message, confirm, and follow the progress, as the Imports page does."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from api.idempotency import idempotent
from api.problems import Conflict
from portal.access import Role
from stations.csv_import import services
from stations.csv_import.models import ImportJob
from stations.csv_import.selectors import ImportView, import_view, imports_for

MAX_PROBLEMS = 1000


class ImportSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="job.pk")
    url = serializers.SerializerMethodField()
    file_name = serializers.CharField(source="job.file_name")
    mode = serializers.CharField(source="job.mode")
    status = serializers.CharField(source="job.status")
    file_problem = serializers.CharField(source="job.file_problem")
    rows = serializers.IntegerField(source="total")
    valid_rows = serializers.IntegerField(source="valid")
    problem_rows = serializers.IntegerField(source="problems")
    problems = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="job.created_at")
    confirmed_at = serializers.DateTimeField(source="job.confirmed_at", allow_null=True)

    def get_url(self, view: ImportView) -> str:
        return self.context["request"].build_absolute_uri(reverse("api:import-detail", args=[view.job.pk]))

    @extend_schema_field(inline_serializer("ImportProblem", {
        "row": serializers.IntegerField(), "column": serializers.CharField(), "detail": serializers.CharField()},
        many=True))
    def get_problems(self, view: ImportView) -> list[dict[str, object]]:
        """Each refused cell: the CSV row number (the header is row 1), its column and the message."""
        rows = view.rows.exclude(problems=[]).order_by("number")[:MAX_PROBLEMS]
        return [{"row": row.number, "column": column or "", "detail": message}
                for row in rows for column, message in row.problems]

    @extend_schema_field(serializers.DictField(child=serializers.IntegerField(), allow_null=True))
    def get_progress(self, view: ImportView) -> dict[str, int] | None:
        return services.import_progress(view.job, view.rows) if view.job.confirmed_at else None


def _view(request: Request, job_id: int) -> ImportView:
    job = imports_for(request.user).filter(pk=job_id).first()
    if job is None:
        raise Http404
    return import_view(services.import_finish_if_settled(job), request.user)


def _answer(request: Request, view: ImportView, code: int) -> Response:
    data = ImportSerializer(view, context={"request": request}).data
    return Response(data, status=code, headers={"Location": data["url"]})


class ImportList(APIView):
    parser_classes = [MultiPartParser]
    read_role = Role.OPERATOR  # as the Imports page

    @extend_schema(request=inline_serializer("ImportUpload", {
        "file": serializers.FileField(), "mode": serializers.ChoiceField(choices=ImportJob.Mode.values, required=False)}),
        responses={201: ImportSerializer})
    @idempotent
    def post(self, request: Request) -> Response:
        """Upload a CSV file (the import template's columns). A large file is checked by a worker: poll the
        import until its status is no longer `validating`."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": ["Send a CSV file in the `file` part."]})
        mode = request.data.get("mode") or ImportJob.Mode.CREATE
        if mode not in ImportJob.Mode.values:
            raise ValidationError({"mode": [f"Choose one of: {', '.join(ImportJob.Mode.values)}."]})
        job = services.import_upload(user=request.user, stream=upload.file, file_name=upload.name, size=upload.size,
                                     mode=mode, defer=upload.size > settings.IMPORT_INLINE_MAX_BYTES)
        return _answer(request, import_view(job, request.user), status.HTTP_201_CREATED)


class ImportDetail(APIView):
    read_role = Role.OPERATOR

    @extend_schema(responses=ImportSerializer)
    def get(self, request: Request, job_id: int) -> Response:
        """The report (refused rows with column and message), then the progress once confirmed."""
        return _answer(request, _view(request, job_id), status.HTTP_200_OK)


class ImportConfirm(APIView):
    @extend_schema(request=inline_serializer("ImportConfirm", {"valid_only": serializers.BooleanField(required=False)}),
                   responses={202: ImportSerializer})
    @idempotent
    def post(self, request: Request, job_id: int) -> Response:
        """Create (and in update mode change) the stations; with `valid_only`, only the rows without problems."""
        view = _view(request, job_id)
        try:
            job = services.import_confirm(user=request.user, job=view.job,
                                          valid_only=bool(request.data.get("valid_only")))
        except ValueError as exc:
            raise Conflict(str(exc)) from exc
        return _answer(request, import_view(job, request.user), status.HTTP_202_ACCEPTED)
