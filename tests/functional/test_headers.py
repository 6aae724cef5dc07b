"""Security headers (security.md items 12, 15)."""

from __future__ import annotations

import base64
import hashlib
import re

from tests.support import REDIS_URL, WebClient

STRONG_KEY = "k3Jx9-vQ2mZ7_pLw4RtY8nB1cF6hD0sGa5eU"


def test_pages_carry_the_security_headers(web):
    headers = web.get("/sign-in").headers
    csp = headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp and "script-src 'self'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # development over http


def test_signed_in_pages_and_redirects_are_not_stored(web, people):
    web.sign_in(people.cso)
    for path in ("/", "/admin/users", "/audit-log/", "/healthz"):
        assert web.get(path).headers["Cache-Control"] == "no-store", path


def test_static_files_may_be_cached(web):
    assert web.get("/static/dist/app.css").headers.get("Cache-Control") != "no-store"


def test_the_only_inline_script_is_the_one_the_policy_allows(web, people):
    """GOV.UK Frontend's template has one fixed inline script; its hash must be in the policy."""
    web.sign_in(people.cso)
    response = web.get("/")
    scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", response.get_data(as_text=True), re.S)
    assert len(scripts) == 1
    digest = base64.b64encode(hashlib.sha256(scripts[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" in response.headers["Content-Security-Policy"]


def test_production_adds_hsts_and_secure_cookies(make_app, people, monkeypatch):
    monkeypatch.setenv("SECTION17_SECRET_KEY", STRONG_KEY)
    app = make_app(ENV="production", RATELIMIT_STORAGE_URI=REDIS_URL)
    web = WebClient(app.test_client())
    response = web.get("/sign-in", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("section17_session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_with_the_database_down_pages_are_our_error_page_with_security_headers(tmp_path):
    """Nothing answers on port 1: every page that needs the database fails, and says so properly."""
    from app import create_app

    app = create_app({"ENV": "test", "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://postgres@127.0.0.1:1/gone",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}}},
                     instance_path=str(tmp_path))
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "1:a-session-token"  # someone signed in: each page asks the database who
    for path, status in (("/", 500), ("/returns/", 500), ("/no-such-page", 500)):
        response = client.get(path)
        page = response.get_data(as_text=True)
        assert response.status_code == status, path
        assert "Sorry, there is a problem with the service" in page and "Section 17 Audit" in page
        assert "Traceback" not in page and "Internal Server Error" not in page
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
    signed_out = app.test_client()
    for path, status in (("/sign-in", 500), ("/no-such-page", 404)):
        response = signed_out.get(path)
        assert response.status_code == status, path
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert "Internal Server Error" not in response.get_data(as_text=True)
    assert signed_out.get("/healthz").status_code == 503  # the load balancer has no cookie
