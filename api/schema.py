"""Additions to the generated OpenAPI schema: the problem+json answers every endpoint may give, and the
``Idempotency-Key`` header every POST takes (``api.idempotency``)."""

from __future__ import annotations

from typing import Any

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "A problem (RFC 9457). `errors` names each field (or CSV row and column) that was refused.",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {
            "field": {"type": "string"}, "detail": {"type": "string"}}, "required": ["field", "detail"]}},
    },
    "required": ["type", "title", "status"],
}
COMMON = {
    "400": "The request is malformed or a value is refused; `errors` names each field.",
    "401": "No valid token or session.",
    "403": "Your role or the token's scope does not allow this.",
    "404": "No such record, or not one of your companies'.",
    "405": "This method is not offered here.",
    "406": "Only JSON is offered.",
    "415": "Send JSON.",
    "429": "Too many requests; wait for `Retry-After` seconds.",
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False, "schema": {"type": "string", "maxLength": 255},
    "description": "Send the same key again (same method, path and body) to get the first answer, not a second "
                   "write; the same key with another request answers 422.",
}
WRITES = {
    "409": "The record's state does not allow this now (e.g. an open conflict).",
    "412": "If-Match does not name the current version.",
    "422": "The Idempotency-Key was used for another request.",
    "428": "Send If-Match with the ETag you read.",
}


def add_problem_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: every operation documents the problems it may answer, and every
    POST its ``Idempotency-Key`` header."""
    result.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    content = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path in result.get("paths", {}).values():
        for method, operation in path.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            parameters = operation.setdefault("parameters", []) if method == "post" else []
            if method == "post" and not any(p.get("name") == "Idempotency-Key" for p in parameters):
                parameters.append(dict(IDEMPOTENCY_KEY))
            responses = operation.setdefault("responses", {})
            wanted = {**COMMON, **(WRITES if method != "get" else {})}
            for code, description in wanted.items():
                if code not in responses or "content" not in responses[code]:
                    responses[code] = {"description": responses.get(code, {}).get("description") or description,
                                       "content": content}
    return result
