"""A carrier event stands for its parts: ids, types and subjects derived the same way every time."""

from __future__ import annotations

import pytest

from shared.consumer import topic_matches
from shared.envelope import Envelope
from shared.events import REGISTRY, BillIssued, BillsIssued, carriers_of, envelope_for, parts_of


def _bill(n: int) -> BillIssued:
    return BillIssued(bill_id=f"unit-{n}:property_fee:2025-01", unit_id=f"unit-{n}", item="property_fee",
                      item_name_zh="物业费", item_name_en="Property fee", period="2025-01", amount_fen=100 * n,
                      amount=f"{n}.00", due_date="2025-01-31")


def test_a_carriers_parts_are_the_events_it_carries():
    carrier = envelope_for(BillsIssued(bills=[_bill(n) for n in range(3)]), subject="run:000001",
                           company_id="c", estate_id="e")
    parts = parts_of(carrier)
    assert [p.id for p in parts] == [f"{carrier.id}-0000", f"{carrier.id}-0001", f"{carrier.id}-0002"]
    assert {p.type for p in parts} == {"estatedesk.billing.bill.issued.v1"}
    assert [p.subject for p in parts] == [f"unit-{n}:property_fee:2025-01" for n in range(3)]
    assert all((p.time, p.companyid, p.estateid) == (carrier.time, "c", "e") for p in parts)
    assert [REGISTRY[p.type].model.model_validate(p.data) for p in parts] == [_bill(n) for n in range(3)]
    assert parts_of(carrier) == parts  # a redelivered carrier has the same parts
    assert carrier.routing_key == "billing.bills.issued"


def test_any_other_event_is_its_own_only_part_and_a_carrier_without_a_list_is_refused():
    plain = envelope_for(_bill(1), subject="x", company_id="c", estate_id="e")
    assert parts_of(plain) == [plain]
    broken = Envelope(source="/t", type="estatedesk.billing.bills.issued.v1", companyid="c", estateid="e",
                      data={"bills": "none"})
    with pytest.raises(ValueError, match="bills"):
        parts_of(broken)
    assert parts_of(broken.model_copy(update={"data": {"bills": []}})) == []


def test_a_queue_bound_to_a_parts_key_is_bound_to_its_carrier():
    assert "billing.bills.issued" in carriers_of(lambda key: topic_matches("billing.bill.*", key))
    assert "billing.bills.issued" not in carriers_of(lambda key: topic_matches("billing.payment.*", key))
