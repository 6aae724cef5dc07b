"""Signing in and out, sessions and passwords (security.md items 1, 3, 4, 5)."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from app.organisation.services import update_organisation
from app.security.passwords import verify_password
from app.users.services import set_user_active
from tests.support import PASSWORD


def _events(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_anonymous_visitors_are_sent_to_sign_in_with_the_page_they_wanted(web, people):
    response = web.get("/admin/users?role=auditor")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=%2Fadmin%2Fusers%3Frole%3Dauditor"


def test_signing_in_records_the_event_and_the_time(app, web, people):
    response = web.sign_in(people.cso)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    (event,) = _events(app, "auth.signed_in")
    assert event.actor_email == people.cso.email
    with app.app_context():
        assert db.session.get(User, people.cso.id).last_sign_in_at is not None


def test_email_is_matched_case_insensitively(web, people):
    assert web.sign_in(people.cso.email.upper(), PASSWORD).status_code == 302


@pytest.mark.parametrize("case", ["unknown user", "wrong password", "disabled account, wrong password"])
def test_failed_sign_in_gives_one_message_whatever_the_reason(app, web, people, case):
    if case.startswith("disabled"):
        with app.app_context():
            set_user_active(None, db.session.get(User, people.auditor.id), False)
    email = "nobody@council.example" if case == "unknown user" else people.auditor.email
    password = PASSWORD if case == "unknown user" else "not the right password"
    response = web.sign_in(email, password)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert page.count("Enter a correct email address and password") == 2  # summary and field
    assert "Error: Sign in" in page  # the title says there is an error
    (event,) = _events(app, "auth.sign_in_failed")
    assert event.actor_email == email
    assert event.summary == {"unknown user": "Sign-in failed: unknown email address",
                             "wrong password": "Sign-in failed: wrong password",
                             "disabled account, wrong password": "Sign-in failed: wrong password"}[case]


def test_a_disabled_account_is_named_only_to_someone_with_its_password(app, web, people):
    with app.app_context():
        set_user_active(None, db.session.get(User, people.auditor.id), False)
    page = web.sign_in(people.auditor).get_data(as_text=True)
    assert "Your account has been disabled" in page
    assert web.get("/").status_code == 302  # still not signed in
    (event,) = _events(app, "auth.sign_in_failed")
    assert event.summary == "Sign-in failed: account disabled"


def test_an_email_address_in_the_wrong_format_is_explained(web):
    page = web.post("/sign-in", {"email": "not-an-email", "password": "whatever it is"}).get_data(as_text=True)
    assert "Enter an email address in the correct format" in page


def test_empty_sign_in_form_shows_field_errors(web, people):
    page = web.post("/sign-in", {"email": "", "password": ""}).get_data(as_text=True)
    assert 'href="#email">Enter your email address' in page
    assert 'href="#password">Enter your password' in page


def test_sign_in_fields_have_the_right_autocomplete_and_allow_paste(web):
    page = web.get("/sign-in").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="email"[^>]*autocomplete="username"', page)
    assert re.search(r'<input[^>]*id="password"[^>]*autocomplete="current-password"', page)
    assert "onpaste" not in page.lower()


@pytest.mark.parametrize("target", ["/departments/", "/admin/users?role=auditor"])
def test_next_takes_you_back_to_a_page_on_this_site(web, people, target):
    web.forget_token()
    response = web.post(f"/sign-in?next={target}", {"email": people.cso.email, "password": PASSWORD})
    assert response.headers["Location"] == target


@pytest.mark.parametrize("target", ["//evil.example", "/\\evil.example", "https://evil.example",
                                    "/\\/evil.example", "http:/evil.example"])
def test_next_never_takes_you_to_another_site(web, people, target):
    response = web.post("/sign-in", {"email": people.cso.email, "password": PASSWORD},
                        query_string={"next": target})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_session_is_rotated_at_sign_in(web, people):
    web.get("/sign-in")
    before = web.session_cookie()
    web.sign_in(people.cso)
    after = web.session_cookie()
    assert before and after and before != after
    # The cookie from before sign-in gives no access.
    web.set_session_cookie(before)
    assert web.get("/").status_code == 302


def test_signing_out_invalidates_the_old_cookie_server_side(app, web, people):
    web.sign_in(people.cso)
    signed_in_cookie = web.session_cookie()
    assert web.get("/").status_code == 200
    response = web.sign_out()
    assert response.headers["Location"] == "/sign-in"
    web.set_session_cookie(signed_in_cookie)  # replay the old cookie
    response = web.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
    assert len(_events(app, "auth.signed_out")) == 1


def test_sign_out_is_refused_on_get(web, people):
    web.sign_in(people.cso)
    assert web.get("/sign-out").status_code == 405
    assert web.get("/").status_code == 200


def test_changing_password_signs_out_other_devices_but_not_this_one(app, web, new_web, people):
    laptop, phone = web, new_web()
    laptop.sign_in(people.cso)
    phone.sign_in(people.cso)
    response = laptop.post("/account/password", {"current_password": PASSWORD,
                                                 "new_password": "fresh unusual phrase 2026"})
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302
    with app.app_context():
        user = db.session.get(User, people.cso.id)
        assert verify_password(user.password_hash, "fresh unusual phrase 2026")
    assert len(_events(app, "auth.password_changed")) == 1


@pytest.mark.parametrize("current,new,message", [
    ("wrong current password", "fresh unusual phrase 2026", "Your current password is not right"),
    (PASSWORD, "too short", "Password must be 12 characters or more"),
    (PASSWORD, "password1234", "it is one of the passwords people use most often"),
    (PASSWORD, PASSWORD, "must be different"),
    (PASSWORD, "chris safety forever", "must not contain your name"),
])
def test_password_change_problems_are_explained_and_nothing_changes(app, web, people, current, new, message):
    web.sign_in(people.cso)
    response = web.post("/account/password", {"current_password": current, "new_password": new})
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert verify_password(db.session.get(User, people.cso.id).password_hash, PASSWORD)


@pytest.mark.parametrize("new,message", [
    ("Password123!", "Password is too easy to guess: it is mostly a common word with numbers or symbols added. "
                     "Try three or four random words"),
    ("welcome12345", "Password is too easy to guess: it is mostly a common word with numbers added"),
    ("South Derbyshire District Council", "Password must not contain the council&#39;s name"),
    ("southderbyshire2026", "Password must not contain the council&#39;s name"),
    ("South Derbyshire Community Spirit", "Password must not contain the council&#39;s name"),
    ("section17audit!!", "Password must not contain the name of this service"),
])
def test_easily_guessed_new_passwords_are_refused_with_the_reason_and_nothing_changes(app, web, people, new,
                                                                                     message):
    with app.app_context():
        update_organisation("South Derbyshire District Council", "South Derbyshire Community Safety Partnership")
    web.sign_in(people.cso)
    response = web.post("/account/password", {"current_password": PASSWORD, "new_password": new})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and message in page
    with app.app_context():
        assert verify_password(db.session.get(User, people.cso.id).password_hash, PASSWORD)
    assert _events(app, "auth.password_changed") == []
    assert web.get("/").status_code == 200  # still signed in: the session was not ended


def test_the_councils_name_is_refused_once_an_administrator_has_set_it(app, web, new_web, people):
    lead = new_web()
    lead.sign_in(people.lead)
    response = lead.post("/account/password", {"current_password": PASSWORD,
                                                "new_password": "Erewash Borough Council"})
    assert response.status_code == 302  # accepted while the organisation has no name of its own
    web.sign_in(people.admin)
    assert web.post("/admin/organisation", {"council_name": "Erewash Borough Council",
                                            "partnership_name": "Safer Derbyshire Partnership"}).status_code == 302
    cso = new_web()
    cso.sign_in(people.cso)
    page = cso.post("/account/password", {"current_password": PASSWORD,
                                          "new_password": "Erewash Borough Council"}).get_data(as_text=True)
    assert "Password must not contain the council&#39;s name" in page
    page = cso.post("/account/password", {"current_password": PASSWORD,
                                          "new_password": "my derbyshire 2026!"}).get_data(as_text=True)
    assert "Password must not contain the partnership&#39;s name" in page
    with app.app_context():
        assert verify_password(db.session.get(User, people.cso.id).password_hash, PASSWORD)


def test_change_password_fields_have_the_right_autocomplete(web, people):
    web.sign_in(people.cso)
    page = web.get("/account/password").get_data(as_text=True)
    assert re.search(r'<input[^>]*id="current_password"[^>]*autocomplete="current-password"', page)
    assert re.search(r'<input[^>]*id="new_password"[^>]*autocomplete="new-password"', page)


def test_disabling_a_user_ends_their_sessions(app, web, people):
    web.sign_in(people.auditor)
    assert web.get("/").status_code == 200
    with app.app_context():
        set_user_active(None, db.session.get(User, people.auditor.id), False)
    assert web.get("/").status_code == 302


def test_a_temporary_password_must_be_changed_before_anything_else(app, web, people):
    with app.app_context():
        db.session.get(User, people.auditor.id).must_change_password = True
        db.session.commit()
    response = web.sign_in(people.auditor)
    assert response.headers["Location"].startswith("/account/password")
    page = web.get("/account/password").get_data(as_text=True)
    assert "Choose your password" in page and "Temporary password" in page
    assert "signed out on any other device" not in page
    response = web.get("/audit-log/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/account/password")
    web.post("/account/password", {"current_password": PASSWORD, "new_password": "my own phrase at last"})
    assert web.get("/audit-log/").status_code == 200


def test_idle_sessions_expire_server_side(make_app, people):
    app = make_app(SESSION_IDLE_MINUTES=1)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    from tests.support import WebClient

    web = WebClient(app.test_client())
    web.sign_in(people.cso)
    assert web.get("/").status_code == 200  # activity refreshes the session
    time.sleep(2.2)
    response = web.get("/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_session_cookie_flags(web, people):
    web.get("/sign-in")
    response = web.sign_in(people.cso)
    cookie = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith("section17_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development over http; production is covered in test_production


def test_keep_alive_extends_the_session_and_needs_csrf(web, people):
    web.sign_in(people.cso)
    response = web.client.post("/session/keep-alive", headers={"X-CSRFToken": web.csrf_token()})
    assert response.status_code == 200
    assert response.get_json() == {"idle_seconds": 1800}
    assert web.client.post("/session/keep-alive").status_code == 400


def test_the_timeout_warning_is_on_signed_in_pages_only(web, people):
    assert "session-timeout-dialog" not in web.get("/sign-in").get_data(as_text=True)
    web.sign_in(people.cso)
    page = web.get("/").get_data(as_text=True)
    assert 'id="session-timeout-dialog"' in page
    assert 'data-idle-seconds="1800"' in page and 'data-warning-seconds="300"' in page


def test_the_timed_out_sign_in_page_explains_what_happened(web):
    page = web.get("/sign-in?timed_out=1").get_data(as_text=True)
    assert "You were signed out because you had not done anything for a while" in page


def test_account_page_shows_your_details(web, people):
    web.sign_in(people.lead)
    page = web.get("/account").get_data(as_text=True)
    assert people.lead.email in page and "Lead officer" in page and "Housing Services" in page


def test_fetching_page_assets_does_not_count_as_activity(web, people):
    """Only requests a person makes restart the idle clock, so the browser's warning stays in step."""
    web.sign_in(people.cso)
    assert "section17_session=" in web.get("/").headers.get("Set-Cookie", "")
    assert "Set-Cookie" not in web.get("/static/dist/app.css").headers
