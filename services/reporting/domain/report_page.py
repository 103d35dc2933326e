"""A report as a printable page (A4, one column): plain HTML, every text escaped, no script."""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 12px; color: #111; }
h1 { font-size: 18px; margin: 0 0 4px; } .meta { color: #555; margin-bottom: 10px; }
section { break-inside: avoid; margin-bottom: 8px; } h2 { font-size: 13px; margin: 6px 0 2px; border-bottom: 1px solid #999; }
table { width: 100%; border-collapse: collapse; } td { padding: 2px 4px; border-bottom: 1px solid #eee; vertical-align: top; }
td.value { text-align: right; white-space: nowrap; width: 22%; } td.note { color: #a33; width: 30%; }
"""


def page(report: dict[str, Any], *, subtitle: str) -> str:
    lang = "zh-CN" if report.get("lang") == "zh" else "en"
    sections = []
    for section in report["sections"]:
        rows = "".join(
            f'<tr><td>{escape(str(row["label"]))}</td><td class="value">{escape(str(row["text"]))}</td>'
            f'<td class="note">{escape(str(row["note"]))}</td></tr>' for row in section["rows"])
        sections.append(f'<section id="{escape(section["key"])}"><h2>{escape(section["title"])}</h2>'
                        f"<table>{rows}</table></section>")
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{escape(report["title"])}</title>'
            f"<style>{STYLE}</style></head><body><h1>{escape(report['title'])}</h1>"
            f'<div class="meta">{escape(subtitle)}</div>{"".join(sections)}</body></html>')
