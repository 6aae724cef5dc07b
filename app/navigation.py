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
    sections: tuple[str, ...]  # endpoints starting with one of these mark the item as current


SETTINGS_SECTIONS = ("main.settings", "departments.", "admin.", "questionnaire_library.", "audit.", "outbox.index",
                     "outbox.message")

NAV_ITEMS: tuple[NavItem, ...] = (
    NavItem("Home", "main.home", None, ("main.home",)),
    NavItem("Your returns", "respond.index",
            (Permission.RESPOND_FOR_DEPARTMENT, Permission.RESPOND_FOR_PARTNERSHIP), ("respond.",)),
    NavItem("Audit cycles", "cycles.index", (Permission.MANAGE_CYCLES, Permission.VIEW_ALL_RETURNS),
            ("cycles.", "review.", "outbox.chase")),
    NavItem("Results", "results.index", (Permission.VIEW_ALL_RETURNS, Permission.VIEW_OWN_DEPARTMENTS), ("results.",)),
    NavItem("Action plan", "actions.index", (Permission.PLAN_ACTIONS, Permission.VIEW_ALL_RETURNS), ("actions.",)),
    NavItem("Benchmarking", "benchmarking.index", Permission.VIEW_ALL_RETURNS, ("benchmarking.", "crime.")),
    NavItem("Search", "search.index", (Permission.VIEW_ALL_RETURNS, Permission.VIEW_OWN_DEPARTMENTS), ("search.",)),
    NavItem("Settings and records", "main.settings", Permission.VIEW_DIRECTORY, SETTINGS_SECTIONS),
)


@dataclass(frozen=True)
class SettingsLink:
    label: str
    endpoint: str
    permission: Permission | tuple[Permission, ...]
    description: str


SETTINGS_LINKS: tuple[SettingsLink, ...] = (
    SettingsLink("Departments", "departments.index", Permission.VIEW_DIRECTORY,
                 "The council's departments and their Section 17 lead officers."),
    SettingsLink("Users", "admin.users", Permission.VIEW_DIRECTORY,
                 "Everyone who can sign in, their roles and departments."),
    SettingsLink("Questionnaires", "questionnaire_library.index", (Permission.MANAGE_QUESTIONNAIRES, Permission.VIEW_ALL_RETURNS),
                 "The questionnaires cycles can use, and importing your own checklist."),
    SettingsLink("Organisation", "admin.organisation", Permission.MANAGE_ORGANISATION,
                 "The council's and the partnership's names."),
    SettingsLink("Outbox", "outbox.index", Permission.VIEW_AUDIT_LOG,
                 "Every e-mail the service has sent or will send, and what happened to it."),
    SettingsLink("Audit log", "audit.index", Permission.VIEW_AUDIT_LOG,
                 "Every sign-in, change and refused request, with the values before and after."),
)


def _allowed(permission: Permission | tuple[Permission, ...] | None) -> bool:
    if permission is None:
        return True
    wanted = permission if isinstance(permission, tuple) else (permission,)
    return any(can(current_user, p) for p in wanted)


def settings_links_for_current_user() -> list[SettingsLink]:
    return [link for link in SETTINGS_LINKS if _allowed(link.permission)]


def navigation_for_current_user() -> list[dict[str, object]]:
    """Items in the shape govukServiceNavigation expects."""
    if not current_user.is_authenticated:
        return []
    endpoint = request.endpoint or ""
    items = []
    for item in NAV_ITEMS:
        if not _allowed(item.permission):
            continue
        items.append({"text": item.label, "href": url_for(item.endpoint),
                      "active": any(endpoint.startswith(section) for section in item.sections)})
    return items
