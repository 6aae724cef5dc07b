"""Secrets shown once (a peer's link, a temporary password) never travel in the session cookie.

Flask's session cookie is signed, not encrypted: anything in it can be read by whoever
sees the cookie. The secret waits server-side for the one page that shows it.
"""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import ShownOnce
from tests.functional.test_peer_links import add_peer, signed_in
from tests.support import open_cycle

LINK = re.compile(r'value="http://localhost/peer/([A-Za-z0-9_-]+)"')
TEMPORARY = re.compile(r'<code id="temporary-password">([a-z0-9-]+)</code>')


def cookie_contents(app, web) -> str:
    """What anyone holding the browser's session cookie can read in it."""
    cookie = web.client.get_cookie("section17_session")
    return json.dumps(app.session_interface.get_signing_serializer(app).loads(cookie.value))


def waiting(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ShownOnce))


def test_a_new_invitation_link_waits_server_side_not_in_the_cookie(app, people):
    from datetime import date, timedelta

    cycle = open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))
    peer_id = add_peer(app, "Amber Valley")
    officer = signed_in(app, people.cso)
    last_day = date.today() + timedelta(days=20)
    response = officer.post(f"/benchmarking/peers/{peer_id}/invite", {
        "cycle": str(cycle.cycle_id), "contact_name": "Jo Bloggs", "contact_email": "jo@peer.example",
        "expires_on": [str(last_day.day), str(last_day.month), str(last_day.year)], "send_by_email": "myself"})
    assert response.status_code == 302
    assert waiting(app) == 1
    before_shown = cookie_contents(app, officer)
    page = officer.get(response.headers["Location"]).get_data(as_text=True)
    token = LINK.search(page).group(1)
    assert token not in before_shown and "invitation_links" not in before_shown
    assert waiting(app) == 0  # shown, then gone
    assert LINK.search(officer.get(response.headers["Location"]).get_data(as_text=True)) is None


def test_a_temporary_password_waits_server_side_not_in_the_cookie(app, web, people):
    web.sign_in(people.cso)
    response = web.post(f"/admin/users/{people.other_lead.id}/reset-password")
    assert response.status_code == 302
    before_shown = cookie_contents(app, web)
    password = TEMPORARY.search(web.get(response.headers["Location"]).get_data(as_text=True)).group(1)
    assert password not in before_shown and "temporary_password" not in before_shown
    assert waiting(app) == 0


def test_only_the_person_who_made_the_secret_sees_it(app, web, new_web, people):
    web.sign_in(people.cso)
    response = web.post(f"/admin/users/{people.other_lead.id}/reset-password")
    handles = app.session_interface.get_signing_serializer(app).loads(
        web.client.get_cookie("section17_session").value)["shown_once"]
    admin = new_web()
    admin.sign_in(people.admin)
    with admin.client.session_transaction() as session:
        session["shown_once"] = handles  # another person's handle, in an administrator's own session
    assert TEMPORARY.search(admin.get(response.headers["Location"]).get_data(as_text=True)) is None
    assert TEMPORARY.search(web.get(response.headers["Location"]).get_data(as_text=True)) is not None
