"""The import file format: columns, the compact connector list, and reading files safely.

Files are UTF-8 (a byte-order mark is fine), separated by ``,`` or ``;``,
with any line endings. Anything else is refused with a reason a person can
act on. Rows are read one at a time so a large file never sits in memory.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
NUL = b"\x00"


@dataclass(frozen=True)
class Column:
    name: str
    help: str | Promise  # translated when shown; the column's name never is
    example_beenergised: str = ""
    example_greenflux: str = ""


COLUMNS: tuple[Column, ...] = (
    Column("backend", _("The backend's name, as listed under “Where your stations can go” on this page. Required."),
           "Voltaro be.ENERGISED", "Voltaro GreenFlux"),
    Column("label", _("Station label shown in the platform. Required for be.ENERGISED; GreenFlux calls it name."),
           "Depot Utrecht 07", "Depot Utrecht 08"),
    Column("charge_box_identity", _("The OCPP charge box identity (GreenFlux: charge station id). Required. Unique "
           "for a new station; in update mode, one that exists names the station the row changes."),
           "VOL-UTR-0007", "GFX-UTR-0008"),
    Column("model", _("be.ENERGISED only: the model as 'Vendor Model', as on the Models page. Required there."),
           "Alfen Eve Single Pro-line", ""),
    Column("company", _("Company name, as listed with the backend on this page; leave empty for the backend's own."),
           "", ""),
    Column("time_zone", _("IANA time zone, e.g. Europe/Amsterdam. Required for be.ENERGISED."), "Europe/Amsterdam", ""),
    Column("technician", _("be.ENERGISED only: the technician's e-mail, as in the technician list of New station; "
           "they must work for the station's company."), "", ""),
    Column("location", _("GreenFlux only: the location's name, as on the Locations page (or its id where two "
           "locations share a name; the export writes the id there). Required there."), "",
           "Fleet Hub Berlin"),
    Column("public_display_name", _("be.ENERGISED only: name shown in apps."), "Utrecht depot", ""),
    Column("serial_number", _("be.ENERGISED only: serial number."), "", ""),
    Column("deploy_state", _("GreenFlux only: Stock, Production or Deprecated. Required there."), "", "Stock"),
    Column("default_tariff_id", _("GreenFlux only: the tariff, as shown under Default tariff on a station's page. "
           "Required there."), "", "TARIFF-AC-STANDARD"),
    Column("charger_type", _("GreenFlux only: Public, Home or Business."), "", "Business"),
    Column("template", _("GreenFlux only: the hardware template's name, as in the template list of New station "
           "(or its id where two templates share a name). "
           "Give this or connectors for a new station; leave both empty on a row that updates one."), "", ""),
    Column("connectors", _("GreenFlux only: EVSEs separated by '|', connectors within an EVSE by '+', each "
           "STANDARD/FORMAT/POWER_TYPE/VOLTS/AMPS/WATTS."), "",
           "IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000|IEC_62196_T2/SOCKET/AC_3_PHASE/400/32/22000"),
)
COLUMN_NAMES = tuple(c.name for c in COLUMNS)
REQUIRED_HEADER = ("backend", "charge_box_identity")


class FileRefused(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


def template_rows_or_examples(rows: list[dict[str, str]] | None = None) -> list[list[str]]:
    """The template's rows: ``rows`` (filled from the user's own backends) or the generic examples."""
    if rows:
        return [[row.get(name, "") for name in COLUMN_NAMES] for row in rows]
    return [[c.example_beenergised for c in COLUMNS], [c.example_greenflux for c in COLUMNS]]


def template_csv(delimiter: str = ",", rows: list[dict[str, str]] | None = None) -> str:
    """The template as text (the header and ``template_rows_or_examples``), written as every download is."""
    from portal.downloads import csv_text

    return csv_text(COLUMN_NAMES, template_rows_or_examples(rows), delimiter)


@dataclass(frozen=True)
class ConnectorSpec:
    standard: str
    format: str
    power_type: str
    max_voltage: int
    max_amperage: int
    max_electric_power: int


def parse_connectors(text: str) -> tuple[list[list[ConnectorSpec]], str | None]:
    """``'A/B/C/1/2/3+…|…'`` → EVSEs of connectors, or an error message naming the bad part."""
    evses: list[list[ConnectorSpec]] = []
    for e_index, evse_text in enumerate(text.split("|"), start=1):
        connectors = []
        for c_index, part in enumerate(evse_text.split("+"), start=1):
            bits = [b.strip() for b in part.strip().split("/")]
            where = f"EVSE {e_index}, connector {c_index}"
            if len(bits) != 6 or not all(bits):
                return [], f"{where}: expected STANDARD/FORMAT/POWER_TYPE/VOLTS/AMPS/WATTS, got “{part.strip()}”"
            try:
                volts, amps, watts = (int(b) for b in bits[3:])
            except ValueError:
                return [], f"{where}: volts, amps and watts must be whole numbers"
            if min(volts, amps, watts) <= 0:
                return [], f"{where}: volts, amps and watts must be above zero"
            connectors.append(ConnectorSpec(bits[0].upper(), bits[1].upper(), bits[2].upper(), volts, amps, watts))
        evses.append(connectors)
    return evses, None


def _not_utf8(exc: UnicodeDecodeError, offset: int) -> FileRefused:
    bad = exc.object[exc.start:exc.start + 1].hex().upper() or "end"
    return FileRefused(
        f"The file is not UTF-8 text (byte 0x{bad} near position {max(0, offset + exc.start)}). "
        "Save it as “CSV UTF-8” in your spreadsheet and upload it again."
    )


def _decode(stream: IO[bytes]) -> Iterator[str]:
    """Decode UTF-8 (BOM or not) incrementally; refuse other encodings with the offending byte."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    offset = 0
    while chunk := stream.read(64 * 1024):
        if NUL in chunk:
            raise FileRefused(
                f"The file holds a NUL byte (position {offset + chunk.index(NUL)}), so it is not a text CSV. "
                "Export it again from your spreadsheet as “CSV UTF-8”."
            )
        try:
            yield decoder.decode(chunk)
        except UnicodeDecodeError as exc:
            raise _not_utf8(exc, offset) from exc
        offset += len(chunk)
    try:
        yield decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:  # the file ends inside a character
        raise _not_utf8(exc, offset) from exc


def _lines(stream: IO[bytes]) -> Iterator[str]:
    pending = ""
    for text in _decode(stream):
        pending += text
        *complete, pending = pending.splitlines(keepends=True) or [""]
        yield from complete
    if pending:
        yield pending


def check_size(size: int) -> None:
    """Refuse a file too large to keep, or empty, before anything is stored of it."""
    if size > MAX_BYTES:
        raise FileRefused(
            f"The file is {size / 1024 / 1024:.1f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files."
        )
    if size == 0:
        raise FileRefused("The file is empty.")


def read_rows(stream: IO[bytes], size: int) -> tuple[str, list[str], Iterator[tuple[int, dict[str, str]]]]:
    """Open an uploaded file: its delimiter, its header, and an iterator of (line number, row).

    Row numbers count the header as row 1, as a spreadsheet shows them.
    """
    check_size(size)
    head = stream.read(4)
    stream.seek(0)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) >= 2 and b"\x00" in head[:4]):
        raise FileRefused("The file is UTF-16 text; save it as “CSV UTF-8” and upload it again.")
    lines = _lines(stream)
    try:
        first = next(lines)
    except StopIteration:
        raise FileRefused("The file is empty.") from None
    delimiter = ";" if first.count(";") > first.count(",") else ","
    header = [h.strip().lower() for h in next(csv.reader([first], delimiter=delimiter))]
    missing = [name for name in REQUIRED_HEADER if name not in header]
    if missing:
        raise FileRefused(
            "The first line must be the header row; it lacks " + ", ".join(missing)
            + ". Download the template to see every column."
        )
    duplicates = sorted({h for h in header if header.count(h) > 1})
    if duplicates:
        raise FileRefused("The header names these columns twice: " + ", ".join(duplicates) + ".")

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(lines, delimiter=delimiter)
        count = 0
        for record_number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue  # blank lines, as spreadsheets leave at the end
            count += 1
            if count > MAX_ROWS:
                raise FileRefused(f"The file has more than {MAX_ROWS:,} rows; split it into smaller files.")
            row = {name: (values[i].strip() if i < len(values) else "") for i, name in enumerate(header)}
            if len(values) > len(header):
                row["__extra__"] = "yes"
            yield record_number, row

    return delimiter, header, rows()
