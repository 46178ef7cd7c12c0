"""Our signatures verify with the official standardwebhooks package, and only for the right body."""

from __future__ import annotations

import base64
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from monitor.alerts import decode_secret, new_message_id, sign, signature
from monitor.errors import ConfigError

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef0123").decode()


def test_signed_body_verifies_with_official_package() -> None:
    body = '{"type":"story.created","title":"Ceasefire – talks"}'
    headers = sign(SECRET, "msg_1", time.time(), body.encode())
    assert Webhook(SECRET).verify(body, headers) == {
        "type": "story.created",
        "title": "Ceasefire – talks",
    }


def test_tampered_body_or_other_id_does_not_verify() -> None:
    headers = sign(SECRET, "msg_1", time.time(), b'{"a":1}')
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify('{"a":2}', headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify('{"a":1}', {**headers, "webhook-id": "msg_2"})


def test_signature_matches_the_reference_implementation() -> None:
    moment = datetime(2026, 11, 26, 4, 0, 7, 900000, tzinfo=UTC)
    expected = Webhook(SECRET).sign("msg_x", moment, "body")
    assert signature(SECRET, "msg_x", moment, "body") == expected
    assert sign(SECRET, "msg_x", moment, "body")["webhook-timestamp"] == str(
        int(moment.timestamp())
    )


def test_known_vector_from_the_specification() -> None:
    # The example of the Standard Webhooks reference tests.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    body = '{"test": 2432232314}'
    assert (
        signature(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body)
        == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


@pytest.mark.parametrize("bad", ["whsec_not base64!", "whsec_", "whsec_@@@@"])
def test_bad_secret_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError):
        decode_secret(bad)


def test_message_ids_are_unique_and_prefixed() -> None:
    ids = {new_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(i.startswith("msg_") for i in ids)
