"""Bad input gets a clear, structured 4xx and loses nothing."""

from __future__ import annotations

import json
import time

import anyio
import pytest

from tests.service.conftest import World

pytestmark = pytest.mark.anyio


def assert_error(response, status: int, code: str, field: str | None = None, detail: str = "") -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) <= {"error", "detail", "field"}
    assert body["error"] == code
    assert body["detail"] and detail.lower() in body["detail"].lower()
    if field is not None:
        assert body.get("field") == field


async def test_missing_or_malformed_key_is_401(world: World) -> None:
    r = await world.client.post("/api/notes", json={"text": "hej"})
    assert_error(r, 401, "unauthenticated", detail="API key is required")
    assert r.headers["www-authenticate"] == "Bearer"
    r = await world.client.get("/api/me", headers={"Authorization": "Basic abc"})
    assert_error(r, 401, "unauthenticated", detail="Bearer")
    r = await world.client.get("/api/me", headers={"Authorization": "Bearer lyd_00000000_nope"})
    assert_error(r, 401, "unauthenticated", detail="unknown API key")


async def test_a_revoked_key_is_refused(world: World) -> None:
    prefix = world.keys["agent_north"].split("_")[1]
    r = await world.client.post(f"/api/keys/{prefix}/revoke", headers=world.auth("admin"))
    assert r.status_code == 200 and r.json()["revoked_at"]
    r = await world.client.get("/api/me", headers=world.auth("agent_north"))
    assert_error(r, 401, "unauthenticated", detail="revoked")


async def test_unknown_fields_are_422_naming_the_field(world: World) -> None:
    r = await world.client.post("/api/notes", json={"text": "hej", "colour": "red"}, headers=world.auth("agent_north"))
    assert_error(r, 422, "invalid", "colour", "unknown field")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": 42}, "text"),
        ({"text": "hej", "verbatim": "yes"}, "verbatim"),
        ({"text": "hej", "channel": "fax"}, "channel"),
        ({"text": "hej", "mood": 3}, "mood"),
        ({"text": "hej", "tags": ["x" * 41]}, "tags"),
        ({"text": "hej", "tags": [f"t{i}" for i in range(21)]}, "tags"),
        ({"text": "hej", "customer_ref": "x" * 129}, "customer_ref"),
        ({"text": "hej", "customer_ref": "ab\ncd"}, "customer_ref"),
        ({"text": "hej", "client_key": "not-a-uuid"}, "client_key"),
        ({"text": "hej", "captured_at": "yesterday"}, "captured_at"),
        ({"text": "x" * 4001}, "text"),
        ({}, "text"),
    ],
)
async def test_wrong_types_and_limits_are_422_naming_the_field(world: World, body: dict, field: str) -> None:
    r = await world.client.post("/api/notes", json=body, headers=world.auth("agent_north"))
    assert_error(r, 422, "invalid", field)


async def test_text_that_is_only_white_space_is_refused(world: World) -> None:
    r = await world.client.post("/api/notes", json={"text": "   \n "}, headers=world.auth("agent_north"))
    assert_error(r, 422, "invalid", "text", "empty")


async def test_broken_utf8_and_broken_json_are_400(world: World) -> None:
    headers = {**world.auth("agent_north"), "Content-Type": "application/json"}
    r = await world.client.post("/api/notes", content=b'{"text": "Pakken \xff kom"}', headers=headers)
    assert_error(r, 400, "bad_request", detail="UTF-8")
    r = await world.client.post("/api/notes", content=b'{"text": "Pakken', headers=headers)
    assert_error(r, 400, "bad_request", detail="not valid JSON")


async def test_wrong_content_type_is_415(world: World) -> None:
    headers = {**world.auth("agent_north"), "Content-Type": "text/plain"}
    r = await world.client.post("/api/notes", content=b"Pakken kom ikke", headers=headers)
    assert_error(r, 415, "unsupported_media_type", detail="application/json")


async def test_oversize_bodies_are_413(world: World) -> None:
    headers = {**world.auth("agent_north"), "Content-Type": "application/json"}
    big = json.dumps({"text": "x" * 70_000}).encode()
    assert_error(await world.client.post("/api/notes", content=big, headers=headers), 413, "too_large")
    # The batch endpoint takes up to 2 MiB ...
    batch = json.dumps({"notes": [{"text": "Pakken kom for sent " * 10} for _ in range(400)]}).encode()
    assert 64 * 1024 < len(batch) < 2 * 1024 * 1024
    ok = await world.client.post("/api/notes/batch", content=batch, headers=headers)
    assert ok.status_code == 200, ok.text[:300]
    # ... and no more.
    huge = json.dumps({"notes": [{"text": "y" * 3000} for _ in range(700)]}).encode()
    assert_error(await world.client.post("/api/notes/batch", content=huge, headers=headers), 413, "too_large")


async def test_unknown_things_are_404_and_other_teams_notes_403(world: World) -> None:
    note = await world.post_note("agent_north", text="Intern note uden kunde")
    r = await world.client.get(f"/api/notes/{note['id']}", headers=world.auth("manager_south"))
    assert_error(r, 403, "forbidden")
    r = await world.client.get("/api/notes/00000000-0000-0000-0000-000000000000", headers=world.auth("admin"))
    assert_error(r, 404, "not_found")
    r = await world.client.post("/api/notes", json={"text": "hej", "team": "nowhere"}, headers=world.auth("agent_north"))
    assert_error(r, 404, "not_found", "team")
    r = await world.client.post("/api/notes", json={"text": "hej", "team": "south"}, headers=world.auth("agent_north"))
    assert_error(r, 403, "forbidden", "team")
    r = await world.client.get("/api/notes", params={"cursor": "garbage!"}, headers=world.auth("admin"))
    assert_error(r, 422, "invalid", "cursor")


async def test_too_many_requests_with_one_key_are_429_with_retry_after(world: World) -> None:
    world.app.state.rate_limiter.per_minute = 3
    if time.time() % 60 > 57:  # the count starts afresh each minute: do not straddle one
        await anyio.sleep(60 - time.time() % 60 + 0.1)
    statuses = [(await world.client.get("/api/me", headers=world.auth("agent_north"))).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    r = await world.client.get("/api/me", headers=world.auth("agent_north"))
    assert_error(r, 429, "rate_limited", detail="more than 3 requests this minute")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    # Another key is not held up by this one.
    assert (await world.client.get("/api/me", headers=world.auth("agent_south"))).status_code == 200
