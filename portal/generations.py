"""Cache keys that change whenever a watched table changes: cached lookups without stale answers.

A page that shows the same small lists on every request (the station list's
backends, companies, locations and models) caches them under a key built
from the *generation* of each table it read. A generation is a counter in
Django's cache, bumped by ``post_save``/``post_delete`` of the watched models
and by the refresh engine after it wrote rows in bulk (bulk writes send no
signals). Entries also expire after ``TTL``, which bounds how stale an
answer can be when the cache is per process (the default local-memory cache
of a process that did not see another process's bump).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")
TTL = 60
_WATCHED: set[str] = set()


def _key(model: type[models.Model]) -> str:
    return f"generation:{model._meta.label_lower}"


def bump(model: type[models.Model]) -> None:
    """Say that ``model``'s table changed: every key built from it changes."""
    if model._meta.label_lower not in _WATCHED:
        return
    key = _key(model)
    try:
        cache.incr(key)
    except ValueError:  # not there yet (or expired): any new value differs from the old one
        cache.set(key, 1, None)


def _on_change(sender: type[models.Model], **kwargs: Any) -> None:
    bump(sender)


def watch(*watched: type[models.Model]) -> None:
    """Bump the generation of these models whenever one of their rows is saved or deleted."""
    for model in watched:
        _WATCHED.add(model._meta.label_lower)
        post_save.connect(_on_change, sender=model, dispatch_uid=f"generation-save-{model._meta.label_lower}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"generation-delete-{model._meta.label_lower}")


def cached(name: str, depends_on: Iterable[type[models.Model]], compute: Callable[[], T]) -> T:
    """``compute()``, cached under ``name`` and the current generations of ``depends_on``."""
    keys = [_key(m) for m in depends_on]
    found = cache.get_many(keys)
    key = f"{name}:" + ".".join(str(found.get(k, 0)) for k in keys)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TTL)
    return value
