"""The demo estate's directory (一户一档): buildings, units and residents loaded from one CSV file
through the import API, then a phone change, a move-out and an ownership transfer (过户) that show
the residents' history. 张三 (13812345678, 3栋 1-502) is the resident who calls in the demo."""

from __future__ import annotations

import csv
import io

import httpx

from devstack.stack import Stack

ESTATE = "demo-estate"
HEADER = ["楼栋", "房号", "楼层", "面积", "类型", "姓名", "电话", "身份", "入住日期"]
# (building, unit, floor, area m², kind, [(name, phone, role, moved in)])
UNITS = [
    ("1栋", "1-101", 1, "89.50", "住宅", [("赵一", "13800000101", "业主", "2018-06-01"),
                                          ("钱二", "13800000102", "家属", "")]),
    ("1栋", "1-102", 1, "89.50", "住宅", [("孙三", "13800000103", "租户", "2024-03-01")]),
    ("1栋", "1-201", 2, "120.00", "住宅", [("李四", "13900001111", "业主", "2018-06-01")]),
    ("1栋", "1-202", 2, "120.00", "住宅", []),
    ("2栋", "1-301", 3, "95.20", "住宅", [("周五", "13800000201", "业主", "2019-01-15"),
                                          ("吴六", "13800000202", "家属", "")]),
    ("2栋", "1-302", 3, "95.20", "住宅", [("郑七", "13800000203", "业主", "2019-01-15"), ("郑小七", "", "家属", "")]),
    ("2栋", "2-401", 4, "110.00", "住宅", [("王八", "13800000204", "租户", "2025-07-01"),
                                           ("冯九", "13800000205", "租户", "2025-07-01")]),
    ("2栋", "2-402", 4, "110.00", "住宅", [("陈十", "13800000206", "业主", "2020-10-01")]),
    ("3栋", "1-501", 5, "89.50", "住宅", [("褚明", "13800000301", "业主", "2020-05-01")]),
    ("3栋", "1-502", 5, "89.50", "住宅", [("张三", "13812345678", "业主", "2020-05-01"),
                                          ("张小三", "", "家属", ""), ("李梅", "13800000302", "家属", "")]),
    ("3栋", "1-601", 6, "132.80", "住宅", [("卫红", "13800000303", "业主", "2021-02-01"),
                                           ("蒋军", "13800000304", "家属", "")]),
    ("3栋", "1-602", 6, "132.80", "住宅", [("沈静", "13800000305", "业主", "2021-02-01")]),
    ("3栋", "2-701", 7, "89.50", "住宅", [("韩雪", "13800000306", "租户", "2025-09-01")]),
    ("3栋", "2-702", 7, "89.50", "住宅", [("杨帆", "13800000307", "业主", "2022-08-01"),
                                          ("朱丽", "13800000308", "家属", "")]),
    ("商业街", "S-01", 1, "45.00", "商铺", [("秦老板", "021-52345678", "租户", "2023-04-01")]),
    ("商业街", "S-02", 1, "60.00", "商铺", [("尤掌柜", "13800000401", "业主", "2023-04-01"),
                                           ("尤小掌柜", "13800000402", "家属", "")]),
    ("地下车库", "P-001", -1, "12.50", "车位", [("张三", "13812345678", "业主", "2020-05-01")]),
    ("地下车库", "P-002", -1, "12.50", "车位", [("李四", "13900001111", "业主", "2018-06-01")]),
    ("地下车库", "P-003", -1, "12.50", "车位", [("许强", "13800000501", "业主", "2021-03-01")]),
    ("地下车库", "C-01", -1, "6.00", "储藏室", [("何平", "13800000502", "业主", "2021-03-01"),
                                             ("吕方", "13800000503", "家属", ""), ("施展", "13800000504", "家属", ""),
                                             ("孔亮", "13800000505", "家属", ""), ("曹操", "13800000506", "家属", "")]),
]


def directory_csv() -> bytes:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(HEADER)
    for building, unit, floor, area, kind, people in UNITS:
        for name, phone, role, moved_in in people or [("", "", "", "")]:
            writer.writerow([building, unit, floor, area, kind, name, phone, role, moved_in])
    return text.getvalue().encode("utf-8-sig")


def _resident(client: httpx.Client, base: str, admin: dict, phone: str) -> dict:
    caller = client.get(f"{base}/v1/estates/{ESTATE}/callers/{phone}", headers=admin).raise_for_status().json()
    return caller["resident"] | {"units": caller["units"]}


def _history(client: httpx.Client, base: str, admin: dict) -> None:
    """A phone change, a move-out, and an ownership transfer: each kept in the files' history."""
    sun = _resident(client, base, admin, "13800000103")
    client.put(f"{base}/v1/residents/{sun['id']}/phones", json={"phones": ["13800000113"]},
               headers=admin).raise_for_status()
    han = _resident(client, base, admin, "13800000306")
    client.post(f"{base}/v1/residents/{han['id']}/move-out", json={"moved_out_on": "2026-11-01"},
                headers=admin).raise_for_status()
    chen = _resident(client, base, admin, "13800000206")
    client.post(f"{base}/v1/units/{chen['units'][0]['id']}/ownership-transfer", headers=admin, json={
        "transferred_on": "2026-11-15", "new_owner": {"name": "林新", "phones": ["13800000601"]}}).raise_for_status()


def load(client: httpx.Client, stack: Stack, admin: dict[str, str]) -> list[str]:
    base = stack.url("intake")
    response = client.post(f"{base}/v1/estates/{ESTATE}/directory/import", content=directory_csv(),
                           headers={**admin, "Content-Type": "text/csv"}, timeout=60)
    if response.status_code == 201:  # a second run finds the units there (409) and leaves the history alone
        _history(client, base, admin)
    elif response.status_code != 409:
        response.raise_for_status()
    zhang = _resident(client, base, admin, "13812345678")
    return [
        f"Directory: {len(UNITS)} units of 阳光花园 imported from one CSV — {base}/docs#/directory",
        f"  caller 13812345678 → {zhang['name']}, units {', '.join(u['building_name'] + ' ' + u['number'] for u in zhang['units'])}:"
        f" GET {base}/v1/estates/{ESTATE}/callers/13812345678",
        f"  residents: GET {base}/v1/estates/{ESTATE}/residents (history: phone change, move-out, 过户 of 2栋 2-402)",
    ]
