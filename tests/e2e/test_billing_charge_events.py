"""Intake's and dispatch's charges become one bill line each, however often they arrive: a
procedure's decoration deposit and service fee (`intake.procedure.fee_requested`) and a completed
work order's paid-service lines (`dispatch.workorder.completed`), published on the platform's
exchange as their producers would — the same event twice (a redelivery, which the inbox drops),
and then a burst of the same charges under new event ids (a producer republishing: the inbox lets
them through, and billing's handler bills each charge once even when a batch holds it several
times)."""

from __future__ import annotations

from shared.events import envelope_for
from shared.events.dispatch import ChargeLine, WorkOrderCompleted
from shared.events.intake_procedures import ProcedureFeeLine, ProcedureFeeRequested
from tests.e2e.billing_estate import BillingEstate
from tests.e2e.dashboard_events import COMPANY, publish, work_order_id
from tests.helpers import eventually


def fees_requested(estate: BillingEstate, unit_id: str, procedure_id: str):
    payload = ProcedureFeeRequested(
        procedure_id=procedure_id, number="ZX-20260101-0001", kind="decoration", unit_id=unit_id,
        status="approved", by="clerk-1", lines=[
            ProcedureFeeLine(line_id=f"{procedure_id}:decoration_deposit", item="decoration_deposit",
                             amount="2000.00", refundable=True),
            ProcedureFeeLine(line_id=f"{procedure_id}:decoration_service_fee", item="decoration_service_fee",
                             amount="300.00", refundable=False)])
    return envelope_for(payload, subject=procedure_id, company_id=COMPANY, estate_id=estate.estate_id)


def completed(estate: BillingEstate, unit_id: str, order_id: str, lines: list[tuple[str, str]]):
    payload = WorkOrderCompleted(
        work_order_id=order_id, number=f"PG-20260101-{order_id[-4:]}", status="completed",
        previous_status="in_progress", by="engineer-1", work_done="换水龙头", labour_minutes=30,
        responsible_party="resident", chargeable=True, unit_id=unit_id,
        charge_lines=[ChargeLine(description=description, amount=amount) for description, amount in lines])
    return envelope_for(payload, subject=order_id, company_id=COMPANY, estate_id=estate.estate_id)


def test_each_charge_is_one_line_whatever_the_delivery_count(stack):
    estate = BillingEstate(stack, [["1栋", "1-101", 1, "89.50", "residential", "张三", "13812345678", "owner",
                                    "2020-05-01"]])
    unit_id = estate.by_number["1-101"]["id"]
    procedure_id, order_id, last_order = f"proc-{work_order_id()}", work_order_id(), work_order_id()
    fee = fees_requested(estate, unit_id, procedure_id)
    service = completed(estate, unit_id, order_id, [("水龙头", "80.00"), ("人工", "35.50")])
    # The same events twice: a redelivery.
    publish(stack, [fee, service, fee, service])
    # The same charges under new event ids, several in one burst (batches of several), and the first again.
    republished = [fees_requested(estate, unit_id, procedure_id) for _ in range(3)]
    republished += [completed(estate, unit_id, order_id, [("水龙头", "80.00"), ("人工", "35.50")]) for _ in range(3)]
    # Last, a charge of its own: billing applies its queue in order, so once it is billed, all before it were.
    last = completed(estate, unit_id, last_order, [("换灯泡", "15.00")])
    publish(stack, [republished[0], republished[3], *republished, fee, service, last])

    def last_billed():
        lines = estate.lines(unit_id=unit_id)
        return any(line["id"] == f"{last_order}:charge:0" for line in lines) and lines

    lines = eventually(last_billed, timeout=60, what="the last work order's charge")
    assert sorted((line["id"], line["item_code"], line["amount"]) for line in lines) == sorted([
        (f"{procedure_id}:decoration_deposit", "decoration_deposit", "2000.00"),
        (f"{procedure_id}:decoration_service_fee", "decoration_service_fee", "300.00"),
        (f"{order_id}:charge:0", "paid_service", "80.00"),
        (f"{order_id}:charge:1", "paid_service", "35.50"),
        (f"{last_order}:charge:0", "paid_service", "15.00"),
    ])
    # None of them failed on its way (a duplicate key refused, say) and was parked instead.
    ours = {envelope.id for envelope in [fee, service, *republished, last]}
    parked = estate.admin.get("billing", "/v1/admin/dead-letters").json()["items"]
    assert not [item for item in parked if item["event_id"] in ours]
    account = estate.account("1-101")
    reconciliation = estate.reconciliation()
    assert reconciliation["balanced"] is True, reconciliation
    assert account["arrears"] == "2430.50", account
