"""Security headers on every response (ASVS 14.4, security.md item 15)."""

from __future__ import annotations

from flask import Flask, Response, request

# GOV.UK Frontend's page template carries one fixed inline script that marks the
# body as JavaScript-enabled. Its hash (published by GOV.UK Frontend) is the only
# inline script the policy allows; a test checks it still matches the template.
GOVUK_TEMPLATE_SCRIPT_HASH = "sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw="

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        f"script-src 'self' '{GOVUK_TEMPLATE_SCRIPT_HASH}'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def apply_security_headers(response: Response, *, hsts_seconds: int) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # same-origin keeps invitation tokens out of other sites' logs and still lets
    # Flask-WTF check the Referer of HTTPS form posts.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
    if hsts_seconds:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}; includeSubDomains")
    if request.endpoint != "static":
        # Pages show personal and council data: never keep them in a shared cache or history.
        headers["Cache-Control"] = "no-store"
        headers.setdefault("Pragma", "no-cache")
    return response


def register_security_headers(app: Flask) -> None:
    hsts_seconds = int(app.config.get("HSTS_SECONDS") or 0)
    app.after_request(lambda response: apply_security_headers(response, hsts_seconds=hsts_seconds))
