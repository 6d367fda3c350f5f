"""The connector framework on its own: encryption and rotation, signatures, the HTTP client."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from email.utils import format_datetime

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from apps.integrations.crypto import credentials_decrypt, credentials_encrypt, credentials_rotate
from apps.integrations.errors import ApiError, AuthFailed, BadSignature
from apps.integrations.http_client import ApiClient, retry_after_seconds
from apps.integrations.signatures import stripe_signature, verify_shopify, verify_stripe
from tests.fakes.base import FakeServer


def test_credentials_round_trip_and_rotation(settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.INTEGRATIONS_FERNET_KEYS = [old]
    token = credentials_encrypt({"access_token": "shpat_abc"})
    assert "shpat_abc" not in token
    settings.INTEGRATIONS_FERNET_KEYS = [new, old]  # new key in front: old tokens still read
    assert credentials_decrypt(token) == {"access_token": "shpat_abc"}
    rotated = credentials_rotate(token)
    settings.INTEGRATIONS_FERNET_KEYS = [new]  # old key dropped
    assert credentials_decrypt(rotated) == {"access_token": "shpat_abc"}
    with pytest.raises(ValueError, match="Reconnect the integration"):
        credentials_decrypt(token)


def test_shopify_signature():
    body = b'{"id": 1}'
    good = base64.b64encode(hmac.new(b"s3cret", body, hashlib.sha256).digest()).decode()
    verify_shopify(secret="s3cret", body=body, header=good)
    with pytest.raises(BadSignature):
        verify_shopify(secret="other", body=body, header=good)


def test_stripe_signature_tolerance_and_multiple_v1():
    body, now = b'{"id": "evt_1"}', int(time.time())
    sig = stripe_signature(secret="whsec_x", body=body, timestamp=now)
    verify_stripe(secret="whsec_x", body=body, header=f"t={now},v1=deadbeef,v1={sig}")
    with pytest.raises(BadSignature, match="tolerance"):
        verify_stripe(secret="whsec_x", body=body, header=f"t={now},v1={sig}", now=now + 301)
    with pytest.raises(BadSignature, match="no timestamp"):
        verify_stripe(secret="whsec_x", body=body, header=f"v1={sig}")


def test_retry_after_as_seconds_or_http_date():
    assert retry_after_seconds("3") == 3.0
    later = timezone.now() + timezone.timedelta(seconds=30)
    assert 25 <= retry_after_seconds(format_datetime(later, usegmt=True)) <= 30
    assert retry_after_seconds("soon") is None


class Echo(FakeServer):
    def handle(self, method, path, query, headers, body):
        if path == "/denied":
            return 401, {}, {"message": "no"}
        if path == "/invalid":
            return 422, {}, {"message": "SKU is too long"}
        return 200, {}, {"ok": True}


@pytest.fixture
def echo():
    fake = Echo().start()
    yield fake
    fake.stop()


def test_client_backs_off_exponentially_on_5xx_then_succeeds(echo, settings):
    settings.INTEGRATIONS_BACKOFF_SECONDS = 0.05
    echo.script["/x"] = [500, 503, 502]
    with ApiClient(base_url=echo.url) as client:
        assert client.get("/x").json() == {"ok": True}
        assert client.waited == pytest.approx(0.05 + 0.1 + 0.2)
    assert echo.count("/x") == 4


def test_client_gives_up_after_max_attempts(echo, settings):
    settings.INTEGRATIONS_BACKOFF_SECONDS = 0.01
    echo.script["/x"] = [500] * 5
    with ApiClient(base_url=echo.url, max_attempts=3, label="Shop") as client:
        with pytest.raises(ApiError, match="Gave up after 3 attempts: Shop server error"):
            client.get("/x")


def test_client_refuses_to_sleep_for_too_long(echo, settings):
    settings.INTEGRATIONS_MAX_WAIT_SECONDS = 5
    echo.retry_after = "3600"
    echo.script["/x"] = [429]
    with ApiClient(base_url=echo.url, label="Shop") as client:
        with pytest.raises(ApiError, match="wait 3600 seconds"):
            client.get("/x")


def test_client_errors_in_words(echo):
    with ApiClient(base_url=echo.url, label="Shop") as client:
        with pytest.raises(AuthFailed, match="Reconnect"):
            client.get("/denied")
        with pytest.raises(ApiError, match=r"rejected the request \(422\): SKU is too long"):
            client.get("/invalid")
