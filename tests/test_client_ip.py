import pytest

from clinic_site.client_ip import get_client_ip


def test_forged_forwarded_for_is_ignored_without_trusted_proxies(rf, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.2.3.4", REMOTE_ADDR="10.0.0.9")
    assert get_client_ip(request) == "10.0.0.9"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        # A client that forges a first hop cannot hide: the proxy appended the real address.
        ("6.6.6.6, 203.0.113.7", "203.0.113.7"),
        ("", "10.0.0.9"),
    ],
)
def test_one_trusted_proxy_gives_the_address_it_saw(rf, settings, header, expected):
    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR=header, REMOTE_ADDR="10.0.0.9")
    assert get_client_ip(request) == expected
