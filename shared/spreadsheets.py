"""Tables people download: CSV (UTF-8 with a BOM, so that Excel reads Chinese right) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from fastapi import Response

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_csv(headings: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headings)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def table_xlsx(headings: Sequence[str], rows: Iterable[Sequence[Any]], title: str) -> bytes:
    from openpyxl import Workbook  # only when a sheet is asked for
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    def cell(value: Any) -> Any:  # control characters a caller typed cannot be stored in a sheet
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = title[:31]  # Excel's limit on a sheet's name
    worksheet.append(list(headings))
    for row in rows:
        worksheet.append([cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def download(format: str, name: str, headings: Sequence[str], rows: list[Sequence[Any]], *, title: str) -> Response:
    """The table as a file to save: `format` is csv or xlsx."""
    if format == "csv":
        content, media_type = table_csv(headings, rows), "text/csv; charset=utf-8"
    else:
        content, media_type = table_xlsx(headings, rows, title), XLSX_MEDIA_TYPE
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{format}"'})
