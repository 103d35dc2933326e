"""The printable receipt (收据): an HTML page with print styles, and the same page as a PDF that billing
prints with headless Chromium (`?format=pdf` or `Accept: application/pdf`), read back for its text; a
billing without Chromium answers 503 with its own code. The PDF and a picture of the page are kept as
test artefacts."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import httpx
from pypdf import PdfReader

from tests.e2e.billing_estate import BillingEstate

ARTEFACTS = Path(__file__).resolve().parents[2] / "tests" / "artefacts"
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make test` and `make run` (the Makefile's browser target)


def page_texts(pdf: bytes) -> list[str]:
    """The text of each page, as a PDF reader that knows nothing of how it was printed reads it."""
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_a_payment_has_a_printable_receipt_as_a_page_and_as_a_pdf(stack, tmp_path):
    estate = BillingEstate(stack, [["3栋", "1-502", 5, "89.50", "residential", "", "", "", ""]])
    estate.run("2025-01", ["property_fee", "garbage_fee"])
    payment = estate.pay("1-502", "1234.50", method="wechat_pay").json()
    path = f"/v1/payments/{payment['id']}/receipt"
    response = estate.clerk.get("billing", path)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for expected in (payment["receipt_number"], "3栋 1-502", "物业管理费", "垃圾清运费", "223.75", "20.00",
                     "预存", "990.75", "微信支付", "壹仟贰佰叁拾肆元伍角整", "1234.50", "@media print"):
        assert expected in page, expected
    assert "已冲正" not in page

    response = estate.clerk.get("billing", path, params={"format": "pdf"}, timeout=60)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pdf = response.content
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    [text] = page_texts(pdf)  # one page: the receipt is A5
    for expected in (payment["receipt_number"], "3栋 1-502", "物业管理费", "1234.50", "壹仟贰佰叁拾肆元伍角整"):
        assert expected in text, (expected, text)
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "receipt.pdf").write_bytes(pdf)

    estate.clerk.post("billing", f"/v1/payments/{payment['id']}/reversal", json={"reason": "演示"})
    assert "已冲正" in estate.clerk.get("billing", path).text
    reversed_pdf = estate.clerk.get("billing", path, headers={"Accept": "application/pdf"}, timeout=60)
    assert reversed_pdf.headers["content-type"] == "application/pdf"
    assert "已冲正" in page_texts(reversed_pdf.content)[0]
    for outsider in (estate.clerk.get("billing", "/v1/payments/nonexistent/receipt"),
                     estate.clerk.get("billing", "/v1/payments/nonexistent/receipt", params={"format": "pdf"})):
        assert outsider.status_code == 404
    assert estate.clerk.get("billing", path, params={"format": "doc"}).status_code == 422

    # A picture of the page, to look at (the PDF is the page printed).
    html = tmp_path / "receipt.html"
    html.write_text(page, encoding="utf-8")
    target = ARTEFACTS / "receipt.png"
    subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=900,700",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                    f"--screenshot={target}", html.as_uri()], check=True, capture_output=True, timeout=60)
    assert target.read_bytes().startswith(b"\x89PNG")


def test_a_billing_without_chromium_answers_503_and_still_serves_the_page(stack):
    estate = BillingEstate(stack, [["3栋", "1-503", 5, "60", "residential", "", "", "", ""]])
    estate.run("2025-01", ["property_fee"])
    payment = estate.pay("1-503", "150.00").json()
    replica = stack.start_service("billing", CHROMIUM_PATH="/nonexistent/chromium")
    try:
        url = f"http://127.0.0.1:{replica.port}/v1/payments/{payment['id']}/receipt"
        response = httpx.get(url, params={"format": "pdf"}, headers=estate.clerk.headers, timeout=30)
        assert response.status_code == 503, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == "pdf_renderer_unavailable"
        page = httpx.get(url, headers=estate.clerk.headers, timeout=30)
        assert page.status_code == 200 and payment["receipt_number"] in page.text
    finally:
        replica.stop()
        stack.services["billing"].remove(replica)
