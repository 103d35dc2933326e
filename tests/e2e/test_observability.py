"""One trace from the HTTP request through the outbox and RabbitMQ into every consumer."""

from __future__ import annotations

import json
import secrets

from tests.helpers import Api, eventually, repair_contact, setup_estate


def log_lines(stack, service: str) -> list[dict]:
    lines = []
    for process in stack.services[service]:
        for raw in (process.workdir / f"{process.name}.log").read_text(errors="replace").splitlines():
            if raw.startswith("{"):
                lines.append(json.loads(raw))
    return lines


def test_the_trace_of_a_contact_reaches_dispatch_and_notification(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    response = agent.post("intake", "/v1/contacts", json=repair_contact(estate_id, "配电箱冒烟"),
                          headers={"traceparent": traceparent, "x-request-id": "req-trace-test"})
    assert response.status_code == 201
    assert response.headers["x-request-id"] == "req-trace-test"

    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    eventually(lambda: supervisor.get("notification", "/v1/messages", params={"estate_id": estate_id}).json()["items"],
               what="the assignee's message")
    for service in ("dispatch", "notification", "reporting"):
        traced = eventually(
            lambda service=service: [line for line in log_lines(stack, service) if line.get("trace_id") == trace_id],
            what=f"a {service} log line in the request's trace",
        )
        assert all(line["service"] == service for line in traced)


def test_logs_of_a_full_scenario_hold_no_unmasked_phone_or_name(stack):
    estate_id = setup_estate(stack)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    body = repair_contact(estate_id, "燃气泄漏，请联系13712345678")
    body["caller_phone"], body["caller_name"] = "13712345678", "欧阳娜娜"
    assert agent.post("intake", "/v1/contacts", json=body).status_code == 201
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    eventually(lambda: supervisor.get("notification", "/v1/messages", params={"estate_id": estate_id}).json()["items"],
               what="the scenario to finish")
    for service in stack.services:
        for process in stack.services[service]:
            text = (process.workdir / f"{process.name}.log").read_text(errors="replace")
            assert "13712345678" not in text and "欧阳娜娜" not in text, service
