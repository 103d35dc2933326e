"""Tables people download: CSV (UTF-8 with a BOM, so that Excel reads Chinese right) and XLSX (openpyxl);
and the rows of a workbook people upload."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from fastapi import Response

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Control characters a worksheet cannot hold (openpyxl refuses them; callers typed them anyway).
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a spreadsheet would run as a formula: text from callers and residents must stay text.
FORMULA_START = re.compile(r"^[=@\t\r]|^[+-](?![\d .]*$)")


def _cell(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    value = UNPRINTABLE.sub("", value)
    return "'" + value if FORMULA_START.match(value) else value


def table_csv(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(headings: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    from openpyxl import Workbook  # only when a sheet is asked for

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = title[:31]  # Excel's limit on a sheet's name
    worksheet.append(list(headings))
    for row in rows:
        worksheet.append([_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(format: str, name: str, *, headings: Sequence[str], rows: list[Sequence[Any]], title: str) -> Response:
    """The table as a file to save: `format` is csv or xlsx."""
    if format == "csv":
        content, media_type = table_csv(headings, rows), "text/csv; charset=utf-8"
    else:
        content, media_type = table_xlsx(headings, rows, title=title), XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'})


class NotAWorkbook(ValueError):
    """Uploaded bytes that are not an XLSX workbook."""


def workbook_rows(content: bytes, max_columns: int) -> Iterator[tuple]:
    """The first sheet of an uploaded workbook, row by row, values only (formulas as last computed).

    Raises `NotAWorkbook` at the first row asked for if the bytes are not a workbook."""
    from openpyxl import load_workbook  # only when a workbook is sent
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise NotAWorkbook("the file is not an XLSX workbook") from error
    try:
        yield from workbook.worksheets[0].iter_rows(max_col=max_columns, values_only=True)
    finally:
        workbook.close()
