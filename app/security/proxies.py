"""Trust X-Forwarded-* headers only from the configured number of proxies.

Behind a load balancer the client address (used for sign-in throttling and the
audit log) and the scheme (for secure cookies) come from these headers; trusting
them without a proxy would let anyone spoof their address.
"""

from __future__ import annotations

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix


def register_proxy_fix(app: Flask) -> None:
    count = int(app.config.get("TRUSTED_PROXY_COUNT") or 0)
    if count > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_prefix=count)  # type: ignore[method-assign]
