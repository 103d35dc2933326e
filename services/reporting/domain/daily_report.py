"""The service-centre daily report (服务中心日报表): one estate's day on one page, in Chinese or English.

Pure: built from the day's figures (`readout.figures_of`); rendered as rows (CSV, XLSX) or a page.
"""

from __future__ import annotations

from typing import Any

from shared.money import fen_to_text

KINDS = ("complaint", "repair", "consultation", "help", "suggestion", "praise")
WORDS: dict[str, dict[str, str]] = {
    "zh": {
        "title": "服务中心日报表", "estate": "项目", "day": "日期", "unknown": "未记录",
        "contacts": "来电来访", "calls": "来电", "visits": "来访", "answer_rate": "接通及时率（15秒内）",
        "answered": "15秒内接听", "received": "受理", "channel": "渠道",
        "requests": "受理分类", "complaint": "投诉", "repair": "报修", "consultation": "咨询", "help": "求助",
        "suggestion": "建议", "praise": "表扬",
        "backlog": "事项处理", "carried_over": "上日遗留", "opened": "今日新增", "reopened": "重新处理",
        "to_handle": "应处理", "handled": "今日已处理", "handling_rate": "处理率", "open_at_end": "日终未处理",
        "work_orders": "派工", "created": "派工单", "completed": "完工", "accept_on_time_rate": "接单及时率",
        "arrive_on_time_rate": "到场及时率", "complete_on_time_rate": "维修及时率",
        "handling_minutes_median": "处理时长中位数（分钟）", "handling_minutes_p90": "处理时长90分位（分钟）",
        "escalation_level": "升级（第{level}级）", "sla_breaches": "超时",
        "follow_ups": "回访", "done": "已回访", "done_within_24h_rate": "24小时内回访率", "unreachable": "未联系上",
        "satisfaction_average": "满意度平均分", "satisfied_share": "满意率",
        "incidents": "突发事件", "declared": "发生", "resolved": "处理完毕", "incident": "事件",
        "duty": "交接班", "handovers_filed": "已交班", "handovers_acknowledged": "已接班",
        "handovers_missing": "未交接", "handovers_with_discrepancies": "接班有异议",
        "billing": "收缴", "collected": "当日收缴（元）", "payments": "缴费笔数", "billed": "当日计费（元）",
        "collection_rate": "收缴率", "reversed": "冲正（元）",
        "notable": "重要投诉", "none": "无", "section": "栏目", "item": "项目", "value": "数值", "note": "备注",
    },
    "en": {
        "title": "Service-centre daily report", "estate": "Estate", "day": "Day", "unknown": "not recorded",
        "contacts": "Calls and visits", "calls": "Calls", "visits": "Visits",
        "answer_rate": "Answered within 15 s (rate)", "answered": "Answered within 15 s", "received": "Received",
        "channel": "Channel", "requests": "Requests by kind", "complaint": "Complaints", "repair": "Repairs",
        "consultation": "Consultations", "help": "Help requests", "suggestion": "Suggestions", "praise": "Praise",
        "backlog": "Handling", "carried_over": "Carried over", "opened": "Opened today", "reopened": "Reopened",
        "to_handle": "To handle", "handled": "Handled today", "handling_rate": "Handling rate",
        "open_at_end": "Open at day end", "work_orders": "Work orders", "created": "Created", "completed": "Completed",
        "accept_on_time_rate": "Accepted on time", "arrive_on_time_rate": "Arrived on time",
        "complete_on_time_rate": "Completed on time", "handling_minutes_median": "Handling time, median (min)",
        "handling_minutes_p90": "Handling time, 90th percentile (min)", "escalation_level": "Escalations (level {level})",
        "sla_breaches": "SLA breaches", "follow_ups": "Follow-ups", "done": "Done",
        "done_within_24h_rate": "Done within 24 h", "unreachable": "Unreachable",
        "satisfaction_average": "Satisfaction (average of 5)", "satisfied_share": "Satisfied (4–5)",
        "incidents": "Incidents", "declared": "Declared", "resolved": "Resolved", "incident": "Incident",
        "duty": "Shift handovers", "handovers_filed": "Filed", "handovers_acknowledged": "Acknowledged",
        "handovers_missing": "Missing", "handovers_with_discrepancies": "Acknowledged with discrepancies",
        "billing": "Collection", "collected": "Collected today (CNY)", "payments": "Payments",
        "billed": "Billed today (CNY)", "collection_rate": "Collection rate", "reversed": "Reversed (CNY)",
        "notable": "Notable complaints", "none": "None", "section": "Section", "item": "Item", "value": "Value",
        "note": "Note",
    },
}
CHANNELS = {"zh": {"hotline": "热线", "walk_in": "来访", "app": "App", "wechat": "微信", "email": "邮件",
                   "patrol": "巡查"},
            "en": {"hotline": "Hotline", "walk_in": "Walk-in", "app": "App", "wechat": "WeChat", "email": "Email",
                   "patrol": "Patrol"}}


def _rate(value: float | None) -> str | None:
    return None if value is None else f"{value * 100:.1f}%"


def _money(fen: int) -> str:
    return fen_to_text(fen)


def build(figures: dict[str, Any], *, estate_id: str, estate_name: str | None, day: str, lang: str,
          buildings: dict[str, str] | None = None) -> dict[str, Any]:
    """The report's sections, each a list of rows {key, label, value, text, note}."""
    words, unknown = WORDS[lang], figures["unknown"]

    def row(key: str, value: Any, *, text: str | None = None, path: str | None = None, label: str | None = None):
        shown = text if text is not None else (None if value is None else str(value))
        note = words["unknown"] + "：" + unknown[path] if lang == "zh" and path in unknown else (
            f"{words['unknown']}: {unknown[path]}" if path in unknown else "")
        return {"key": key, "label": label or words.get(key, key), "value": value, "text": shown or "—", "note": note}

    contacts, tickets, orders = figures["contacts"], figures["tickets"], figures["work_orders"]
    follow_ups, billing, duty, incidents = figures["follow_ups"], figures["billing"], figures["duty"], figures["incidents"]
    channel_rows = [
        row(f"channel.{name}", c["received"], label=f"{words['channel']}·{CHANNELS[lang].get(name, name)}",
            text=f"{c['received']}（{_rate(c['answer_rate']) or '—'}）" if lang == "zh"
            else f"{c['received']} ({_rate(c['answer_rate']) or '—'})",
            path=f"contacts.by_channel.{name}.answer_rate")
        for name, c in contacts["by_channel"].items()
    ]
    sections = [
        ("contacts", [row("calls", contacts["calls"]), row("visits", contacts["visits"]),
                      row("answered", contacts["answered_within_15s"], path="contacts.answered_within_15s"),
                      row("answer_rate", contacts["answer_rate"], text=_rate(contacts["answer_rate"]),
                          path="contacts.answer_rate"), *channel_rows]),
        ("requests", [row(kind, tickets["by_category"].get(kind, 0)) for kind in KINDS]),
        ("backlog", [row("carried_over", tickets["carried_over"]), row("opened", tickets["opened"]),
                     row("reopened", tickets["reopened"]), row("to_handle", tickets["to_handle"]),
                     row("handled", tickets["handled"]),
                     row("handling_rate", tickets["handling_rate"], text=_rate(tickets["handling_rate"]),
                         path="tickets.handling_rate"), row("open_at_end", tickets["open_at_end"])]),
        ("work_orders", [
            row("created", orders["created"]), row("completed", orders["completed"]),
            *[row(name, orders[name], text=_rate(orders[name]), path=f"work_orders.{name}")
              for name in ("accept_on_time_rate", "arrive_on_time_rate", "complete_on_time_rate")],
            row("handling_minutes_median", orders["handling_minutes_median"],
                path="work_orders.handling_minutes_median"),
            row("handling_minutes_p90", orders["handling_minutes_p90"], path="work_orders.handling_minutes_p90"),
            *[row(f"escalations.{level}", count, label=words["escalation_level"].format(level=level))
              for level, count in orders["escalations_by_level"].items()],
            row("sla_breaches", orders["sla_breaches"])]),
        ("follow_ups", [
            row("done", follow_ups["done"]),
            row("done_within_24h_rate", follow_ups["done_within_24h_rate"], text=_rate(follow_ups["done_within_24h_rate"]),
                path="follow_ups.done_within_24h_rate"),
            row("unreachable", follow_ups["unreachable"]),
            row("satisfaction_average", follow_ups["satisfaction_average"], path="follow_ups.satisfaction_average"),
            row("satisfied_share", follow_ups["satisfied_share"], text=_rate(follow_ups["satisfied_share"]),
                path="follow_ups.satisfied_share")]),
        ("incidents", [row("declared", incidents["declared"]), row("resolved", incidents["resolved"]),
                       *[row(f"incident.{i['incident_id']}", i.get("number"), label=words["incident"],
                             text=" ".join(str(p) for p in (i.get("number"), i.get("priority"), i.get("location"),
                                                            i.get("description")) if p))
                         for i in incidents["list"]]]),
        ("duty", [row(name, duty[name]) for name in ("handovers_filed", "handovers_acknowledged",
                                                      "handovers_with_discrepancies", "handovers_missing")]),
        ("billing", [row("collected", billing["collected_fen"], text=_money(billing["collected_fen"])),
                     row("payments", billing["payments"]),
                     row("reversed", billing["reversed_fen"], text=_money(billing["reversed_fen"])),
                     row("billed", billing["billed_fen"], text=_money(billing["billed_fen"])),
                     row("collection_rate", billing["collection_rate"], text=_rate(billing["collection_rate"]),
                         path="billing.collection_rate")]),
        ("notable", [row(f"complaint.{c['ticket_id']}", c.get("number"), label=c.get("number") or c["ticket_id"],
                         text=" ".join(str(p) for p in (
                             c.get("priority"), (buildings or {}).get(c.get("building_id") or "", c.get("building_id")),
                             c.get("location"), c.get("description")) if p))
                     for c in figures["complaints"]["notable"]] or [row("none", None, text=words["none"])]),
    ]
    return {"estate_id": estate_id, "estate_name": estate_name, "day": day, "lang": lang, "title": words["title"],
            "sections": [{"key": key, "title": words[key], "rows": rows} for key, rows in sections]}


def headings(lang: str) -> tuple[str, ...]:
    words = WORDS[lang]
    return words["section"], words["item"], words["value"], words["note"]


def rows_of(report: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """The report as one table: section, item, value as shown, note (why a figure is unknown)."""
    return [(section["title"], row["label"], row["text"], row["note"])
            for section in report["sections"] for row in section["rows"]]
