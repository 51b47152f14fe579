"""The one CSV writer of every download (``portal.downloads``): what a spreadsheet would run is text."""

from __future__ import annotations

import csv
import io

import pytest

from portal.downloads import csv_response, csv_text, safe_cell


@pytest.mark.parametrize("value", ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\r=1",
                                   "\n=1", " =1+1", '"=1+1', "\uff1d1+1", "-", "+"])
def test_a_cell_that_would_start_a_formula_starts_with_a_quote(value: str) -> None:
    assert safe_cell(value).lstrip(' "').startswith("'")
    assert safe_cell(value).replace("'", "") == value  # nothing else of the value changes


@pytest.mark.parametrize("value", ["Depot;=1+1", "Depot, @SUM(A1)", "a\t-cmd", "line\n=1+1"])
def test_a_formula_after_a_separator_inside_a_cell_is_text_too(value: str) -> None:
    # Excel with ';' as its list separator (or a tab-separated reader) would start a new cell there.
    escaped = safe_cell(value)
    assert escaped != value and escaped.replace("'", "", 1) == value


@pytest.mark.parametrize("value", ["-4.8897", "+31", "-12", "1e-3", "-0.5E+2", "52.09,-4.88", "Depot 7", "",
                                   "'=already text", "a-b", "x@y.example"])
def test_numbers_and_plain_text_are_unchanged(value: str) -> None:
    assert safe_cell(value) == value


def test_every_cell_is_quoted_and_the_file_reads_back() -> None:
    text = csv_text(["label", "lon"], [['say "hi", =1', "-4.88"], [None, 3]])
    assert text.splitlines()[0] == '"label","lon"'
    assert list(csv.reader(io.StringIO(text))) == [["label", "lon"], ['say "hi", \'=1', "-4.88"], ["", "3"]]


@pytest.mark.parametrize("stream", [False, True])
def test_a_download_has_a_bom_a_name_and_safe_cells(stream: bool) -> None:
    response = csv_response("x.csv", ["a"], iter([["=1+1"]]), stream=stream)
    body = b"".join(response.streaming_content) if stream else response.content
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert body.decode("utf-8") == "\ufeff\"a\"\r\n\"'=1+1\"\r\n"
