"""Managing accounts in the UI: add, change role and departments, disable, reset (issue 1, item 5)."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, User
from tests.support import WebClient

TEMPORARY = re.compile(r'<code id="temporary-password">([a-z0-9-]+)</code>')


def _user(app, email):
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            db.session.expunge(user)
        return user


def _last_event(app, action):
    with app.app_context():
        return db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id.desc()))


@pytest.mark.parametrize("manager", ["cso", "admin"])
def test_a_manager_adds_a_lead_officer_who_then_signs_in_and_chooses_a_password(app, web, people, manager):
    web.sign_in(getattr(people, manager))
    response = web.post("/admin/users/new", {
        "name": "Nadia New", "email": "Nadia.New@Council.Example", "role": "lead_officer",
        "departments": [str(people.housing_id), str(people.planning_id)],
    }, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "User added" in page
    temporary = TEMPORARY.search(page).group(1)
    user = _user(app, "nadia.new@council.example")
    assert user is not None and user.role == "lead_officer" and user.must_change_password
    event = _last_event(app, "user.created")
    assert event.after["departments"] == ["HOUS", "PLAN"]
    assert temporary not in repr(event.after)

    newcomer = WebClient(app.test_client())
    response = newcomer.sign_in("nadia.new@council.example", temporary)
    assert response.headers["Location"].startswith("/account/password")
    newcomer.post("/account/password", {"current_password": temporary, "new_password": "she picks her own words"})
    page = newcomer.get("/").get_data(as_text=True)
    assert "Housing Services" in page and "Planning Services" in page


def test_add_user_form_explains_every_problem(web, people):
    web.sign_in(people.cso)
    page = web.post("/admin/users/new", {"name": "", "email": "", "role": ""}).get_data(as_text=True)
    for message in ("Enter the person&#39;s full name", "Enter an email address", "Choose a role"):
        assert message in page
    assert "There is a problem" in page


@pytest.mark.parametrize("data,message", [
    ({"email": "not-an-email"}, "Enter an email address in the correct format"),
    ({"email": "CHRIS.SAFETY@council.example"}, "An account with this email address already exists"),
    ({"role": "lead_officer", "departments": []}, "Choose at least one department for a lead officer"),
])
def test_add_user_refuses_bad_details_and_adds_nothing(app, web, people, data, message):
    web.sign_in(people.cso)
    form = {"name": "Someone New", "email": "someone@council.example", "role": "auditor", **data}
    page = web.post("/admin/users/new", form).get_data(as_text=True)
    assert message in page
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == 5


def test_a_community_safety_officer_cannot_create_an_administrator(app, web, people):
    web.sign_in(people.cso)
    page = web.get("/admin/users/new").get_data(as_text=True)
    assert 'value="admin"' not in page
    response = web.post("/admin/users/new", {"name": "Eve", "email": "eve@council.example", "role": "admin"})
    assert response.status_code == 200
    assert _user(app, "eve@council.example") is None


def test_a_community_safety_officer_cannot_change_or_disable_an_administrator(app, web, people):
    web.sign_in(people.cso)
    assert web.get(f"/admin/users/{people.admin.id}/edit").status_code == 403
    assert web.post(f"/admin/users/{people.admin.id}/disable").status_code == 403
    assert web.post(f"/admin/users/{people.admin.id}/reset-password").status_code == 403
    assert _user(app, people.admin.email).active


def test_an_administrator_changes_a_role_and_it_is_audited_with_before_and_after(app, web, new_web, people):
    target = new_web()
    target.sign_in(people.auditor)
    web.sign_in(people.admin)
    response = web.post(f"/admin/users/{people.auditor.id}/edit", {
        "name": people.auditor.name, "email": people.auditor.email, "role": "community_safety_officer",
    })
    assert response.status_code == 302
    event = _last_event(app, "user.role_changed")
    assert event.before["role"] == "auditor" and event.after["role"] == "community_safety_officer"
    assert event.actor_email == people.admin.email
    assert target.get("/").status_code == 302  # new rights take effect at the next sign-in


def test_changing_departments_of_a_lead_officer(app, web, people):
    web.sign_in(people.cso)
    web.post(f"/admin/users/{people.lead.id}/edit", {
        "name": people.lead.name, "email": people.lead.email, "role": "lead_officer",
        "departments": [str(people.planning_id)],
    })
    event = _last_event(app, "user.updated")
    assert event.before["departments"] == ["HOUS"] and event.after["departments"] == ["PLAN"]


def test_nobody_changes_their_own_role(app, web, people):
    web.sign_in(people.cso)
    page = web.post(f"/admin/users/{people.cso.id}/edit", {
        "name": people.cso.name, "email": people.cso.email, "role": "auditor",
    }).get_data(as_text=True)
    assert "You cannot change your own role" in page
    assert _user(app, people.cso.email).role == "community_safety_officer"


@pytest.mark.parametrize("action", ["disable", "reset-password"])
def test_nobody_disables_or_resets_themselves_here(app, web, people, action):
    web.sign_in(people.admin)
    confirm = web.get(f"/admin/users/{people.admin.id}/{action}").get_data(as_text=True)
    main = confirm.split("<main")[1].split("</main>")[0]
    assert "You cannot do this to your own account" in main and "<button" not in main
    page = web.post(f"/admin/users/{people.admin.id}/{action}").get_data(as_text=True)
    assert "You cannot do this to your own account" in page
    assert _user(app, people.admin.email).active


def test_refreshing_the_temporary_password_page_does_not_reset_it_again(app, web, people):
    web.sign_in(people.cso)
    response = web.post(f"/admin/users/{people.other_lead.id}/reset-password")
    assert response.status_code == 302  # post, then redirect: a refresh repeats the GET, not the reset
    shown = web.get(response.headers["Location"]).get_data(as_text=True)
    temporary = TEMPORARY.search(shown).group(1)
    again = web.get(response.headers["Location"]).get_data(as_text=True)
    assert TEMPORARY.search(again) is None and "no longer shown" in again
    with app.app_context():
        resets = db.session.scalar(select(db.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "user.password_reset"))
    assert resets == 1
    assert WebClient(app.test_client()).sign_in(people.other_lead.email, temporary).status_code == 302


def test_departments_for_other_roles_are_refused_not_dropped(app, web, people):
    web.sign_in(people.cso)
    page = web.post("/admin/users/new", {"name": "Ann Auditor", "email": "ann@council.example", "role": "auditor",
                                         "departments": [str(people.housing_id)]}).get_data(as_text=True)
    assert "Only lead officers answer for departments" in page
    assert _user(app, "ann@council.example") is None


def test_a_lead_officer_whose_department_was_retired_can_still_be_edited(app, web, people):
    web.sign_in(people.cso)
    web.post(f"/departments/{people.housing_id}/retire")
    form = web.get(f"/admin/users/{people.lead.id}/edit").get_data(as_text=True)
    assert "Housing Services (HOUS)" in form  # still listed, and ticked
    response = web.post(f"/admin/users/{people.lead.id}/edit", {
        "name": "Lena Lead-Smith", "email": people.lead.email, "role": "lead_officer",
        "departments": [str(people.housing_id)]})
    assert response.status_code == 302
    assert "Housing Services (retired)" in web.get(f"/admin/users/{people.lead.id}").get_data(as_text=True)
    lead = WebClient(app.test_client())
    lead.sign_in(people.lead)
    assert "This department has been retired" in lead.get("/").get_data(as_text=True)


def test_adding_a_lead_officer_from_a_department_page_pre_selects_it(web, people):
    web.sign_in(people.cso)
    page = web.get(f"/admin/users/new?department={people.housing_id}").get_data(as_text=True)
    assert re.search(rf'value="{people.housing_id}" checked', page)
    assert re.search(r'value="lead_officer" checked', page)


def test_the_last_active_administrator_is_kept(app, people):
    """Through the UI the acting administrator always remains; the command line is where this bites."""
    from app.users.services import UserProblem, set_user_active, update_user

    with app.app_context():
        admin = db.session.get(User, people.admin.id)
        with pytest.raises(UserProblem, match="at least one active administrator"):
            set_user_active(None, admin, False)
        with pytest.raises(UserProblem, match="at least one active administrator"):
            update_user(None, admin, name=admin.name, email=admin.email, role="auditor", department_ids=[])
        db.session.rollback()
        assert db.session.get(User, people.admin.id).active


def test_disable_and_re_enable_with_confirmation(app, web, new_web, people):
    victim = new_web()
    victim.sign_in(people.other_lead)
    web.sign_in(people.cso)
    page = html.unescape(web.get(f"/admin/users/{people.other_lead.id}/disable").get_data(as_text=True))
    assert "Disable Omar Other's account?" in page
    web.post(f"/admin/users/{people.other_lead.id}/disable")
    assert not _user(app, people.other_lead.email).active
    assert victim.get("/").status_code == 302
    assert WebClient(app.test_client()).sign_in(people.other_lead).status_code == 200  # refused
    assert _last_event(app, "user.disabled").actor_email == people.cso.email
    web.post(f"/admin/users/{people.other_lead.id}/enable")
    assert _user(app, people.other_lead.email).active


def test_password_reset_gives_a_temporary_password_and_signs_the_user_out(app, web, new_web, people):
    victim = new_web()
    victim.sign_in(people.other_lead)
    web.sign_in(people.cso)
    page = web.post(f"/admin/users/{people.other_lead.id}/reset-password", follow_redirects=True).get_data(as_text=True)
    temporary = TEMPORARY.search(page).group(1)
    assert victim.get("/").status_code == 302
    again = WebClient(app.test_client())
    assert again.sign_in(people.other_lead.email, temporary).headers["Location"].startswith("/account/password")


def test_auditors_see_users_but_no_way_to_change_them(web, people):
    web.sign_in(people.auditor)
    listing = web.get("/admin/users").get_data(as_text=True)
    assert people.lead.email in listing and "Add a user" not in listing
    detail = web.get(f"/admin/users/{people.lead.id}").get_data(as_text=True)
    assert "Disable account" not in detail and "Reset password" not in detail and ">Change<" not in detail


def test_users_can_be_filtered_by_role_and_status(app, web, people):
    from app.users.services import set_user_active

    with app.app_context():
        set_user_active(None, db.session.get(User, people.other_lead.id), False)
    web.sign_in(people.cso)
    page = web.get("/admin/users?role=lead_officer&status=active").get_data(as_text=True)
    assert people.lead.email in page and people.other_lead.email not in page and people.cso.email not in page
    page = web.get("/admin/users?status=disabled").get_data(as_text=True)
    assert people.other_lead.email in page and people.lead.email not in page


def test_unknown_users_are_not_found(web, people):
    web.sign_in(people.cso)
    assert web.get("/admin/users/99999").status_code == 404


# --------------------------------------------------------------------------- your account: who can change it


def _account_words(app, account) -> str:
    from tests.functional.test_form_legends import Page
    from tests.support import WebClient

    web = WebClient(app.test_client())
    web.sign_in(account)
    return Page.of(web.get("/account")).text


def test_an_administrator_is_not_told_to_ask_the_community_safety_officer(app, people):
    words = _account_words(app, people.admin)
    assert "community safety officer" not in words.lower()
    assert "Change your name, email address or departments" in words
    assert "Nobody can change their own role. Only another administrator can change yours" in words


def test_an_account_that_cannot_change_itself_names_who_can(app, people):
    words = _account_words(app, people.auditor)
    assert ("To change your name, email address, role or departments, ask Ada Admin (ada.admin@council.example) "
            "or Chris Safety (chris.safety@council.example).") in words
    assert "Change your name, email address or departments" not in words
    cso = _account_words(app, people.cso)
    assert "Change your name, email address or departments" in cso
    assert "To change yours, ask Ada Admin (ada.admin@council.example)." in cso  # another CSO could too: none here


def test_an_officer_can_change_their_own_details_from_their_account(app, people):
    from tests.support import WebClient

    web = WebClient(app.test_client())
    web.sign_in(people.cso)
    page = web.get("/account").get_data(as_text=True)
    assert f'href="/admin/users/{people.cso.id}/edit"' in page
    saved = web.post(f"/admin/users/{people.cso.id}/edit", {"name": "Chris Safety-Officer",
                                                             "email": people.cso.email,
                                                             "role": "community_safety_officer"})
    assert saved.status_code == 302
