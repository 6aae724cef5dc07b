"""Sign-in throttling holds across worker processes, as deployed (security.md item 2).

The README deploys with `gunicorn --workers 4`. Counters kept in each process's
memory let an attacker try four times as many passwords; production therefore
refuses memory:// and counts in Redis, which every worker shares. This runs the
real thing: gunicorn with four workers in production mode, the machine's Redis,
and bad passwords sent in parallel so that every worker takes some.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import redis

from tests.support import REDIS_URL, SURVEYS

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
STRONG_KEY = "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU-Qm8Zt2Lw"
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn(migrated_database, people, tmp_path):
    """Four workers in production mode on the test database; yields the base URL."""
    prefix = f"section17-test-{uuid.uuid4().hex[:8]}"
    port = _free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SECTION17_") and k != "DATABASE_URL"}
    environment.update({
        "SECTION17_ENV": "production", "SECTION17_SECRET_KEY": STRONG_KEY, "DATABASE_URL": migrated_database,
        "SECTION17_SURVEYS_DIR": str(SURVEYS), "SECTION17_RATELIMIT_STORAGE_URI": REDIS_URL,
        "SECTION17_RATELIMIT_KEY_PREFIX": prefix,
        "SECTION17_SESSION_COOKIE_SECURE": "false",  # plain HTTP on loopback: let the client send its cookie back
    })
    server = subprocess.Popen([str(GUNICORN), "--workers", "4", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
                              cwd=ROOT, env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f"gunicorn did not start:\n{server.stdout.read()}")
                time.sleep(0.2)
        else:
            pytest.fail("gunicorn did not answer within 30 seconds")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)
        store = redis.Redis.from_url(REDIS_URL)
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)


def _status(request: urllib.request.Request) -> int:
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a successful sign-in's redirect is the answer we want
        return None


def test_the_eleventh_bad_attempt_is_refused_across_four_worker_processes(gunicorn, people):
    with urllib.request.urlopen(f"{gunicorn}/sign-in", timeout=10) as page:
        cookie = page.headers["Set-Cookie"].split(";", 1)[0]
        token = CSRF.search(page.read().decode()).group(1)

    def attempt(number: int) -> int:
        body = urllib.parse.urlencode({"csrf_token": token, "email": people.cso.email,
                                       "password": f"wrong guess number {number}"}).encode()
        return _status(urllib.request.Request(f"{gunicorn}/sign-in", data=body, headers={"Cookie": cookie}))

    with ThreadPoolExecutor(max_workers=4) as pool:  # four at a time: every worker is kept busy
        statuses = list(pool.map(attempt, range(24)))
    assert statuses.count(200) == 10, statuses  # exactly ten bad attempts are checked, across all workers
    assert statuses.count(429) == 14, statuses
    opener = urllib.request.build_opener(_NoRedirects)
    body = urllib.parse.urlencode({"csrf_token": token, "email": people.cso.email,
                                   "password": people.cso.password}).encode()
    try:
        status = opener.open(urllib.request.Request(f"{gunicorn}/sign-in", data=body, headers={"Cookie": cookie}),
                             timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    assert status == 429  # still refused, even with the right password, from this browser
