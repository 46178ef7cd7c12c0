"""A webhook receiver on 127.0.0.1 that checks Standard Webhooks signatures and keeps what came.

Used by ``monitor demo`` and ``monitor receive``: every alert is verified with the endpoint's
secret before it is accepted; a bad signature is answered 401 and not kept (``on_rejected`` hears
of it). Without a secret every alert is accepted unchecked.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from monitor.alerts.signing import verify


@dataclass
class Received:
    webhook_id: str
    timestamp: str
    payload: dict[str, Any]
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Accepts signed alerts at ``/webhook``; ``received`` holds them in arrival order."""

    secret: str | None
    on_alert: Callable[[Received], None] | None = None
    on_rejected: Callable[[dict[str, str], bytes], None] | None = None
    received: list[Received] = field(default_factory=list)
    rejected: int = 0
    runner: web.AppRunner | None = None
    url: str = ""
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        app = web.Application()
        app.router.add_post("/webhook", self._handle)
        self.runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self.runner.setup()
        await web.TCPSite(self.runner, host, port).start()
        self.url = f"http://{host}:{self.runner.addresses[0][1]}/webhook"
        return self.url

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {key.lower(): value for key, value in request.headers.items()}
        if self.secret is not None and not verify(self.secret, headers, body):
            self.rejected += 1
            if self.on_rejected is not None:
                self.on_rejected(headers, body)
            return web.Response(status=401, text="bad signature")
        try:
            payload = json.loads(body)
        except ValueError:
            payload = {"body": body.decode("utf-8", errors="replace")}
        item = Received(
            headers.get("webhook-id", ""),
            headers.get("webhook-timestamp", ""),
            payload,
            headers,
            body,
        )
        if any(seen.webhook_id == item.webhook_id for seen in self.received):
            return web.Response(status=204)  # a retry of something already kept
        self.received.append(item)
        self.arrived.set()
        if self.on_alert is not None:
            self.on_alert(item)
        return web.Response(status=204)
