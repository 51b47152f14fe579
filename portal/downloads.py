"""One CSV writer for every download the portal offers (station export, import template, rows to fix,
a batch's failed rows): each cell goes through ``safe_cell``, so nothing runs as a formula when the
file is opened in a spreadsheet.

What we chose, from OWASP's CSV injection advice (https://owasp.org/www-community/attacks/CSV_Injection):

- A cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or a line feed, or the
  full-width ``＝ ＋ － ＠`` some spreadsheets fold to them; leading spaces and double quotes skipped) gets
  a single quote in front, which spreadsheets show as text.
- The same holds after a ``,``, ``;``, tab or line break inside a cell: OWASP warns that a program reading
  the file with another separator (Excel in a locale whose list separator is ``;``) starts a new cell
  there.
- Every cell is wrapped in double quotes and a double quote inside is doubled (``csv.QUOTE_ALL``).
- A cell that is a plain number (``-4.8897``, ``+31``, ``1e-3``) is left as it is: a number cannot be
  a formula, and a negative longitude must stay readable (and importable) as a number; ``defusedcsv``
  makes the same exception.

Downloads start with a UTF-8 byte-order mark so spreadsheet programs read the text as UTF-8.

The separator follows the reader's language (:func:`spreadsheet_delimiter`): where numbers are written
with a decimal comma (German, Dutch) spreadsheets separate cells with ``;`` and open a ``,`` file as
one column, so those readers get ``;``. Column names stay English in every language, so a file moves
between users; the import reads either separator.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import formats

FORMULA_STARTS = frozenset("=+-@\t\r\n\uff1d\uff0b\uff0d\uff20")
BOM = "\ufeff"
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
# A part of a cell begins at its start and after each separator or line break a reader may split on.
_PARTS = re.compile(r"(?<=[,;\t\r\n])")
_SKIPPED = ' "'


def _safe_part(part: str) -> str:
    rest = part.lstrip(_SKIPPED)
    if rest and rest[0] in FORMULA_STARTS and not _NUMBER.fullmatch(rest.rstrip(" ,;\t\r\n")):
        return part[:len(part) - len(rest)] + "'" + rest
    return part


def safe_cell(value: Any) -> str:
    """``value`` as text a spreadsheet shows and never runs (see the module's docstring)."""
    text = "" if value is None else str(value)
    if not text:
        return text
    return "".join(_safe_part(part) for part in _PARTS.split(text))


SEPARATORS = {"comma": ",", "semicolon": ";"}


def spreadsheet_delimiter(request: HttpRequest) -> str:
    """The separator for a download: ``?sep=comma`` or ``?sep=semicolon`` if asked, else the one the
    reader's spreadsheets expect (``;`` where the language writes a decimal comma, ``,`` elsewhere)."""
    asked = SEPARATORS.get(request.GET.get("sep", ""))
    if asked:
        return asked
    return ";" if formats.get_format("DECIMAL_SEPARATOR") == "," else ","


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a streaming response."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> Iterator[str]:
    """The header and rows as CSV lines (``\\r\\n``, every cell quoted and made safe), BOM first."""
    writer = csv.writer(_Echo(), delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    yield BOM + writer.writerow([safe_cell(v) for v in header])
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])


def csv_text(header: Sequence[Any], rows: Iterable[Sequence[Any]], delimiter: str = ",") -> str:
    """The whole file as one string, without the BOM (for a file kept or compared, not downloaded)."""
    return "".join(csv_lines(header, rows, delimiter)).removeprefix(BOM)


def csv_response(filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]], *, delimiter: str = ",",
                 stream: bool = False) -> HttpResponse | StreamingHttpResponse:
    """A CSV download; ``stream`` for a large one read lazily from ``rows`` (e.g. a queryset's iterator)."""
    lines = csv_lines(header, rows, delimiter)
    response: HttpResponse | StreamingHttpResponse
    if stream:
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse("".join(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
