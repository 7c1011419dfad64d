"""Digest e-mails through a real SMTP conversation (aiosmtpd): what a manager reads, sent exactly once by
two service instances on one database, and delivered once after an SMTP outage."""

from __future__ import annotations

import asyncio
import datetime as dt
import html
import socket
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiosmtpd.controller import Controller
from litestar.testing import AsyncTestClient
from sqlalchemy import update

from nlp import Analyzer
from service.app import create_app
from service.models import DigestSubscription
from service.services.digest.delivery import DeliveryReport
from service.settings import Settings
from tests.service.conftest import World, make_world
from tests.service.digest_history import NEW_PHRASE, history

pytestmark = pytest.mark.anyio

SEND_MOMENT = dt.datetime(2026, 9, 21, 7, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))  # Monday after 2026-W38
RECIPIENTS = ["leder@example.dk", "chef@example.dk"]


class Inbox:
    """An SMTP server's handler that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(_free_port())
    server.start()
    yield server
    server.stop()


def _mail_settings(smtp: SmtpServer) -> dict[str, Any]:
    return {"smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "none", "digest_check_seconds": 3600.0,
            "public_url": "https://lydhor.example.dk"}


async def _tick(client: AsyncTestClient, now: dt.datetime) -> DeliveryReport:  # type: ignore[type-arg]
    """One sending round of the app behind ``client``, on that app's own event loop."""
    return await anyio.to_thread.run_sync(client.blocking_portal.call, client.app.state.digests.tick, now)


async def _subscribed(world: World) -> None:
    """The team's history, and two subscribers who signed up during week 38 (so week 37's digest is not theirs)."""
    notes = history()
    for start in range(0, len(notes), 200):
        r = await world.client.post("/api/notes/batch", json={"notes": notes[start : start + 200]}, headers=world.auth("agent_north"))
        assert r.status_code == 200
    for email in RECIPIENTS:
        r = await world.client.post("/api/digest-subscriptions", json={"team": "north", "email": email}, headers=world.auth("manager_north"))
        assert r.status_code == 201
    async with world.session() as session:
        await session.execute(update(DigestSubscription).values(created_at=dt.datetime(2026, 9, 15, 12, tzinfo=dt.timezone.utc)))
        await session.commit()


def _parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    page = message.get_body(preferencelist=("html",))
    assert text is not None and page is not None
    return text.get_content(), page.get_content()


async def test_two_instances_send_each_digest_once_with_what_a_manager_reads(
    database_url: str, shared_analyzer: Analyzer, tmp_path: Path, smtp: SmtpServer
) -> None:
    async with make_world(database_url, shared_analyzer, tmp_path / "a", **_mail_settings(smtp)) as world:
        await _subscribed(world)
        second = create_app(Settings(data_dir=str(tmp_path / "b"), database_url=database_url, **_mail_settings(smtp)), analyzer=shared_analyzer)
        async with AsyncTestClient(second) as other:
            before = await asyncio.gather(_tick(world.client, SEND_MOMENT - dt.timedelta(minutes=5)), _tick(other, SEND_MOMENT - dt.timedelta(minutes=5)))
            assert sum(r.sent for r in before) == 0 and smtp.inbox.messages == []  # not before 07:00 on Monday
            reports = await asyncio.gather(*(_tick(c, SEND_MOMENT + dt.timedelta(minutes=1)) for c in (world.client, other, world.client, other)))
            assert sum(r.sent for r in reports) == 2 and sum(r.failed for r in reports) == 0
            later = await asyncio.gather(_tick(world.client, SEND_MOMENT + dt.timedelta(hours=3)), _tick(other, SEND_MOMENT + dt.timedelta(days=2)))
            assert sum(r.sent for r in later) == 0
        # The second instance also caught up on the current calendar's last week when it started: that
        # digest too went out once per recipient.
        received = [(m["Subject"], rcpt) for rcpts, m in smtp.inbox.messages for rcpt in rcpts]
        assert len(received) == len(set(received))
        assert sorted(r for subject, r in received if subject.endswith("uge 38")) == sorted(RECIPIENTS)

        expected = (await world.client.get("/api/digests/north/2026-W38", headers=world.auth("manager_north"))).json()
        top, quote = expected["themes"][0], expected["themes"][0]["quotes"][0]["text"]
        message = next(m for _, m in smtp.inbox.messages if m["Subject"].endswith("uge 38"))
        assert message["Subject"] == expected["title"] == "Ugens kundestemme: north, uge 38"
        assert message.get_content_type() == "multipart/alternative"
        text, page = _parts(message)
        for body, escape in ((text, str), (page, html.escape)):
            assert top["label"] in body and escape(quote.strip('"')) in body
            assert NEW_PHRASE in body
            assert "https://lydhor.example.dk/digests/north/2026-W38?token=" in body
        assert "<script" not in page.lower() and "<style" not in page.lower() and 'style="' in page


async def test_an_smtp_outage_is_reported_and_the_digest_arrives_once_after_it(
    database_url: str, shared_analyzer: Analyzer, tmp_path: Path, smtp: SmtpServer
) -> None:
    async with make_world(database_url, shared_analyzer, tmp_path / "a", **_mail_settings(smtp)) as world:
        await _subscribed(world)
        smtp.stop()
        now = SEND_MOMENT + dt.timedelta(minutes=1)
        report = await _tick(world.client, now)
        assert report.failed == 2 and report.sent == 0
        ready = await world.client.get("/ready")
        assert ready.status_code == 200  # still taking notes
        assert ready.json()["checks"]["digest_email"].startswith("failing: 2 digest e-mail(s)")
        deliveries = (await world.client.get("/api/digest-subscriptions/deliveries", headers=world.auth("manager_north"))).json()
        assert {d["status"] for d in deliveries} == {"pending"} and all("Connection" in d["last_error"] for d in deliveries)

        smtp.start()
        assert (await _tick(world.client, now + dt.timedelta(seconds=30))).sent == 0  # waits out its pause
        assert (await _tick(world.client, now + dt.timedelta(minutes=2))).sent == 2
        assert (await _tick(world.client, now + dt.timedelta(hours=5))).sent == 0
        assert sorted(r for rcpts, _ in smtp.inbox.messages for r in rcpts) == sorted(RECIPIENTS)
        assert (await world.client.get("/ready")).json()["checks"]["digest_email"] == "ok"


async def test_a_service_that_was_down_on_monday_catches_up_and_late_subscribers_wait(
    database_url: str, shared_analyzer: Analyzer, tmp_path: Path, smtp: SmtpServer
) -> None:
    async with make_world(database_url, shared_analyzer, tmp_path / "a", **_mail_settings(smtp)) as world:
        await _subscribed(world)
        r = await world.client.post("/api/digest-subscriptions", json={"team": "north", "email": "ny@example.dk"}, headers=world.auth("admin"))
        async with world.session() as session:  # joined on Tuesday: their first digest is next week's
            await session.execute(update(DigestSubscription).where(DigestSubscription.id == r.json()["id"])
                                  .values(created_at=dt.datetime(2026, 9, 22, 12, tzinfo=dt.timezone.utc)))
            await session.commit()
        wednesday = SEND_MOMENT + dt.timedelta(days=2, hours=3)
        assert (await _tick(world.client, wednesday)).sent == 2
        assert sorted(r for rcpts, _ in smtp.inbox.messages for r in rcpts) == sorted(RECIPIENTS)
        next_monday = SEND_MOMENT + dt.timedelta(days=7, minutes=1)
        assert (await _tick(world.client, next_monday)).sent == 3


def test_sending_a_digest_by_hand_delivers_it_once(tmp_path: Path, smtp: SmtpServer) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "LYDHOR_DATA_DIR": str(tmp_path), "LYDHOR_DATABASE_URL": "", "LYDHOR_SMTP_HOST": "127.0.0.1",
           "LYDHOR_SMTP_PORT": str(smtp.port), "LYDHOR_SMTP_SECURITY": "none"}
    run = lambda *args: subprocess.run([sys.executable, "-m", "service.cli", *args], env=env, cwd=root, capture_output=True, text=True)  # noqa: E731
    assert run("teams", "create", "north").returncode == 0
    first = run("digest", "send", "--team", "north", "--week", "2026-W38", "--to", "leder@example.dk")
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "2026-W38 north leder@example.dk: sent"
    again = run("digest", "send", "--team", "north", "--week", "2026-W38", "--to", "leder@example.dk")
    assert again.returncode == 0 and "sent" in again.stdout
    assert len(smtp.inbox.messages) == 1
    _, message = smtp.inbox.messages[0]
    assert message["Subject"] == "Ugens kundestemme: north, uge 38" and "Ingen noter i uge 38." in _parts(message)[0]
    nobody = run("digest", "send", "--team", "north", "--week", "2026-W38")
    assert nobody.returncode == 2 and "--to" in nobody.stderr
