"""``{{ op.created_by|person:user|default:"system" }}``: an author's name as the reader may read it
(``portal.access.person_shown``); empty for no author."""

from __future__ import annotations

from typing import Any

from django import template

from portal.access import person_shown

register = template.Library()


@register.filter
def person(author: Any, reader: Any) -> str:
    return person_shown(reader, author, nobody="")
