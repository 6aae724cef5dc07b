"""The service navigation, by role: an item shows only if the user may open it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for
from flask_login import current_user

from app.security.access import Permission, can


@dataclass(frozen=True)
class NavItem:
    label: str
    endpoint: str
    permission: Permission | tuple[Permission, ...] | None  # None: every signed-in user; a tuple: any of them
    section: str  # endpoints starting with this prefix mark the item as current


NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "main.home", None, "main.home"),
    NavItem("Your returns", "respond.index",
            (Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP), "respond."),
    NavItem("Audit cycles", "cycles.index", (Permission.MANAGE_CYCLES, Permission.VIEW_ALL_RETURNS), "cycles."),
    NavItem("Departments", "departments.index", Permission.VIEW_DIRECTORY, "departments."),
    NavItem("Users", "admin.users", Permission.VIEW_DIRECTORY, "admin.user"),
    NavItem("Organisation", "admin.organisation", Permission.MANAGE_ORGANISATION, "admin.organisation"),
    NavItem("Audit log", "audit.index", Permission.VIEW_AUDIT_LOG, "audit."),
)


def navigation_for_current_user() -> list[dict[str, object]]:
    """Items in the shape govukServiceNavigation expects."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    for item in NAV_ITEMS:
        wanted = item.permission if isinstance(item.permission, tuple) else (item.permission,)
        if item.permission is not None and not any(can(current_user, p) for p in wanted):
            continue
        items.append(
            {"text": item.label, "href": url_for(item.endpoint), "active": endpoint.startswith(item.section)}
        )
    return items
