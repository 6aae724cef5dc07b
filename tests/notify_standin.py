"""A stand-in for GOV.UK Notify's API on 127.0.0.1, for the tests (the real service is on the internet).

It answers the two calls the service makes, as Notify documents them: POST
/v2/notifications/email (201 with the notification's id; 400 for an address it
refuses) and GET /v2/notifications/<id> (its status). It checks each request's
bearer token the way Notify does (a JWT signed with the API key's secret, issued by
the service id), so the real notifications-python-client is exercised end to end.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"section17_test-{SERVICE_ID}-{SECRET}"
REFUSED = "refused@peer.example"


@dataclass
class StandIn:
    url: str = ""
    sent: list[dict[str, Any]] = field(default_factory=list)
    statuses: dict[str, str] = field(default_factory=dict)

    def app(self, environ: Any, start_response: Any) -> Any:
        request = Request(environ)
        token = request.headers.get("Authorization", "").removeprefix("Bearer ")
        try:
            claims = jwt.decode(token, SECRET, algorithms=["HS256"])
            assert claims["iss"] == SERVICE_ID
        except Exception:
            return self._json({"errors": [{"error": "AuthError", "message": "Invalid token"}], "status_code": 403},
                              403)(environ, start_response)
        if request.method == "POST" and request.path == "/v2/notifications/email":
            body = request.get_json()
            if body["email_address"] == REFUSED:
                return self._json({"errors": [{"error": "BadRequestError", "message": "email_address Not a valid "
                                               "email address"}], "status_code": 400}, 400)(environ, start_response)
            notification = {"id": str(uuid.uuid4()), "reference": body.get("reference"),
                            "template": {"id": body["template_id"]}, **body}
            self.sent.append(notification)
            self.statuses[notification["id"]] = "sending"
            return self._json({"id": notification["id"], "reference": body.get("reference"),
                               "content": {"subject": body["personalisation"]["subject"],
                                           "body": body["personalisation"]["body"]},
                               "template": {"id": body["template_id"], "version": 1}}, 201)(environ, start_response)
        if request.method == "GET" and request.path.startswith("/v2/notifications/"):
            found = request.path.rsplit("/", 1)[-1]
            if found not in self.statuses:
                return self._json({"errors": [{"error": "NoResultFound"}], "status_code": 404}, 404)(
                    environ, start_response)
            return self._json({"id": found, "status": self.statuses[found]}, 200)(environ, start_response)
        return Response("not found", 404)(environ, start_response)

    @staticmethod
    def _json(payload: dict[str, Any], status: int) -> Response:
        import json

        return Response(json.dumps(payload), status=status, mimetype="application/json")


@contextmanager
def notify_standin() -> Iterator[StandIn]:
    standin = StandIn()
    server = make_server("127.0.0.1", 0, standin.app, threaded=True)
    standin.url = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield standin
    finally:
        server.shutdown()
        thread.join(timeout=10)
