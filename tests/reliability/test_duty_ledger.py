"""Reliability 10: the duty ledger may not be altered (记录不得涂改). Whoever edits or deletes an entry
straight in dispatch's database, past the API, is caught by the chain check, which names the entry."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from pymongo import MongoClient

from shared import clock
from tests.helpers import Api, archived, eventually, setup_estate

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENTRIES = "ledger_entries"


@pytest.fixture
def dispatch_db(stack) -> Iterator:
    client = MongoClient(stack.mongo_url_of("dispatch"), tz_aware=True)
    try:
        yield client["estatedesk_dispatch"]
    finally:
        client.close()


def verify(api: Api, estate_id: str, **params) -> dict:
    response = api.get("dispatch", "/v1/ledger/verify", params={"estate_id": estate_id, **params})
    assert response.status_code == 200, response.text
    return response.json()


def test_an_entry_altered_or_deleted_in_the_database_is_named_by_the_chain_check(stack, dispatch_db):
    estate_id = setup_estate(stack, engineers=0)
    agent = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
    entries = []
    for n in range(6):
        response = agent.post("dispatch", "/v1/ledger/entries", json={"estate_id": estate_id, "text": f"值班记录 {n}"})
        assert response.status_code == 201, response.text
        entries.append(response.json())
    assert verify(agent, estate_id)["valid"]
    collection = dispatch_db[ENTRIES]

    # Someone rewrites what the third entry says.
    target = entries[2]
    changed = collection.update_one({"_id": target["id"]}, {"$set": {"content.summary": "值班记录 改写"}})
    assert changed.modified_count == 1
    verdict = verify(agent, estate_id)
    assert not verdict["valid"]
    assert verdict["first_broken"]["entry_id"] == target["id"]
    assert verdict["first_broken"]["sequence"] == target["sequence"]
    assert verdict["first_broken"]["reason"] == "content_altered"
    assert verdict["checked"] == target["sequence"] - 1  # everything before it still holds

    # ...and recomputes the stored hash too (without the key, it cannot match).
    collection.update_one({"_id": target["id"]}, {"$set": {"hash": "0" * 64}})
    assert verify(agent, estate_id)["first_broken"]["entry_id"] == target["id"]

    # Put back, the chain holds again: the check reads the database, nothing cached.
    collection.replace_one({"_id": target["id"]}, {**collection.find_one({"_id": target["id"]}),
                                                   "content": target["content"], "hash": target["hash"]})
    assert verify(agent, estate_id)["valid"]

    # Someone deletes the fifth entry.
    gone = entries[4]
    assert collection.delete_one({"_id": gone["id"]}).deleted_count == 1
    verdict = verify(agent, estate_id)
    assert not verdict["valid"]
    assert verdict["first_broken"] == {**verdict["first_broken"], "entry_id": gone["id"],
                                       "sequence": gone["sequence"], "reason": "entry_missing"}
    # A range after the gap still verifies on its own; a range across it does not.
    assert verify(agent, estate_id, from_seq=gone["sequence"] + 1)["valid"]
    assert not verify(agent, estate_id, from_seq=1, to_seq=gone["sequence"])["valid"]

    # Deleting the newest entry is caught against the chain head.
    last = entries[-1]
    collection.delete_one({"_id": last["id"]})
    verdict = verify(agent, estate_id, from_seq=gone["sequence"] + 1)
    assert verdict["first_broken"]["entry_id"] == last["id"] and verdict["first_broken"]["reason"] == "entry_missing"


def test_two_replicas_append_one_gapless_chain_and_flag_a_missing_handover_once(stack):
    estate_id = setup_estate(stack, engineers=0)
    supervisor = Api(stack, user_id="sup-1", roles=["supervisor"], estates=[estate_id])
    replica = stack.start_service("dispatch")
    try:
        now = clock.now().astimezone(SHANGHAI)
        start = (now - timedelta(hours=1)).strftime("%H:%M:%S")
        shifts = [{"code": f"s{n}", "start": start, "end": (now + timedelta(seconds=2 + 2 * n)).strftime("%H:%M:%S")}
                  for n in range(3)]
        response = supervisor.call("PUT", "dispatch", f"/v1/estates/{estate_id}/duty-posts", json={
            "grace_s": 1, "posts": [{"post": "gate-1", "name": "一号岗", "department": "security", "shifts": shifts}]})
        assert response.status_code == 200, response.text

        urls = [stack.url("dispatch"), f"http://127.0.0.1:{replica.port}"]
        with httpx.Client(timeout=30, headers=supervisor.headers) as client, ThreadPoolExecutor(20) as pool:
            responses = list(pool.map(lambda n: client.post(f"{urls[n % 2]}/v1/ledger/entries", json={
                "estate_id": estate_id, "text": f"两个副本并发记录 {n}"}), range(20)))
        assert [r.status_code for r in responses] == [201] * 20, [r.text for r in responses if r.status_code != 201]

        flags = eventually(lambda: (e := archived(supervisor, estate_id, "dispatch.shift.handover_missing"))
                           and len(e) >= 3 and e, timeout=60, what="three missing handovers flagged")
        assert sorted(f["data"]["shift_code"] for f in flags) == ["s0", "s1", "s2"]  # each once, by either replica
        verdict = supervisor.get("dispatch", "/v1/ledger/verify", params={"estate_id": estate_id}).json()
        assert verdict["valid"] and verdict["checked"] == verdict["head"]["sequence"] == 23  # 20 notes, 3 flags
    finally:
        replica.stop()
        stack.services["dispatch"].remove(replica)
