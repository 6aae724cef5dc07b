"""Every group of date boxes, radios or checkboxes is named by its fieldset's legend (WCAG 1.3.1, 3.3.2).

A screen reader announces the legend when someone enters the group; without it, three
boxes read only "Day, Month, Year" and radios only their options. The forms are
rendered as people see them, empty and after a submission with errors, and every
group must sit in a fieldset whose legend says what the group is. Also here: the page
helpers other tests use to read what a person sees (visible text, groups and legends).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from app.extensions import db
from app.models import PeerPartnership
from tests.support import WebClient, open_cycle

GROUP_CLASSES = {"govuk-date-input": "date", "govuk-radios": "radios", "govuk-checkboxes": "checkboxes"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
HIDDEN_CONTENT = {"script", "style", "template", "title", "head"}
# Tags that start a new line of text: words either side of them are apart; inline tags (a, span...) join.
BLOCKS = {"address", "article", "aside", "blockquote", "br", "button", "caption", "dd", "details", "dialog", "div",
          "dl", "dt", "fieldset", "figcaption", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
          "input", "label", "legend", "li", "main", "nav", "ol", "option", "p", "section", "select", "summary",
          "table", "tbody", "td", "textarea", "tfoot", "th", "thead", "tr", "ul"}


@dataclass
class Group:
    kind: str  # date, radios or checkboxes
    name: str  # the name of its first input
    legend: str | None  # None: not in a fieldset at all
    inputs: int = 0


@dataclass
class _Fieldset:
    legend: str = ""
    in_legend: bool = False


class Page(HTMLParser):
    """What a person meets on a page: its visible text, and each choice or date group with its legend."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.groups: list[Group] = []
        self.words: list[str] = []
        self._stack: list[tuple[str, object]] = []  # (tag, what it opened: a fieldset, a legend, a group or None)
        self._fieldsets: list[_Fieldset] = []
        self._groups: list[Group] = []
        self._hidden = 0

    @classmethod
    def of(cls, response) -> Page:
        page = cls()
        page.feed(response.get_data(as_text=True))
        page.close()
        return page

    @property
    def text(self) -> str:
        return " ".join("".join(self.words).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.words.append(" ")
        values = dict(attrs)
        if tag == "input" and self._groups and values.get("type") != "hidden":
            group = self._groups[-1]
            group.inputs += 1
            group.name = group.name or values.get("name") or ""
        if tag in VOID:
            return
        classes = set((values.get("class") or "").split())
        opened: object = None
        kind = next((k for c, k in GROUP_CLASSES.items() if c in classes), None)
        if tag == "fieldset":
            opened = _Fieldset()
            self._fieldsets.append(opened)
        elif tag == "legend" and self._fieldsets:
            self._fieldsets[-1].in_legend = True
            opened = "legend"
        elif kind:
            opened = Group(kind, "", " ".join(self._fieldsets[-1].legend.split()) if self._fieldsets else None)
            self._groups.append(opened)
            self.groups.append(opened)
        if tag in HIDDEN_CONTENT:
            self._hidden += 1
        self._stack.append((tag, opened))

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.words.append(" ")
        if tag in VOID or all(open_tag != tag for open_tag, _ in self._stack):
            return
        while self._stack:
            open_tag, opened = self._stack.pop()
            if open_tag in HIDDEN_CONTENT:
                self._hidden -= 1
            if isinstance(opened, _Fieldset):
                self._fieldsets.pop()
            elif opened == "legend" and self._fieldsets:
                self._fieldsets[-1].in_legend = False
            elif isinstance(opened, Group):
                self._groups.pop()
            if open_tag == tag:
                return

    def handle_data(self, data: str) -> None:
        if self._hidden:
            return
        self.words.append(data)
        if self._fieldsets and self._fieldsets[-1].in_legend:
            self._fieldsets[-1].legend += data


def unnamed_groups(response) -> list[Group]:
    """Date, radio and checkbox groups of more than one box that no legend names."""
    page = Page.of(response)
    return [g for g in page.groups if (g.kind == "date" or g.inputs > 1) and not (g.legend or "").strip()]


def visible_markup(response) -> list[str]:
    """Bits of markup a person would see as text: "<strong", "&lt;" and the like."""
    words = Page.of(response).text
    return [bit for bit in ("<span", "<strong", "<br", "<a ", "</", "&lt;", "&gt;", "&amp;", "&#") if bit in words]


def signed_in(app, account) -> WebClient:
    web = WebClient(app.test_client())
    assert web.sign_in(account).status_code == 302
    return web


def test_the_checker_finds_an_unnamed_group_and_accepts_a_named_one():
    class Response:
        def __init__(self, body: str) -> None:
            self.body = body

        def get_data(self, as_text: bool = True) -> str:
            return self.body

    bare = Response('<fieldset class="govuk-fieldset"><legend class="govuk-fieldset__legend--s"></legend>'
                    '<div class="govuk-date-input"><input name="d" type="text"><input name="d" type="text"></div>'
                    '</fieldset><div class="govuk-radios"><input type="radio" name="r"><input type="radio" name="r">'
                    '</div>')
    assert [(g.kind, g.name, g.legend) for g in unnamed_groups(bare)] == [("date", "d", ""), ("radios", "r", None)]
    named = Response('<fieldset><legend><h1>Due date</h1></legend><div class="govuk-date-input">'
                     '<input name="d" type="text"></div></fieldset>')
    assert unnamed_groups(named) == [] and Page.of(named).groups[0].legend == "Due date"
    assert visible_markup(Response("<p>&lt;strong&gt;The gap&lt;/strong&gt;</p>")) == ["<strong", "</"]
    assert visible_markup(Response("<p><strong>The gap</strong> Tom &amp; Jerry</p>")) == []


@pytest.fixture
def cycle(app, people):
    return open_cycle(app, people, definitions=("small-departmental", "small-partnership", "small-peer"))


@pytest.fixture
def peer_id(app):
    with app.app_context():
        peer = PeerPartnership(name="Amber Valley", area="Derbyshire", family_group="Group 7", is_own=False)
        db.session.add(peer)
        db.session.commit()
        return peer.id


def _pages(cycle, people, peer_id) -> list[tuple[str, str, dict | None]]:
    """(role, url, form to post or None): every form with a date, radio or checkbox group."""
    raise_url = f"/actions/new?cycle={cycle.cycle_id}&department={people.housing_id}&question=plan-targets"
    return [
        ("community_safety_officer", "/cycles/new", None),
        ("community_safety_officer", "/cycles/new", {"name": "", "department_scope": "some"}),
        ("community_safety_officer", raise_url, None),
        ("community_safety_officer", raise_url, {"title": ""}),
        ("community_safety_officer", f"/actions/new?cycle={cycle.cycle_id}", None),
        ("community_safety_officer", "/admin/users/new", None),
        ("community_safety_officer", "/admin/users/new", {"name": ""}),
        ("community_safety_officer", "/questionnaires/import", None),
        ("community_safety_officer", f"/cycles/{cycle.cycle_id}/export", None),
        ("community_safety_officer", f"/benchmarking/peers/{peer_id}/invite", None),
        ("community_safety_officer", f"/benchmarking/peers/{peer_id}/invite", {"contact_name": ""}),
        ("lead_officer", raise_url, None),
    ]


def test_every_date_radio_and_checkbox_group_has_a_legend_that_names_it(app, people, cycle, peer_id):
    webs = {role: signed_in(app, people.by_role(role)) for role in ("community_safety_officer", "lead_officer")}
    seen = []
    for role, url, posted in _pages(cycle, people, peer_id):
        web = webs[role]
        response = web.get(url) if posted is None else web.post(url, posted)
        assert response.status_code in (200, 400), (url, response.status_code)
        groups = Page.of(response).groups
        assert groups, f"{url}: no date, radio or checkbox group found"
        assert unnamed_groups(response) == [], f"{url} ({'posted' if posted else 'empty'})"
        seen += [(g.name, g.legend) for g in groups]
    named = dict(seen)
    assert named["period_start"] == "Start of the period audited"
    assert named["period_end"] == "End of the period audited"
    assert named["deadline"] == "Deadline for returns"
    assert named["department_scope"] == "Which departments answer the departmental questionnaire?"
    assert named["due_date"] == "Due date"
    assert named["origin"] == "Where does the action come from?"


def test_the_action_status_radios_are_named(app, people, cycle):
    from tests.support import add_action

    action_id = add_action(app, cycle.cycle_id, people.housing_id, people.lead.id)
    web = signed_in(app, people.cso)
    for response in (web.get(f"/actions/{action_id}"), web.post(f"/actions/{action_id}/progress", {"status": ""})):
        assert unnamed_groups(response) == []
        assert ("status", "Status") in [(g.name, g.legend) for g in Page.of(response).groups]


def test_the_departments_are_asked_only_under_only_the_departments_i_choose(app, people):
    web = signed_in(app, people.cso)
    page = web.get("/cycles/new").get_data(as_text=True)
    before, radio, after = page.partition('value="some" data-aria-controls="conditional-department_scope-2"')
    assert radio, "the radio does not control a conditional panel"
    panel = after.split('id="conditional-department_scope-2"', 1)[1]
    assert 'class="govuk-radios__conditional govuk-radios__conditional--hidden"' in after.split(panel, 1)[0]
    assert 'name="departments"' in panel and 'name="departments"' not in before
    legends = {g.name: g.legend for g in Page.of(web.get("/cycles/new")).groups}
    assert legends["departments"] == "Which departments?"


def test_choosing_only_some_departments_without_any_says_so_with_the_panel_open(app, people):
    web = signed_in(app, people.cso)
    response = web.post("/cycles/new", {"name": "Audit", "period_start": ["1", "4", "2026"],
                                        "period_end": ["31", "3", "2027"], "deadline": ["30", "6", "2026"],
                                        "questionnaires": ["small-departmental"], "department_scope": "some"})
    assert response.status_code == 200
    assert "Choose the departments that answer" in Page.of(response).text
    # The chosen radio stays chosen, so GOV.UK Frontend shows the panel, with the error inside it.
    radio = re.search(r'<input[^>]*value="some"[^>]*>', response.get_data(as_text=True)).group(0)
    assert " checked" in radio and "data-aria-controls" in radio
