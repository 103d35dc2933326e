from datetime import timedelta

import jwt
import pytest
from pydantic import ValidationError

from shared.asyncapi import asyncapi_document
from shared.auth import decode_token
from shared.consumer import topic_matches
from shared.envelope import routing_key_of
from shared.errors import Unauthorized
from shared.events import REGISTRY, TicketOpened, envelope_for
from shared.logging import mask_name, mask_personal_data, mask_phone_numbers
from shared.money import fen_to_text, text_to_fen
from shared.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings
from shared.tokens import mint_token

SECRET = "unit-test-secret-unit-test-secret-0123"


def token(**overrides):
    claims = {"secret": SECRET, "issuer": "estatedesk", "user_id": "u1", "company_id": "c1",
              "estates": ["e1"], "roles": ["agent"]}
    return mint_token(**{**claims, **overrides})


def test_a_good_token_names_company_estates_and_roles():
    principal = decode_token(token(), secret=SECRET, issuer="estatedesk")
    assert (principal.company_id, principal.estates, principal.roles) == ("c1", ["e1"], ["agent"])
    assert principal.may_act_in("e1") and not principal.may_act_in("e2")
    assert principal.estate_filter() == {"company_id": "c1", "estate_id": {"$in": ["e1"]}}


@pytest.mark.parametrize(
    "bad_token",
    [
        token(ttl=timedelta(seconds=-1)),                     # expired
        token(secret="another-secret-another-secret-0123"),  # wrongly signed
        jwt.encode({"sub": "u1", "iss": "estatedesk", "exp": 9999999999, "company_id": "c1", "estates": ["e1"],
                    "roles": ["agent"]}, key=None, algorithm="none"),  # alg: none
        token(roles=["emperor"]),                             # a role that does not exist
        "not-a-token",
    ],
)
def test_bad_tokens_are_unauthorized(bad_token):
    with pytest.raises(Unauthorized):
        decode_token(bad_token, secret=SECRET, issuer="estatedesk")


def test_production_refuses_the_development_key_and_default_broker_credentials():
    with pytest.raises(ValidationError, match="JWT_SECRET"):
        ServiceSettings(environment="production", jwt_secret=DEVELOPMENT_JWT_SECRET, amqp_url="amqp://app:s3cret@mq/")
    with pytest.raises(ValidationError, match="broker credentials"):
        ServiceSettings(environment="production", jwt_secret="x" * 40, amqp_url="amqp://guest:guest@mq/")
    assert ServiceSettings(environment="production", jwt_secret="x" * 40, amqp_url="amqp://app:s3cret@mq/")


@pytest.mark.parametrize(
    ("pattern", "key", "matches"),
    [
        ("#", "intake.ticket.opened", True),
        ("intake.ticket.opened", "intake.ticket.opened", True),
        ("intake.*.opened", "intake.ticket.opened", True),
        ("intake.#", "intake.ticket.opened", True),
        ("intake.*", "intake.ticket.opened", False),
        ("dispatch.#", "intake.ticket.opened", False),
    ],
)
def test_topic_matching_follows_amqp(pattern, key, matches):
    assert topic_matches(pattern, key) is matches


def test_event_types_are_versioned_and_routed_by_service_entity_verb():
    envelope = envelope_for(
        TicketOpened(ticket_id="t1", number="DH-20261126-0001", category="repair", priority="P3", scope="in_unit",
                     description="d", channel="hotline", promised_reply_at="2026-11-26T10:00:00Z",
                     opened_at="2026-11-26T08:00:00Z"),
        subject="t1", company_id="c1", estate_id="e1",
    )
    assert envelope.type == "estatedesk.intake.ticket.opened.v1"
    assert envelope.source == "/estatedesk/intake"
    assert envelope.routing_key == routing_key_of(envelope.type) == "intake.ticket.opened"
    assert envelope.specversion == "1.0" and len(envelope.id) == 26


def test_the_asyncapi_document_describes_every_registered_event():
    document = asyncapi_document()
    assert document["asyncapi"].startswith("3.")
    # Besides the events' own channels, the two ways in for integrators (webhooks, their own queue).
    assert {spec.name for spec in REGISTRY.values()} == set(document["channels"]) - {"integrator-webhook",
                                                                                      "integrator-queue"}
    for spec in REGISTRY.values():
        assert spec.model.__name__ in document["components"]["schemas"]


def test_phone_numbers_and_names_are_masked_in_logs():
    assert mask_phone_numbers("来电 13812345678，回拨 +8613987654321") == "来电 138****5678，回拨 +86139****4321"
    assert mask_name("张三") == "张*"
    masked = mask_personal_data(None, "info", {"event": "call from 13812345678", "caller_name": "李四",
                                               "caller_phone": "13812345678", "nested": {"name": "王五"}})
    assert masked == {"event": "call from 138****5678", "caller_name": "李*", "caller_phone": "138****5678",
                      "nested": {"name": "王*"}}


def test_money_is_integer_fen_inside_and_two_decimals_outside():
    assert fen_to_text(123450) == "1234.50"
    assert fen_to_text(-5) == "-0.05"
    assert text_to_fen("1234.5") == 123450
    for bad in ("1.234", "abc", "NaN"):
        with pytest.raises(ValueError):
            text_to_fen(bad)


def test_the_clock_moves_to_another_day_and_hands_its_offset_to_child_processes():
    from datetime import UTC, datetime, timedelta

    from shared import clock

    saved = clock.offset()
    try:
        moment = datetime(2027, 2, 28, 23, 59, tzinfo=UTC)
        clock.set_at(moment)
        assert abs(clock.now() - moment) < timedelta(seconds=1)
        offset = float(clock.child_environment()[clock.CLOCK_OFFSET_S])
        assert abs(datetime.now(UTC) + timedelta(seconds=offset) - moment) < timedelta(seconds=1)
    finally:
        clock.set_offset(saved)


def test_local_time_is_the_estates_clock_in_a_human_form():
    from datetime import UTC, datetime

    from shared.local_time import human_day, local_time, local_time_or_blank

    moment = datetime(2026, 12, 1, 15, 27, 2, 912000, tzinfo=UTC)
    assert local_time(moment, "Asia/Shanghai") == "12月1日 23:27"
    assert local_time(moment, "Asia/Shanghai", language="en") == "1 Dec 23:27"
    assert local_time(moment, "Asia/Shanghai", with_year=True) == "2026年12月1日 23:27"
    assert local_time(moment, "Europe/London", language="en", with_year=True) == "1 Dec 2026 15:27"
    assert local_time(datetime(2026, 12, 31, 16, 30, tzinfo=UTC), "Asia/Shanghai") == "1月1日 00:30"
    assert local_time(moment.replace(tzinfo=None), "Asia/Shanghai") == "12月1日 23:27"  # naive is UTC
    assert local_time_or_blank(None, "Asia/Shanghai") == ""
    assert (human_day("2026-02-28"), human_day("2026-12-01", language="en")) == ("2月28日", "1 Dec")


def test_downloaded_tables_keep_what_callers_typed_as_text():
    import io

    from openpyxl import load_workbook

    from shared.spreadsheets import table_csv, table_xlsx

    rows = [["漏水\x10\x00了", "=HYPERLINK(\"http://x\")", "+8613812345678", "-0.05", "-rm"]]
    sheet = load_workbook(io.BytesIO(table_xlsx(["a", "b", "c", "d", "e"], rows, title="来电记录"))).active
    assert [c.value for c in next(sheet.iter_rows(min_row=2))] == [
        "漏水了", "'=HYPERLINK(\"http://x\")", "+8613812345678", "-0.05", "'-rm"]
    assert sheet["B2"].data_type == "s"
    assert table_csv(["a"], [["@SUM(1)"]]).decode("utf-8-sig").splitlines()[1] == "'@SUM(1)"


def test_now_comes_from_the_one_clock():
    """A `datetime.now()` beside the clock makes a test that passes only on some days."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    allowed = {"shared/clock.py", "shared/tokens.py", "tests/unit/test_shared_pieces.py"}  # real time, on purpose
    pattern = re.compile(r"\bdatetime\.now\(|\bdate\.today\(|\bdatetime\.utcnow\(")
    found = [f"{path.relative_to(root)}:{number}" for directory in ("services", "shared", "devstack", "tests")
             for path in sorted((root / directory).rglob("*.py")) if str(path.relative_to(root)) not in allowed
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if pattern.search(line)]
    assert not found, found
