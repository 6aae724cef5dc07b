"""GOV.UK Notify as the mail service, for councils that use it instead of their own SMTP relay.

Notify sends from templates kept in Notify itself. This service composes every
message from its own editable files, so it needs one Notify e-mail template whose
subject is ((subject)) and whose body is ((body)): SECTION17_NOTIFY_TEMPLATE_ID.
A council that wants a separate Notify template for a message (to see them apart
in Notify's dashboard) maps our template names to Notify ids in
SECTION17_NOTIFY_TEMPLATE_IDS, e.g. {"reminder": "0f2c..."}; each gets the same
two fields. Notify's notification id is stored on the outbox row, and its
delivery status ("delivered", "permanent-failure" ...) is read back by the sweep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from app.config import ConfigurationError
from app.mail.delivery import DeliveryError, Outgoing

NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"


@dataclass
class NotifyDelivery:
    api_key: str
    template_id: str
    template_ids: dict[str, str]
    base_url: str = NOTIFY_BASE_URL
    name: str = "notify"

    @classmethod
    def from_config(cls, config: Any) -> NotifyDelivery:
        template_id = str(config.get("NOTIFY_TEMPLATE_ID") or "")
        if not template_id:
            raise ConfigurationError("SECTION17_NOTIFY_API_KEY is set, so SECTION17_NOTIFY_TEMPLATE_ID must name the "
                                     "Notify e-mail template whose subject is ((subject)) and body ((body)).")
        mapping = config.get("NOTIFY_TEMPLATE_IDS") or {}
        if isinstance(mapping, str):
            try:
                mapping = json.loads(mapping)
            except ValueError:
                raise ConfigurationError("SECTION17_NOTIFY_TEMPLATE_IDS must be JSON, e.g. "
                                         '{"reminder": "template id"}.') from None
        if not isinstance(mapping, dict):
            raise ConfigurationError("SECTION17_NOTIFY_TEMPLATE_IDS must map template names to Notify template ids.")
        return cls(str(config["NOTIFY_API_KEY"]), template_id, {str(k): str(v) for k, v in mapping.items()},
                   str(config.get("NOTIFY_BASE_URL") or NOTIFY_BASE_URL))

    def _client(self) -> Any:
        from notifications_python_client.notifications import NotificationsAPIClient

        return NotificationsAPIClient(self.api_key, base_url=self.base_url)

    def describe(self) -> str:
        return f"GOV.UK Notify at {self.base_url}, template {self.template_id}"

    def send(self, message: Outgoing) -> str:
        from notifications_python_client.errors import APIError, HTTPError

        try:
            response = self._client().send_email_notification(
                email_address=message.to_email, template_id=self.template_ids.get(message.template, self.template_id),
                personalisation={"subject": message.subject, "body": message.text}, reference=message.key)
        except HTTPError as error:
            status = getattr(error, "status_code", 0) or 0
            raise DeliveryError(f"GOV.UK Notify refused the message: {status} {_words(error.message)}",
                                temporary=status >= 500 or status == 429) from None
        except (APIError, OSError) as error:
            raise DeliveryError(f"Could not reach GOV.UK Notify: {error}", temporary=True) from None
        return str(response["id"])

    def status(self, notification_id: str) -> str:
        """Notify's delivery status of one notification: "sending", "delivered", "permanent-failure" ..."""
        return str(self._client().get_notification_by_id(notification_id).get("status", ""))


def _words(detail: Any) -> str:
    """Notify's error detail (a list of {"error", "message"}) as one line."""
    if isinstance(detail, list):
        return "; ".join(str(item.get("message") or item.get("error")) if isinstance(item, dict) else str(item)
                         for item in detail)
    return str(detail)


FINAL_STATUSES = ("delivered", "permanent-failure", "temporary-failure", "technical-failure")
STATUS_WINDOW_DAYS = 7
STATUS_BATCH = 200


def refresh_statuses(delivery: NotifyDelivery) -> int:
    """Read back Notify's delivery status of recent messages whose status is not final; how many changed.

    Notify accepts a message first and delivers it after; its status ("delivered",
    "permanent-failure" for an address that does not exist ...) is what the CSO needs
    to know whether the person got it.
    """
    from datetime import timedelta

    from sqlalchemy import select

    from app.extensions import db
    from app.models import MessageState, OutboxMessage
    from app.models.types import utcnow

    pending = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.provider == "notify", OutboxMessage.state == MessageState.SENT.value,
                                    OutboxMessage.provider_status.not_in(FINAL_STATUSES),
                                    OutboxMessage.sent_at > utcnow() - timedelta(days=STATUS_WINDOW_DAYS))
        .order_by(OutboxMessage.sent_at).limit(STATUS_BATCH)))
    changed = 0
    for message in pending:
        try:
            status = delivery.status(message.provider_id)
        except Exception:  # Notify unreachable: try again at the next sweep
            continue
        if status and status != message.provider_status:
            message.provider_status = status[:40]
            changed += 1
    db.session.commit()
    return changed
