"""Fixtures the functional tests share. A module that needs a different cycle defines its own `cycle`."""

from __future__ import annotations

import pytest

from tests.support import open_cycle


@pytest.fixture
def cycle(app, people):
    """An open cycle of the small test questionnaires, with a return for each department."""
    return open_cycle(app, people)


@pytest.fixture
def lead(web, people):
    """The test client, signed in as the lead officer."""
    web.sign_in(people.lead)
    return web
