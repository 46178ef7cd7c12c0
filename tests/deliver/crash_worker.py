"""A delivery worker process for the crash-safety test.

Usage: python crash_worker.py DATABASE_URL WEBHOOKS_JSON
Drives the daemon's ``DeliveryWorker`` (a kick per tick, as the interval job does) until no
alert is pending, then exits 0.
The test kills it with SIGKILL mid-delivery and starts it again.
"""

from __future__ import annotations

import asyncio
import json
import sys
from dataclasses import dataclass, field

import httpx

from monitor.deliver import DeliveryPolicy, DeliveryWorker
from monitor.store.alert_views import list_alerts
from monitor.store.db import make_engine
from monitor.store.outbox import sessions_for
from monitor.store.tables import AlertStatus

POLICY = DeliveryPolicy(
    retry_schedule=(0,) + (0.02,) * 11, jitter=0.5, max_in_flight_per_endpoint=4
)


@dataclass(frozen=True)
class Hook:
    name: str
    url: str
    secret: str
    format: str = "json"
    headers: dict[str, str] = field(default_factory=dict)
    timeout: float = 2.0
    enabled: bool = True


async def main(database_url: str, webhooks_json: str) -> int:
    hooks = [Hook(**options) for options in json.loads(webhooks_json)]
    sessions = sessions_for(make_engine(database_url))
    async with httpx.AsyncClient() as client:
        worker = DeliveryWorker(sessions, client, hooks, POLICY)
        while True:
            with sessions() as session:
                if not list_alerts(session, status=AlertStatus.PENDING, limit=1):
                    break
            await worker.kick()
            await asyncio.sleep(0.02)
        await worker.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
