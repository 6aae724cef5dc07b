"""Sign-in throttling (security.md item 2): the 11th bad attempt in a window gets 429."""

from tests.support import PASSWORD, WebClient


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


def test_one_account_attacked_from_many_addresses_is_protected(web, people):
    for attempt in range(10):
        assert _attempt(web, people.cso.email, "wrong guess again", address=f"198.51.100.{attempt}").status_code == 200
    assert _attempt(web, people.cso.email, PASSWORD, address="198.51.100.200").status_code == 429


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
