"""Reports people read and download: the service-centre daily report and the monthly reports."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, JSONResponse, Response

from services.reporting.api.deps import Readers
from services.reporting.commands import daily_report as daily
from services.reporting.commands import monthly
from services.reporting.commands.figures import check_day, scope_of
from services.reporting.domain import daily_report as layout
from services.reporting.domain import monthly_lines as layout_monthly
from services.reporting.domain.report_page import page
from shared.service import DatabaseDep
from shared.spreadsheets import XLSX_MEDIA_TYPE, download

router = APIRouter(prefix="/v1/reports", tags=["reports"])
Format = Annotated[Literal["json", "csv", "xlsx", "html"], Query(description="json, csv, xlsx or a printable page")]
Lang = Annotated[Literal["zh", "en"], Query(description="Chinese by default, English with `en`")]


def render(report: dict, format: str, *, name: str, subtitle: str, headings: tuple[str, ...],
           rows: list[tuple]) -> Response:
    if format == "json":
        return JSONResponse(report)
    if format == "html":
        return HTMLResponse(page(report, subtitle=subtitle))
    return download(format, name, headings=headings, rows=rows, title=report["title"])


DOCUMENTS = {200: {"content": {"application/json": {}, "text/csv": {}, "text/html": {}, XLSX_MEDIA_TYPE: {}}}}


@router.get("/service-centre-daily", response_model=None, responses=DOCUMENTS)
async def service_centre_daily(
    estate_id: Annotated[str, Query(max_length=80)], day: date, *, principal: Readers, database: DatabaseDep,
    format: Format = "json", lang: Lang = "zh",
) -> Response:
    """服务中心日报表: calls and visits, requests by kind, the backlog, work orders, follow-ups, incidents,
    handovers, the day's collection and the notable complaints of one estate and local day."""
    check_day(day)
    await principal.require_estate(estate_id)
    report = await daily.report_of(database, principal.estate_filter(), estate_id=estate_id, day=day, lang=lang)
    subtitle = f"{report.get('estate_name') or estate_id} · {day.isoformat()}"
    return render(report, format, name=f"daily-report-{estate_id}-{day.isoformat()}", subtitle=subtitle,
                  headings=layout.headings(lang), rows=layout.rows_of(report))


MonthlyKind = Literal["complaints", "repairs", "collection", "dunning", "sla-breaches", "staff"]
Month = Annotated[str, Query(pattern=r"^2\d{3}-(0[1-9]|1[0-2])$", description="The month, e.g. 2026-11")]


@router.get("/monthly/{report}", response_model=None, responses=DOCUMENTS)
async def monthly_report(
    report: MonthlyKind, month: Month, *, principal: Readers, database: DatabaseDep,
    estate_id: Annotated[str | None, Query(max_length=80, description="All of the caller's estates when left out")] = None,
    format: Format = "json", lang: Lang = "zh",
) -> Response:
    """投诉分析, 维修月报表, 收缴率报表, 催缴汇总, the SLA breach report and staff performance for a month,
    each figure beside the month before and its change."""
    scope = await scope_of(principal, estate_id)
    shown = await monthly.monthly_report(database, scope, kind=report, month=date.fromisoformat(f"{month}-01"),
                                         lang=lang)
    if format == "html":
        return HTMLResponse(page({**shown, "sections": layout_monthly.sections_of(shown)},
                                 subtitle=f"{estate_id or ''} {month}".strip()))
    return render(shown, format, name=f"{report}-{estate_id or 'all'}-{month}", subtitle=month,
                  headings=layout_monthly.HEADINGS[lang], rows=layout_monthly.rows_of(shown))
