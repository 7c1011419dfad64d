"""Who may do what: every endpoint × every role × their own team's or another team's data.

The data: a note by agent_north in team north (no customer), a note about customer K-1, and a follow-up.
"own" principals belong to north, "other" ones to south.
"""

from __future__ import annotations

import uuid

import pytest

from tests.service.conftest import World

pytestmark = pytest.mark.anyio

PRINCIPALS = ["admin", "manager_north", "manager_south", "agent_north", "agent_south", "integration_north"]

# endpoint: (method, path, body) and the expected status per principal, in PRINCIPALS order.
MATRIX: list[tuple[str, str, object, list[int]]] = [
    ("POST", "/api/notes", {"text": "Pakken er forsinket", "team": "north", "agent": "agent_north"}, [201, 403, 403, 201, 403, 201]),
    ("POST", "/api/notes", {"text": "Pakken er forsinket", "team": "north"}, [403, 201, 403, 201, 403, 422]),
    ("POST", "/api/notes/batch", {"notes": [{"text": "Pakken er forsinket", "team": "north"}]}, [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/notes", None, [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/notes/{note}", None, [200, 200, 403, 200, 403, 403]),
    ("GET", "/api/notes/{customer_note}", None, [200, 200, 200, 200, 200, 403]),
    ("PATCH", "/api/notes/{note}", {"tags": ["x"]}, [200, 200, 403, 200, 403, 403]),
    ("DELETE", "/api/notes/{note}", None, [204, 403, 403, 403, 403, 403]),
    ("POST", "/api/notes/{note}/follow-up", {}, [201, 201, 403, 201, 403, 403]),
    ("GET", "/api/follow-ups", None, [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/follow-ups/{follow_up}", None, [200, 200, 403, 200, 403, 403]),
    ("PATCH", "/api/follow-ups/{follow_up}", {"due": "2031-01-01"}, [200, 200, 403, 200, 403, 403]),
    ("GET", "/api/customers/K-1", None, [200, 200, 200, 200, 200, 403]),
    ("GET", "/api/customers/K-1/notes", None, [200, 200, 200, 200, 200, 403]),
    ("POST", "/api/analyze", {"text": "Prisen er for høj"}, [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/themes", None, [200, 200, 200, 200, 200, 200]),
    ("PUT", "/api/themes/parking", {"label": {"da": "Parkering"}}, [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/me", None, [200, 200, 200, 200, 200, 200]),
    ("GET", "/api/teams", None, [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/teams", {"name": "{unique}"}, [201, 403, 403, 403, 403, 403]),
    ("GET", "/api/users", None, [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/users", {"name": "{unique}", "role": "agent", "teams": ["north"]}, [201, 403, 403, 403, 403, 403]),
    ("GET", "/api/keys", None, [200, 403, 403, 403, 403, 403]),
    ("POST", "/api/keys", {"user": "agent_north2"}, [201, 403, 403, 403, 403, 403]),
    ("POST", "/api/keys/{spare_key}/revoke", None, [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/digests/north/2026-W38", None, [200, 200, 403, 403, 403, 403]),
    ("GET", "/api/digests/2026-W38", None, [200, 403, 403, 403, 403, 403]),
    ("GET", "/api/digest-subscriptions", None, [200, 200, 200, 403, 403, 403]),
    ("POST", "/api/digest-subscriptions", {"team": "north", "email": "{unique}@example.dk"}, [201, 201, 403, 403, 403, 403]),
    ("DELETE", "/api/digest-subscriptions/{subscription}", None, [204, 204, 403, 403, 403, 403]),
    ("GET", "/api/digest-subscriptions/deliveries", None, [200, 200, 200, 403, 403, 403]),
]


async def _fixtures(world: World) -> dict[str, str]:
    note = await world.post_note("agent_north", text="Intern note om en forsinket pakke")
    customer_note = await world.post_note("agent_north", text="Kunden venter på sin refusion", customer_ref="K-1")
    follow_up = await world.client.post(f"/api/notes/{customer_note['id']}/follow-up", json={}, headers=world.auth("agent_north"))
    spare = await world.client.post("/api/keys", json={"user": "agent_north2"}, headers=world.auth("admin"))
    subscription = await world.client.post(
        "/api/digest-subscriptions", json={"team": "north", "email": f"{uuid.uuid4().hex}@example.dk"}, headers=world.auth("admin")
    )
    return {
        "subscription": str(subscription.json()["id"]),
        "note": note["id"],
        "customer_note": customer_note["id"],
        "follow_up": str(follow_up.json()["id"]),
        "spare_key": spare.json()["info"]["prefix"],
    }


def _fill(value: object, ids: dict[str, str]) -> object:
    if isinstance(value, str):
        return value.format(**ids)
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


async def test_authorization_matrix(world: World) -> None:
    failures = []
    for n, (method, path, body, expected) in enumerate(MATRIX):
        for who, status in zip(PRINCIPALS, expected):
            ids = await _fixtures(world) | {"unique": f"u{n}{who}"}
            kwargs = {"json": _fill(body, ids)} if body is not None else {}
            response = await world.client.request(method, _fill(path, ids), headers=world.auth(who), **kwargs)
            if response.status_code != status:
                failures.append(f"{method} {path} as {who}: {response.status_code} (expected {status}) {response.text[:120]}")
    assert failures == []


async def test_every_api_endpoint_is_in_the_matrix(world: World) -> None:
    import re

    covered = {(m, re.sub(r"\{[^}]+\}|K-1|2026-W38|north|parking", "*", p)) for m, p, _, _ in MATRIX}
    missing = []
    for route in world.app.routes:
        if not route.path.startswith("/api/"):
            continue
        path = re.sub(r"\{[^}]+\}", "*", route.path)
        for method in sorted(route.methods - {"HEAD", "OPTIONS"}):
            if (method, path) not in covered:
                missing.append(f"{method} {route.path}")
    assert missing == []


async def test_a_batch_answers_each_item_with_the_same_rights_as_a_single_note(world: World) -> None:
    body = {"notes": [{"text": "Pakken er forsinket", "team": "north"}]}
    single = [403, 201, 403, 201, 403, 422]  # as POST /api/notes with the same body
    items = []
    for who in PRINCIPALS:
        response = await world.client.post("/api/notes/batch", json=body, headers=world.auth(who))
        items.append(response.json()["results"][0]["status"])
    assert items == single
