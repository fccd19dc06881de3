"""GET /healthz and GET /metrics on the bot's own HTTP server, next to a running bot."""

from __future__ import annotations

import re
import asyncio
import sqlite3
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.web import HttpServer
from tests.e2e.conftest import Harness


@pytest.fixture
async def http(harness: Harness) -> AsyncIterator[HttpServer]:
    """Polling mode with HTTP_LISTEN: the server answers /healthz and /metrics only."""
    server = HttpServer(harness.app, webhook=False, listen=("127.0.0.1", 0))
    await server.start()
    yield server
    await server.stop()


async def get(url: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as session, session.get(url) as answer:
        if answer.content_type == "application/json":
            return answer.status, await answer.json()
        return answer.status, await answer.text()


async def test_healthz_turns_503_while_the_database_refuses_writes(harness: Harness, http: HttpServer) -> None:
    status, body = await get(http.url + "/healthz")
    assert status == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "scheduler": "ok", "broadcaster": "ok", "telegram": "ok"}}

    # The bot's own connection refuses writes, as it would on a read-only or full disk.
    await harness.app.db.execute("PRAGMA query_only = ON")
    status, body = await get(http.url + "/healthz")
    assert status == 503
    assert body["status"] == "unhealthy"
    assert body["checks"]["database"].startswith("not writable")
    assert body["checks"]["scheduler"] == "ok"

    await harness.app.db.execute("PRAGMA query_only = OFF")
    status, body = await get(http.url + "/healthz")
    assert status == 200, body


async def test_healthz_turns_503_while_another_process_holds_the_write_lock(harness: Harness, http: HttpServer) -> None:
    # Another process: it waits for a write of the bot in progress (a scheduler round) to end
    # before it takes the lock, and waits in a thread of its own, as a process would: blocking
    # the bot's event loop meanwhile would keep that write from ever ending.
    other = sqlite3.connect(harness.app.db.path, timeout=10, isolation_level=None, check_same_thread=False)
    try:
        await asyncio.to_thread(other.execute, "BEGIN EXCLUSIVE")
        status, body = await get(http.url + "/healthz")  # after SQLite's busy timeout (5 s)
        assert status == 503 and body["checks"]["database"] == "not writable (OperationalError)"
    finally:
        other.execute("ROLLBACK")
        other.close()
    status, _ = await get(http.url + "/healthz")
    assert status == 200


async def test_healthz_turns_503_when_the_scheduler_loop_is_gone(harness: Harness, http: HttpServer) -> None:
    await harness.app.dispatcher["scheduler"].on_shutdown()
    status, body = await get(http.url + "/healthz")
    assert status == 503
    assert body["checks"]["scheduler"] == "loop not running" and body["checks"]["database"] == "ok"


def sample(metrics: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus' text format (0 if absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in metrics.splitlines():
        match = re.fullmatch(r"([a-z_]+)(?:\{(.*)\})? (\S+)", line)
        if match and match.group(1) == name and ",".join(sorted((match.group(2) or "").split(","))).strip(",") == want:
            return float(match.group(3))
    return 0.0


async def test_metrics_count_updates_and_api_calls_without_personal_data(harness: Harness, http: HttpServer) -> None:
    status, before = await get(http.url + "/metrics")
    assert status == 200
    assert sample(before, "bot_updates_total", type="message") == 0

    user = harness.user(1001, first_name="Айгерим", username="aigerim_k")
    await harness.send(user, "/start")
    await harness.press(user, "Русский")
    _, after = await get(http.url + "/metrics")
    assert sample(after, "bot_updates_total", type="message") == 1
    assert sample(after, "bot_updates_total", type="callback_query") == 1
    assert sample(after, "bot_update_handling_seconds_count", type="message") == 1
    assert sample(after, "bot_telegram_calls_total", method="sendMessage", code="200") >= 1
    assert sample(after, "bot_database_size_bytes") > 0
    assert "bot_outbox_depth" in after and "bot_claims_open" in after
    # Labels name types, methods and codes: never the person. (Only names and labels are
    # checked: a sample's value, a duration such as 0.0025710510, may contain any digits.)
    described = "\n".join(line.rpartition(" ")[0] for line in after.splitlines() if line and not line.startswith("#"))
    assert "1001" not in described and "aigerim" not in described and "Айгерим" not in described

    # A refused call is counted with its code.
    harness.server.fail_next("sendMessage", error_code=400, description="Bad Request: test")
    await harness.send(user, "/start")
    _, later = await get(http.url + "/metrics")
    assert sample(later, "bot_telegram_errors_total", method="sendMessage", code="400") == 1
