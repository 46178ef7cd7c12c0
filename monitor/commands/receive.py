"""``monitor receive``: a local webhook receiver for trying a configuration.

It listens on 127.0.0.1 (``--port``, default 8788: the URL ``make run``'s ``.env`` points at),
prints every webhook it gets with whether its Standard Webhooks signature verifies against
``--secret`` (default: ``$MONITOR_WEBHOOK_SECRET``), and answers 204, or 401 to a bad signature.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any, TextIO

from monitor.commands.options import run_async

if TYPE_CHECKING:
    import asyncio

    from monitor.demo.receiver import Received

SECRET_ENV = "MONITOR_WEBHOOK_SECRET"
DEFAULT_PORT = 8788


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "receive", help="Print each webhook this receiver gets and whether its signature verifies."
    )
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"The port to listen on (default {DEFAULT_PORT}).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="The address to listen on (default 127.0.0.1)."
    )
    parser.add_argument(
        "--secret",
        help=f"The webhook secret to verify with (default: ${SECRET_ENV}; none: not checked).",
    )
    parser.add_argument(
        "--json", action="store_true", help="Print each payload as one JSON line instead."
    )
    parser.set_defaults(handler=receive_command)


def receive_command(args: argparse.Namespace) -> int:
    secret = args.secret or os.environ.get(SECRET_ENV) or None
    run_async(serve(args.host, args.port, secret, sys.stdout, as_json=args.json))
    return 0


async def serve(
    host: str,
    port: int,
    secret: str | None,
    out: TextIO,
    *,
    as_json: bool = False,
    stop: asyncio.Event | None = None,
    started: asyncio.Future[str] | None = None,
) -> None:
    """Receive until ``stop`` is set (or forever); ``started`` gets the URL once listening."""
    import asyncio

    from monitor.demo.receiver import Receiver

    def accepted(item: Received) -> None:
        verdict = "signature verified" if secret else "signature not checked (no secret)"
        _print(out, item.headers, item.payload, verdict, as_json)

    def rejected(headers: dict[str, str], body: bytes) -> None:
        _print(out, headers, _payload(body), "signature INVALID (answered 401)", as_json)

    receiver = Receiver(secret, on_alert=accepted, on_rejected=rejected)
    url = await receiver.start(host, port)
    note = "" if secret else f" (no secret: signatures are not checked; set ${SECRET_ENV})"
    print(f"listening on {url}{note}", file=out, flush=True)
    if started is not None:
        started.set_result(url)
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await receiver.stop()


def _payload(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _print(out: TextIO, headers: dict[str, str], payload: Any, verdict: str, as_json: bool) -> None:
    webhook_id = headers.get("webhook-id", "(no webhook-id)")
    if as_json:
        line = {"webhook_id": webhook_id, "verdict": verdict, "payload": payload}
        print(json.dumps(line, ensure_ascii=False), file=out, flush=True)
        return
    kind = payload.get("type", "?") if isinstance(payload, dict) else "?"
    print(f"{webhook_id}  {kind}  {verdict}", file=out)
    print(json.dumps(payload, indent=2, ensure_ascii=False), file=out, flush=True)
