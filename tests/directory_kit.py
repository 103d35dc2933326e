"""An estate's directory built through intake's API: the directory tests' and the notification tests' short-hands."""

from __future__ import annotations

from tests.helpers import Api, admin, archived, new_estate_id, repair_contact


def register_estate(stack, **details) -> str:
    estate_id = new_estate_id()
    body = {"estate_id": estate_id, "name": f"阳光花园 {estate_id}", **details}
    response = admin(stack).post("intake", "/v1/estates", json=body)
    assert response.status_code == 201, response.text
    return estate_id


class Directory:
    """An agent of one estate, with short-hands for the directory's calls."""

    def __init__(self, stack, estate_id: str) -> None:
        self.estate_id = estate_id
        self.api = Api(stack, user_id="agent-1", roles=["agent"], estates=[estate_id])
        self.admin = admin(stack)

    def events(self, name: str) -> list[dict]:
        """Events of this estate (`tests.helpers.archived`)."""
        return archived(self.admin, self.estate_id, name)

    def building(self, name: str) -> dict:
        response = self.api.post("intake", f"/v1/estates/{self.estate_id}/buildings", json={"name": name})
        assert response.status_code == 201, response.text
        return response.json()

    def unit(self, building: dict, number: str, **fields) -> dict:
        body = {"building_id": building["id"], "number": number, "floor": 5, "area_m2": "89.5", **fields}
        response = self.api.post("intake", f"/v1/estates/{self.estate_id}/units", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def resident(self, name: str, units: list[dict], phones: list[str], role: str = "owner", **fields) -> dict:
        body = {"name": name, "phones": phones, "role": role, "unit_ids": [u["id"] for u in units],
                "move_in_date": "2020-05-01", **fields}
        response = self.api.post("intake", f"/v1/estates/{self.estate_id}/residents", json=body)
        assert response.status_code == 201, response.text
        return response.json()

    def get(self, path: str, **params):
        return self.api.get("intake", path, params=params)

    def caller(self, phone: str):
        return self.api.get("intake", f"/v1/estates/{self.estate_id}/callers/{phone}")

    def call(self, phone: str | None, **fields) -> dict:
        body = {**repair_contact(self.estate_id), "caller_phone": phone, **fields}
        response = self.api.post("intake", "/v1/contacts", json=body)
        assert response.status_code == 201, response.text
        return response.json()
