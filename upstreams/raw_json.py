"""JSON listings read without building Python objects for every record (msgspec).

A full refresh of a quiet estate compares each record with the digest the mirror holds and
parses only the records that changed. Parsing every page into dicts only to digest them again
was most of such a run (``make bench``). msgspec's ``Raw`` type hands each record of a listing
back as the exact bytes the upstream sent, found at C speed without building its objects; a
typed decoder then reads just the keys a refresh needs from those bytes, skipping the rest, and
``parse`` turns a changed record into dicts and lists as ``orjson.loads`` of its page would.
"""

from __future__ import annotations

from typing import Any, TypeVar, Union

import msgspec
import orjson

RawJson = msgspec.Raw  # bytes-like (hashable, comparable): one JSON value exactly as it was sent
K = TypeVar("K")


class _Envelope(msgspec.Struct):
    """The OCPI envelope ``{data, status_code, ...}``: only ``data`` is read here."""

    data: Union[list[msgspec.Raw], None] = None


_LISTING = msgspec.json.Decoder(Union[_Envelope, list[msgspec.Raw]])


def listing_items(body: bytes) -> list[RawJson]:
    """The records of a listing's body, a bare JSON array or one under ``data``, each as sent.

    An empty body or a ``null`` ``data`` is an empty listing. Raises ``ValueError`` for a body
    that is not JSON, or whose records are not in an array (msgspec's errors are ``ValueError``).
    """
    if not body:
        return []
    decoded = _LISTING.decode(body)
    if isinstance(decoded, _Envelope):
        return decoded.data or []
    return decoded


def parse(raw: RawJson) -> Any:
    """One record's JSON as Python objects (orjson reads the bytes in place)."""
    return orjson.loads(memoryview(raw))


def key_reader(struct: type[K]) -> msgspec.json.Decoder[K]:
    """A decoder of ``struct`` (a ``msgspec.Struct`` of the few keys wanted) from one record's bytes.

    Keys the struct does not name are skipped without being built, which is what makes it cheap.
    """
    return msgspec.json.Decoder(struct)
