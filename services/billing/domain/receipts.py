"""Receipts (收据): the amount in Chinese capital numerals (大写), as every receipt writes it, and
the printable page (an HTML document with print styles)."""

from __future__ import annotations

from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from services.billing.domain.balances import ELECTRICITY
from shared.money import fen_to_text

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("仟", "佰", "拾", "")
GROUPS = ("", "万", "亿", "万亿")
METHODS_ZH = {"cash": "现金", "wechat_pay": "微信支付", "alipay": "支付宝", "bank_transfer": "银行转账", "card": "刷卡"}


def _group(value: int) -> str:
    """Up to four digits: 1002 → 壹仟零贰."""
    text, pending_zero = "", False
    for place, digit in zip(PLACES, f"{value:04d}", strict=True):
        if digit == "0":
            pending_zero = bool(text)
            continue
        if pending_zero:
            text += "零"
        text += DIGITS[int(digit)] + place
        pending_zero = False
    return text


def amount_in_words(fen: int) -> str:
    """`123450` → 壹仟贰佰叁拾肆元伍角整; `1000005` → 壹万元零伍分."""
    if fen < 0:
        return "负" + amount_in_words(-fen)
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    groups, rest = [], yuan
    while rest:
        groups.append(rest % 10_000)
        rest //= 10_000
    text, pending_zero = "", False
    for index in reversed(range(len(groups))):
        value = groups[index]
        if value == 0:
            pending_zero = bool(text)
            continue
        if text and (pending_zero or value < 1000):
            text += "零"
        text += _group(value) + GROUPS[index]
        pending_zero = False
    if text:
        text += "元"
    if jiao == 0 and cents == 0:
        return (text or "零元") + "整"
    if jiao:
        text += DIGITS[jiao] + "角"
    elif text:
        text += "零"
    return text + (DIGITS[cents] + "分" if cents else "整")


STYLE = """
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "WenQuanYi Micro Hei", sans-serif; margin: 2rem; color: #111; }
.receipt { max-width: 40rem; border: 2px solid #b22; padding: 1.5rem; }
h1 { color: #b22; text-align: center; letter-spacing: .5rem; margin: 0 0 1rem; }
.meta, .sum { display: flex; justify-content: space-between; margin: .3rem 0; }
table { width: 100%; border-collapse: collapse; margin: 1rem 0; }
th, td { border: 1px solid #999; padding: .35rem .5rem; text-align: left; }
td.amount, th.amount { text-align: right; font-variant-numeric: tabular-nums; }
.reversed { color: #b22; border: 3px solid #b22; padding: .2rem .8rem; transform: rotate(-8deg);
            display: inline-block; font-weight: bold; }
@media print { body { margin: 0; } .receipt { border-color: #000; } .no-print { display: none; } }
@page { size: A5 landscape; margin: 10mm; }
"""


def receipt_html(*, estate_name: str, time_zone: str, unit: dict[str, Any], payment: dict[str, Any],
                 lines: list[dict[str, Any]], reversed_: bool) -> str:
    """The printable receipt of a payment: what it paid, line by line, and the amount in words."""
    rows = "".join(
        f"<tr><td>{escape(line['item_name_zh'])}</td><td>{escape(line['period'])}</td>"
        f"<td class='amount'>{fen_to_text(line['share_fen'])}</td></tr>" for line in lines)
    if payment["to_balance_fen"]:
        kind = "预交电费" if payment.get("balance_kind") == ELECTRICITY else "预存"  # which balance it credited
        rows += f"<tr><td>{kind}</td><td></td><td class='amount'>{fen_to_text(payment['to_balance_fen'])}</td></tr>"
    place = f"{unit.get('building_name') or ''} {unit.get('number') or unit['_id']}"
    received = payment["received_at"].astimezone(ZoneInfo(time_zone))
    method = METHODS_ZH.get(payment["method"], payment["method"])
    stamp = "<p><span class='reversed'>已冲正 REVERSED</span></p>" if reversed_ else ""
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>收据 {escape(payment['receipt_number'])}</title>
<style>{STYLE}</style></head>
<body><div class="receipt">
<h1>收　据</h1>
<div class="meta"><span>{escape(estate_name)}</span><span>No. {escape(payment['receipt_number'])}</span></div>
<div class="meta"><span>房号：{escape(place)}</span><span>日期：{received:%Y-%m-%d %H:%M}</span></div>
<table><thead><tr><th>收费项目</th><th>所属期间</th><th class="amount">金额（元）</th></tr></thead>
<tbody>{rows}</tbody></table>
<div class="sum"><span>合计（大写）：{amount_in_words(payment['amount_fen'])}</span>
<span>¥ {fen_to_text(payment['amount_fen'])}</span></div>
<div class="meta"><span>收款方式：{escape(method)}</span><span>收款人：{escape(payment['clerk_id'])}</span></div>
{stamp}
</div></body></html>
"""
