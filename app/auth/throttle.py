"""Sign-in throttling (security.md item 2), exact under concurrency and fair to a named officer.

Three counters, each a fixed window in the limiter's storage (Redis in production):

- one account from one browser or address: the 11th bad attempt in the window gets 429;
- one address across all accounts (higher: an office shares one address);
- one account across every browser it has never signed in from (guessing spread
  over many addresses; ASVS allows at most 100 an hour).

A browser the account has signed in from before (app/security/known_devices.py)
is counted only by the first, so nobody can lock a named officer out by typing
wrong passwords for them elsewhere.

An attempt is counted *before* the password is checked, by an atomic increment,
and given back if the password was right. Checking first and counting afterwards
(what a decorator with `deduct_when` does) lets attempts that arrive together all
pass the check: four at a time through four workers got 13 bad passwords checked
instead of 10.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits import RateLimitItem, parse

from app.extensions import limiter
from app.security.known_devices import KNOWN_DEVICE_COOKIE, device_known_for


class TooManyAttempts(Exception):
    """This attempt would go over a limit: refuse it without checking the password."""


@dataclass
class Reservation:
    """The counters an attempt has taken one from; `give_back` when the attempt succeeded."""

    taken: list[tuple[RateLimitItem, tuple[str, ...]]] = field(default_factory=list)

    def give_back(self) -> None:
        for item, identifiers in self.taken:
            limiter.limiter.hit(item, *identifiers, cost=-1)
        self.taken.clear()


def _counters(email: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
    config = current_app.config
    prefix = str(config.get("RATELIMIT_KEY_PREFIX") or "section17")
    address = get_remote_address() or "-"
    device = device_known_for(current_app.secret_key, request.cookies.get(KNOWN_DEVICE_COOKIE), email)
    client = f"device:{device}" if device else f"address:{address}"
    counters = [(parse(str(config["LOGIN_RATE_LIMIT"])), (prefix, "sign-in", "account-and-client", email, client))]
    if device is None:
        counters += [
            (parse(str(config["LOGIN_RATE_LIMIT_PER_ADDRESS"])), (prefix, "sign-in", "address", address)),
            (parse(str(config["LOGIN_RATE_LIMIT_PER_ACCOUNT"])), (prefix, "sign-in", "account", email)),
        ]
    return counters


def reserve_sign_in_attempt(email: str) -> Reservation:
    """Count this attempt against every counter that applies, or raise TooManyAttempts (counting nothing)."""
    reservation = Reservation()
    if not limiter.enabled:
        return reservation
    refused = False
    for item, identifiers in _counters(email.strip().lower()[:254] or "-"):
        if limiter.limiter.hit(item, *identifiers):
            reservation.taken.append((item, identifiers))
        else:
            limiter.limiter.hit(item, *identifiers, cost=-1)  # over the limit: this attempt is not made
            refused = True
    if refused:
        reservation.give_back()
        raise TooManyAttempts()
    return reservation
