"""Standard Webhooks signatures: ``webhook-id``, ``webhook-timestamp``, ``webhook-signature``.

The signature is ``v1,`` + base64(HMAC-SHA256(secret, f"{id}.{timestamp}.{body}")) where the
secret is the base64 part of a ``whsec_…`` string. See https://www.standardwebhooks.com/.
The id stays the same on every retry of one message; the timestamp is the time of each attempt.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import time
import uuid
from collections.abc import Mapping
from datetime import datetime

from monitor.errors import ConfigError

SECRET_PREFIX = "whsec_"


def decode_secret(secret: str) -> bytes:
    """The key bytes of a ``whsec_…`` secret; ``ConfigError`` when it is not one."""
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError('a webhook secret must be "whsec_" followed by base64') from None
    if not key:
        raise ConfigError("a webhook secret must not be empty")
    return key


def unix_seconds(timestamp: float | datetime) -> int:
    """Whole seconds since the epoch, as the ``webhook-timestamp`` header carries them."""
    value = timestamp.timestamp() if isinstance(timestamp, datetime) else timestamp
    return math.floor(value)


def signature(secret: str, msg_id: str, timestamp: float | datetime, body: bytes | str) -> str:
    """The ``v1,…`` signature of one message."""
    content = body if isinstance(body, bytes) else body.encode("utf-8")
    signed = f"{msg_id}.{unix_seconds(timestamp)}.".encode() + content
    digest = hmac.new(decode_secret(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def sign(
    secret: str, msg_id: str, timestamp: float | datetime, body: bytes | str
) -> dict[str, str]:
    """The Standard Webhooks headers for ``body`` sent as message ``msg_id`` at ``timestamp``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(unix_seconds(timestamp)),
        "webhook-signature": signature(secret, msg_id, timestamp, body),
    }


def new_message_id() -> str:
    """A fresh, unique message id (``msg_`` + 32 hex digits)."""
    return f"msg_{uuid.uuid4().hex}"


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float | None = None,
    tolerance: float = 300.0,
) -> bool:
    """Whether ``headers`` carry a valid, fresh signature of ``body`` (receiver side).

    ``headers`` must have lower-case names. Several space-separated signatures may be sent
    (during a secret rotation); one valid ``v1`` signature is enough.
    """
    msg_id = headers.get("webhook-id")
    stamp = headers.get("webhook-timestamp", "")
    if not msg_id or not stamp.isdigit():
        return False
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        return False
    expected = signature(secret, msg_id, int(stamp), body)
    offered = headers.get("webhook-signature", "").split()
    return any(hmac.compare_digest(expected, candidate) for candidate in offered)
