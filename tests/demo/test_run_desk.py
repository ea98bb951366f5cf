"""``make run`` gives the worker the address of its own server, so links in mails work there
(the whole path is in tests/test_make_run.py)."""

from __future__ import annotations

import pytest

from demo.management.commands.run_desk import local_base_url


@pytest.mark.parametrize(
    ("host", "port", "url"),
    [
        ("127.0.0.1", 8016, "http://127.0.0.1:8016"),
        ("0.0.0.0", 8000, "http://127.0.0.1:8000"),  # noqa: S104 - listening everywhere, reached locally
        ("localhost", 9000, "http://localhost:9000"),
        ("::1", 8000, "http://[::1]:8000"),
        ("::", 8000, "http://127.0.0.1:8000"),
    ],
)
def test_the_local_base_url_names_the_port(host, port, url):
    assert local_base_url(host, port) == url
