"""The receipt (收据) as a PDF: its HTML page printed by headless Chromium (Debian's `chromium`).

Chromium runs as a child process, awaited without blocking the event loop, with a time limit (a
browser that hangs is killed with its whole process group, its helpers included) and a bound on
how many print at once (each is a browser: a few hundred MB). A machine without Chromium answers
503 with its own code, so a desk sees why and can still print the HTML page.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import tempfile
from pathlib import Path

import structlog

from services.billing.commands.accounts import receipt_page
from services.billing.settings import BillingSettings
from shared.auth import Principal
from shared.db import Database
from shared.errors import ServiceUnavailable

log = structlog.get_logger(__name__)

# Quiet, self-contained printing: no first-run work, no network of its own, no header or footer
# (the page's URL and the date) around the receipt.
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-extensions", "--no-pdf-header-footer")


class PdfRendererMissing(ServiceUnavailable):
    code, title = "pdf_renderer_unavailable", "PDF printing is not available here"


class PdfRenderingFailed(ServiceUnavailable):
    code, title = "pdf_rendering_failed", "The PDF could not be printed"


_printing: dict[int, asyncio.Semaphore] = {}  # by the limit: one per process (and per settings in tests)


def chromium_of(settings: BillingSettings) -> str | None:
    """The browser's path: the setting when it names an executable, else `chromium` on the PATH."""
    named = settings.chromium_path
    if os.sep in named:
        return named if os.access(named, os.X_OK) else None
    return shutil.which(named)


async def html_to_pdf(html: str, settings: BillingSettings) -> bytes:
    """Print one self-contained HTML page to PDF bytes."""
    chromium = chromium_of(settings)
    if chromium is None:
        raise PdfRendererMissing(f"no Chromium at {settings.chromium_path!r}: install it (make browser) or set "
                                 "CHROMIUM_PATH; the HTML receipt prints from a browser meanwhile")
    limit = settings.receipt_pdf_concurrency
    async with _printing.setdefault(limit, asyncio.Semaphore(limit)):
        folder = Path(await asyncio.to_thread(tempfile.mkdtemp, prefix="receipt-"))
        try:
            page, target = folder / "receipt.html", folder / "receipt.pdf"
            await asyncio.to_thread(page.write_text, html, encoding="utf-8")
            await _run(chromium, [*FLAGS, f"--user-data-dir={folder / 'profile'}", f"--print-to-pdf={target}",
                                  page.as_uri()], settings=settings)
            pdf = await asyncio.to_thread(target.read_bytes) if target.exists() else b""
        finally:  # the browser's profile is many files: removed beside the loop, not on it
            await asyncio.to_thread(shutil.rmtree, folder, ignore_errors=True)
    if not pdf.startswith(b"%PDF-"):
        raise PdfRenderingFailed("Chromium printed no PDF")
    return pdf


def _kill(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


async def _run(chromium: str, arguments: list[str], *, settings: BillingSettings) -> None:
    timeout_s = settings.receipt_pdf_timeout_s  # seconds, not money (the settings' float)
    process = await asyncio.create_subprocess_exec(
        chromium, *arguments, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE, start_new_session=True)  # its own group: killed with its helpers
    try:
        _, errors = await asyncio.wait_for(process.communicate(), timeout=timeout_s)
    except TimeoutError:
        _kill(process)
        await process.wait()
        log.warning("receipt pdf: chromium killed", timeout_s=timeout_s)
        raise PdfRenderingFailed(f"Chromium did not print within {timeout_s:g} s") from None
    except asyncio.CancelledError:  # the request went away: so does its browser
        _kill(process)
        raise
    if process.returncode != 0:
        log.warning("receipt pdf: chromium failed", returncode=process.returncode,
                    stderr=errors[-2000:].decode("utf-8", "replace"))
        raise PdfRenderingFailed(f"Chromium exited with {process.returncode}")


async def receipt_pdf(database: Database, principal: Principal, *, payment_id: str,
                      settings: BillingSettings) -> bytes:
    """The printable receipt of a payment as a PDF (the same page as the HTML receipt)."""
    return await html_to_pdf(await receipt_page(database, principal, payment_id=payment_id), settings)
