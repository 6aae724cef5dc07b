"""Home pages by role, public pages, error pages and the health check."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.exc import OperationalError

from app.security.access import public


def test_lead_officers_home_shows_their_departments_and_who_to_ask(web, people):
    web.sign_in(people.lead)
    page = web.get("/").get_data(as_text=True)
    assert "Your Section 17 work" in page
    assert "Housing Services" in page and "Tenancy enforcement against anti-social behaviour" in page
    assert "Planning Services" not in page  # not their department
    assert "Chris Safety, community safety officer" in page
    assert "mailto:chris.safety@council.example" in page


def test_community_safety_officers_home_is_a_dashboard_of_departments_and_activity(web, people):
    web.sign_in(people.cso)
    page = web.get("/").get_data(as_text=True)
    assert "Dashboard" in page
    assert "Lena Lead" in page and "Omar Other" in page
    assert "Recent activity" in page and "Signed in" in page


def test_auditors_home_says_it_is_read_only(web, people):
    web.sign_in(people.auditor)
    page = web.get("/").get_data(as_text=True)
    assert "You have read-only access" in page and "Housing Services" in page


def test_administrators_home_counts_accounts(web, people):
    web.sign_in(people.admin)
    page = web.get("/").get_data(as_text=True)
    assert "Administration" in page
    assert '<span class="app-stat__figure">2</span>' in page  # two lead officers


@pytest.mark.parametrize("role,visible,hidden", [
    ("lead_officer", ["Home", "Your returns"], ["Audit cycles", "Settings and records", "Benchmarking"]),
    ("auditor", ["Home", "Audit cycles", "Benchmarking", "Settings and records"], ["Your returns"]),
    ("community_safety_officer", ["Home", "Your returns", "Audit cycles", "Benchmarking", "Settings and records"], []),
    ("admin", ["Home", "Settings and records"], ["Your returns", "Audit cycles", "Benchmarking"]),
])
def test_navigation_shows_only_what_the_role_may_open(web, people, role, visible, hidden):
    web.sign_in(people.by_role(role))
    page = web.get("/").get_data(as_text=True)
    links = re.findall(r'<a class="govuk-service-navigation__link"[^>]*>\s*(?:<strong[^>]*>)?([^<]+)', page)
    labels = {label.strip() for label in links}
    assert set(visible) <= labels
    assert not set(hidden) & labels


def test_the_layout_is_a_council_service_not_gov_uk(web):
    page = web.get("/sign-in").get_data(as_text=True)
    assert "govuk-logo" not in page and "govuk-header__logotype" not in page  # no crown, no logotype
    assert "Crown copyright" not in page and "Open Government Licence" not in page
    assert 'href="/accessibility"' in page and 'href="/privacy"' in page
    assert "GDS Transport" not in web.get("/static/dist/app.css").get_data(as_text=True)


@pytest.mark.parametrize("path,heading", [("/accessibility", "Accessibility statement"),
                                           ("/privacy", "Privacy notice")])
def test_legal_pages_are_public(web, path, heading):
    response = web.get(path)
    assert response.status_code == 200 and heading in response.get_data(as_text=True)


def test_static_assets_are_served_without_signing_in(web):
    for path in ("/static/dist/app.css", "/static/js/app.mjs", "/static/dist/govuk/govuk-frontend.min.js",
                 "/static/images/favicon.svg"):
        assert web.get(path).status_code == 200, path


def test_not_found_page(web, people):
    web.sign_in(people.cso)
    response = web.get("/no-such-page")
    assert response.status_code == 404 and "Page not found" in response.get_data(as_text=True)


def test_forbidden_page(web, people):
    web.sign_in(people.lead)
    response = web.get("/admin/organisation")
    assert response.status_code == 403
    assert "You do not have permission to see this page" in response.get_data(as_text=True)


def test_server_error_page_rolls_back_and_explains(make_app, people):
    app = make_app()

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("unexpected")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    page = response.get_data(as_text=True)
    assert "Sorry, there is a problem with the service" in page and "unexpected" not in page


def test_health_check_reports_the_database_without_data_or_login(web, people):
    response = web.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_health_check_fails_when_the_database_is_down(make_app, monkeypatch):
    app = make_app()
    from app.extensions import db

    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    with app.app_context():
        monkeypatch.setattr(db.session, "execute", broken)
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "unavailable", "database": "unavailable"}


@pytest.mark.parametrize("role,visible,hidden", [
    ("auditor", ["Departments", "Users", "Questionnaires", "Audit log"], ["Organisation"]),
    ("community_safety_officer", ["Departments", "Users", "Questionnaires", "Organisation", "Audit log"], []),
    ("admin", ["Departments", "Users", "Questionnaires", "Organisation", "Audit log"], []),
])
def test_the_settings_page_lists_what_the_role_may_open(web, people, role, visible, hidden):
    web.sign_in(people.by_role(role))
    page = web.get("/settings").get_data(as_text=True)
    links = {label.strip() for label in re.findall(r'<a class="govuk-link govuk-!-font-weight-bold"[^>]*>([^<]+)<', page)}
    assert set(visible) <= links and not set(hidden) & links
