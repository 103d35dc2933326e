"""The printable receipt (收据): an HTML page with print styles, rendered to PDF and to a picture by
headless Chromium when one is installed; both kept as test artefacts."""

from __future__ import annotations

import subprocess
from pathlib import Path


from tests.e2e.billing_estate import BillingEstate

ARTEFACTS = Path(__file__).resolve().parents[2] / "tests" / "artefacts"
CHROMIUM = "/usr/bin/chromium"  # Debian's, installed by `make test` (the Makefile's browser target)


def test_a_payment_has_a_printable_receipt(stack, tmp_path):
    estate = BillingEstate(stack, [["3栋", "1-502", 5, "89.50", "residential", "", "", "", ""]])
    estate.run("2025-01", ["property_fee", "garbage_fee"])
    payment = estate.pay("1-502", "1234.50", method="wechat_pay").json()
    response = estate.clerk.get("billing", f"/v1/payments/{payment['id']}/receipt")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    page = response.text
    for expected in (payment["receipt_number"], "3栋 1-502", "物业管理费", "垃圾清运费", "223.75", "20.00",
                     "预存", "990.75", "微信支付", "壹仟贰佰叁拾肆元伍角整", "1234.50", "@media print"):
        assert expected in page, expected
    assert "已冲正" not in page
    estate.clerk.post("billing", f"/v1/payments/{payment['id']}/reversal", json={"reason": "演示"})
    assert "已冲正" in estate.clerk.get("billing", f"/v1/payments/{payment['id']}/receipt").text
    outsider = estate.clerk.get("billing", "/v1/payments/nonexistent/receipt")
    assert outsider.status_code == 404
    ARTEFACTS.mkdir(exist_ok=True)
    html = tmp_path / "receipt.html"
    html.write_text(page, encoding="utf-8")
    for flag, name in (("--print-to-pdf", "receipt.pdf"), ("--screenshot", "receipt.png")):
        target = ARTEFACTS / name
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--window-size=900,700",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync",
                        "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
                        f"{flag}={target}", html.as_uri()], check=True, capture_output=True, timeout=60)
        assert target.stat().st_size > 1000
    assert (ARTEFACTS / "receipt.pdf").read_bytes().startswith(b"%PDF")
