"""Sign-in throttling (security.md item 2): the 11th bad attempt in a window gets 429.

And nobody can lock a named officer out at will: a browser the account has signed in
from before is throttled on its own, whatever strangers try elsewhere (NCSC).
"""

from tests.support import PASSWORD, WebClient

KNOWN_DEVICE = "section17_known_device"


def _attempt(web, email, password, address="203.0.113.7"):
    return web.post("/sign-in", {"email": email, "password": password}, environ_base={"REMOTE_ADDR": address})


def test_the_eleventh_bad_attempt_is_refused_even_with_the_right_password(web, people):
    for attempt in range(10):
        response = _attempt(web, people.cso.email, f"wrong guess number {attempt}")
        assert response.status_code == 200, f"attempt {attempt + 1} was refused too early"
    response = _attempt(web, people.cso.email, PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many attempts" in page and "wait 15 minutes" in page


def test_successful_sign_ins_do_not_count(app, people):
    for _ in range(12):
        web = WebClient(app.test_client())
        assert _attempt(web, people.cso.email, PASSWORD).status_code == 302


def test_one_account_attacked_from_many_addresses_is_protected(make_app, people):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="30 per hour")
    web = WebClient(app.test_client())
    for attempt in range(30):
        assert _attempt(web, people.cso.email, "wrong guess again", address=f"198.51.100.{attempt}").status_code == 200
    # A browser this account has never signed in from is stopped, even with the right password.
    assert _attempt(WebClient(app.test_client()), people.cso.email, PASSWORD,
                    address="198.51.100.200").status_code == 429


def test_an_attacker_cannot_lock_a_named_officer_out(make_app, people):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="30 per hour")
    officer = WebClient(app.test_client())
    assert _attempt(officer, people.cso.email, PASSWORD, address="192.0.2.10").status_code == 302
    assert officer.client.get_cookie(KNOWN_DEVICE, path="/sign-in") is not None
    officer.sign_out()
    attacker = WebClient(app.test_client())
    for attempt in range(40):  # from one address, then from many
        _attempt(attacker, people.cso.email, "wrong guess again", address="192.0.2.10")
        _attempt(attacker, people.cso.email, "wrong guess again", address=f"198.51.100.{attempt}")
    assert _attempt(attacker, people.cso.email, PASSWORD, address="192.0.2.10").status_code == 429
    # The officer's own browser, at the same office address, still gets in with the right password.
    assert _attempt(officer, people.cso.email, PASSWORD, address="192.0.2.10").status_code == 302


def test_a_known_browser_is_still_throttled_on_its_own(web, people):
    assert _attempt(web, people.cso.email, PASSWORD).status_code == 302
    web.sign_out()
    for attempt in range(10):
        assert _attempt(web, people.cso.email, f"wrong guess number {attempt}").status_code == 200
    assert _attempt(web, people.cso.email, PASSWORD).status_code == 429


def test_a_made_up_known_device_cookie_counts_for_nothing(make_app, people):
    app = make_app(LOGIN_RATE_LIMIT_PER_ACCOUNT="20 per hour")
    attacker = WebClient(app.test_client())
    attacker.client.set_cookie(KNOWN_DEVICE, "WyJ4IiwgWyJ5Il1d.forged.signature", path="/sign-in")
    for attempt in range(20):
        _attempt(attacker, people.cso.email, "wrong guess again", address=f"198.51.100.{attempt}")
    assert _attempt(attacker, people.cso.email, PASSWORD, address="198.51.100.99").status_code == 429


def test_one_address_guessing_many_accounts_is_stopped(web, people):
    """Per address the limit is higher (50): offices share one address, and one person must not lock out all."""
    for attempt in range(50):
        assert _attempt(web, f"guess{attempt}@council.example", "wrong guess again").status_code == 200
    assert _attempt(web, people.cso.email, PASSWORD).status_code == 429


def test_colleagues_behind_one_address_are_not_locked_out_by_one_person(web, people, app):
    for _ in range(11):
        _attempt(web, people.cso.email, "wrong guess again")
    colleague = WebClient(app.test_client())
    assert _attempt(colleague, people.auditor.email, PASSWORD).status_code == 302  # same address


def test_other_people_can_still_sign_in(web, people, app):
    for _ in range(11):
        _attempt(web, people.cso.email, "wrong guess again")
    other = WebClient(app.test_client())
    assert _attempt(other, people.auditor.email, PASSWORD, address="192.0.2.50").status_code == 302
