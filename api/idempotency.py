"""``Idempotency-Key`` on POST: a retried request gets the first answer instead of a second write.

The key's row is written in the same transaction as the write it guards, so a crash between the two
leaves neither, and a second request with the same key waits on the first's row and then replays its
answer. The same key with another method, path or body is refused with 422, and a key whose first
request failed with a server error is freed for the retry (the IETF httpapi Idempotency-Key draft).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from rest_framework.request import Request
from rest_framework.response import Response

from api.models import IdempotentRequest
from api.problems import Unprocessable

KEPT_HEADERS = ("Location", "ETag")


def _fingerprint(request: Request) -> str:
    digest = hashlib.sha256(f"{request.method} {request.path}\n".encode())
    digest.update(request.body)
    return digest.hexdigest()


def idempotent(method: Callable[..., Response]) -> Callable[..., Response]:
    @functools.wraps(method)
    def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return method(view, request, *args, **kwargs)
        if len(key) > 255:
            raise Unprocessable("Idempotency-Key is at most 255 characters.")
        fingerprint = _fingerprint(request)
        with transaction.atomic():
            try:
                with transaction.atomic():  # a savepoint: a taken key must not spoil the transaction
                    row = IdempotentRequest.objects.create(user=request.user, key=key, fingerprint=fingerprint)
            except IntegrityError:
                return _replay(IdempotentRequest.objects.get(user=request.user, key=key), fingerprint)
            response = method(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)  # a fault frees the key for the retry
                return response
            row.status_code = response.status_code
            row.body = response.data
            row.headers = {name: response[name] for name in KEPT_HEADERS if name in response}
            row.save(update_fields=["status_code", "body", "headers"])
            return response

    wrapped.idempotent = True  # type: ignore[attr-defined]  # tests/api/test_idempotency.py checks every POST
    return wrapped


def _replay(first: IdempotentRequest, fingerprint: str) -> Response:
    if first.fingerprint != fingerprint:
        raise Unprocessable("This Idempotency-Key was used for another request.")
    replay = Response(first.body, status=first.status_code, headers=first.headers)
    replay["Idempotent-Replayed"] = "true"
    return replay
