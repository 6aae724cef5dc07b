"""The page check's rules, as pure functions over what the browser reported about a page.

tests/browser/test_page_check.py visits every page as every role and hands each page's
facts (gathered by FACTS_SCRIPT and Chromium's accessibility tree) to check_page(). Keeping
the rules here, away from the browser, means each rule can be tested on its own with a
few made-up facts (the unit tests at the end of test_page_check.py), and a new rule is one function.

Every rule returns plain-language problems: what a person looking at the page would
see, and where, so that the failing test reads as a to-do list.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SERVICE_NAME = "Section 17 Audit"
TITLE_SUFFIX = f" - {SERVICE_NAME}"

# axe rules are kept if they carry one of these tags (WCAG 2.0, 2.1 and 2.2, levels A and AA)...
WCAG_TAGS = frozenset({"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"})
# ...or are one of these "best-practice" rules: landmarks, headings, tables and ids that a
# screen reader user navigates by. Best-practice rules not named here are not enforced.
KEPT_BEST_PRACTICE = frozenset({
    "region", "landmark-one-main", "landmark-unique", "landmark-no-duplicate-main",
    "landmark-no-duplicate-banner", "landmark-no-duplicate-contentinfo", "landmark-banner-is-top-level",
    "landmark-contentinfo-is-top-level", "landmark-main-is-top-level", "landmark-complementary-is-top-level",
    "page-has-heading-one", "heading-order", "empty-heading", "empty-table-header", "table-duplicate-name",
    "skip-link", "tabindex", "label-title-only", "aria-allowed-role", "presentation-role-conflict",
    "scrollable-region-focusable", "meta-viewport-large", "image-redundant-alt",
})
AXE_RUN_TAGS = sorted(WCAG_TAGS | {"best-practice"})

# Text that shows an HTML tag or an escaped entity was printed instead of rendered.
MARKUP_PATTERNS = ("<span", "<strong", "<br", "</", "&lt;", "&amp;lt;", "&gt;", "&amp;amp;", "&quot;", "&#")
DATE_PART_NAMES = frozenset({"day", "month", "year"})
CONTROL_ROLES = frozenset({"textbox", "spinbutton", "combobox", "listbox", "radio", "checkbox", "searchbox",
                           "slider", "switch"})
GROUP_ROLES = frozenset({"group", "radiogroup"})
DESKTOP_WIDTH = 1000
FEW_COLUMNS = 4  # a table of this many columns or fewer must fit a phone's width
NEARLY_FITS = 1.25  # a table less than this much wider than its box looks cut off rather than scrollable
MIN_LABEL_GAP_PX = 3.0  # labels on one line closer than this read as one ("80%100%")
MIN_CHART_TEXT_PX = 12.0  # GOV.UK's smallest text is 14 px at 375 wide and 16 px at 1280; 12 is a floor


@dataclass(frozen=True)
class Problem:
    """One thing wrong on one page at one width; `kind` groups it in the report."""

    page: str
    width: int
    kind: str
    problem: str

    def __str__(self) -> str:
        return f"{self.page} at {self.width}px: {self.problem}"


Found = tuple[str, str]  # (kind, what is wrong)


def shorten(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------- axe


def kept_violations(violations: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The axe violations this check fails on: any WCAG A/AA rule, or a best-practice rule it keeps."""
    return [v for v in violations if WCAG_TAGS & set(v.get("tags", ())) or v.get("id") in KEPT_BEST_PRACTICE]


def axe_problems(violations: Iterable[Mapping[str, Any]]) -> list[Found]:
    problems = []
    for violation in kept_violations(violations):
        nodes = violation.get("nodes", [])
        targets = ", ".join(" ".join(map(str, n.get("target", []))) for n in nodes[:3])
        more = f" and {len(nodes) - 3} more" if len(nodes) > 3 else ""
        problems.append((f"axe {violation['id']}",
                         f"axe {violation['id']} ({violation.get('impact') or 'no impact given'}): "
                         f"{violation.get('help', '')} - {len(nodes)} element(s): {targets}{more}"))
    return problems


# --------------------------------------------------------------------------- page facts


def status_problem(status: int | None, expected: Iterable[int] = (200,)) -> Found | None:
    if status is None:
        return ("status", "the page did not answer")
    if status >= 500:
        return ("server error", f"server error {status}")
    if status not in set(expected):
        return ("status", f"answered {status}, not {' or '.join(map(str, expected))}")
    return None


def title_problem(title: str, has_error_summary: bool = False) -> Found | None:
    """A title reads "<what the page is> - Section 17 Audit", optionally followed by " - <council>"
    (as GOV.UK pages end "- GOV.UK"); a page showing errors starts "Error: ", once."""
    page, found, _organisation = title.partition(TITLE_SUFFIX)
    if not found or not page.strip() or page.strip() == SERVICE_NAME:
        return ("title", f"title ‘{shorten(title)}’ is not of the form ‘<page> - {SERVICE_NAME}’")
    if page.startswith("Error: Error:"):
        return ("title", f"title ‘{shorten(title)}’ says ‘Error:’ twice")
    if has_error_summary and not page.startswith("Error: "):
        return ("title", f"title ‘{shorten(title)}’ does not start ‘Error: ’ although the page shows errors")
    return None


def heading_problem(h1s: list[str]) -> Found | None:
    if not h1s:
        return ("h1", "no h1 on the page")
    if len(h1s) > 1:
        return ("h1", f"{len(h1s)} h1 headings: " + "; ".join(f"‘{shorten(h, 40)}’" for h in h1s))
    if not h1s[0].strip():
        return ("h1", "the h1 is empty")
    return None


def markup_problems(text: str) -> list[Found]:
    """Visible text that contains markup: a tag or entity that was escaped twice or not rendered."""
    hits = sorted((at, pattern) for pattern in MARKUP_PATTERNS if (at := text.find(pattern)) >= 0)
    if not hits:
        return []
    at = hits[0][0]
    around = shorten(text[max(0, at - 30): at + 60], 100)
    shown = ", ".join(f"‘{pattern}’" for _, pattern in hits)
    return [("markup in visible text", f"visible text shows markup {shown}: …{around}…")]


def overflow_problem(scroll_width: int, inner_width: int) -> Found | None:
    if scroll_width > inner_width:
        return ("page wider than the window",
                f"page is wider than the window: scrollWidth {scroll_width} > innerWidth {inner_width}")
    return None


def fieldset_problems(fieldsets: Iterable[Mapping[str, Any]]) -> list[Found]:
    """Each fieldset needs a legend with words in it: it is what a screen reader announces for the group."""
    return [("fieldset without a legend", f"fieldset without a legend (around ‘{shorten(f.get('context', ''), 60)}’)")
            for f in fieldsets if not (f.get("legend") or "").strip()]


def clipped_problems(clipped: Iterable[Mapping[str, Any]], width: int) -> list[Found]:
    """Content cut off by its box (overflow hidden), or a table that does not fit its scroll area.

    On a desktop-wide window every column must show: a column found only by scrolling
    sideways inside the page is a column most readers never see. On a phone a wide data
    table may scroll in its own box (WCAG 1.4.10 lets two-dimensional tables do so), but
    not a table of a few columns, which can always be made to fit (wrap, shorten, drop a
    column that repeats), nor one that nearly fits: its last column just looks cut off.
    """
    problems = []
    for box in clipped:
        what = f"{box['tag']} ‘{shorten(box.get('context', ''), 50)}’"
        if box.get("kind") == "hidden":
            problems.append(("content cut off",
                             f"{what} is cut off: content {box['scroll']} px wide in a box {box['client']} px wide"))
        elif width >= DESKTOP_WIDTH:
            problems.append(("table columns hidden in a scroll area",
                             f"{what}: {box['hidden_columns']} of {box['columns']} columns reach beyond the edge "
                             f"of its scroll area ({box['scroll']} px of table in {box['client']} px)"))
        elif box["columns"] <= FEW_COLUMNS or box["scroll"] < box["client"] * NEARLY_FITS:
            problems.append(("table cut off at the edge",
                             f"{what} has {box['columns']} columns and is {box['scroll'] - box['client']} px wider "
                             f"than its box: {box['hidden_columns']} column(s) cut off at the edge (make it fit)"))
    return problems


def group_problems(groups: Iterable[Mapping[str, Any]]) -> list[Found]:
    """Radios and checkboxes that share a name are one question: a fieldset legend must say which."""
    problems = []
    for group in groups:
        if group["count"] < 2 and group["type"] == "checkbox":
            continue  # a single checkbox ("This is our own partnership") is named by its own label
        if not (group.get("legend") or "").strip():
            labels = ", ".join(f"‘{shorten(label, 30)}’" for label in group.get("labels", [])[:3])
            problems.append((f"{group['type']} group without a legend",
                             f"{group['count']} {group['type']}(es) named ‘{group['name']}’ ({labels}) "
                             "are not in a fieldset whose legend says what they answer"))
    return problems


def chart_text_problems(texts: Iterable[Mapping[str, Any]]) -> list[Found]:
    """Chart labels must be readable: not tiny, and not printed against or over one another."""
    problems = []
    items = list(texts)
    small = [t for t in items if t["size"] < MIN_CHART_TEXT_PX - 0.05 and t["text"].strip()]
    if small:
        sizes = sorted({round(t["size"], 1) for t in small})
        examples = ", ".join(f"‘{shorten(t['text'], 20)}’" for t in small[:3])
        problems.append(("chart text too small",
                         f"{len(small)} chart label(s) drawn smaller than {MIN_CHART_TEXT_PX:g} px "
                         f"({', '.join(map(str, sizes))} px), e.g. {examples}"))
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if a.get("chart") == b.get("chart") and _touch(a, b):
                problems.append(("chart labels collide",
                                 f"chart labels run into each other: ‘{shorten(a['text'], 20)}’ "
                                 f"and ‘{shorten(b['text'], 20)}’"))
    return problems


def _touch(a: Mapping[str, Any], b: Mapping[str, Any], gap: float = MIN_LABEL_GAP_PX) -> bool:
    """True if two labels on the same line are closer than `gap` (or overlap)."""
    across = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"])
    down = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"])
    return down > min(a["h"], b["h"]) / 2 and across > -gap


# --------------------------------------------------------------------------- accessibility tree


def accessibility_tree_problems(nodes: Iterable[Mapping[str, Any]]) -> list[Found]:
    """Form controls as a screen reader meets them (Chromium's computed accessibility tree).

    A control named only "Day", "Month" or "Year" must sit in a group (a fieldset) whose
    name (its legend) says which date it is. (Radio and checkbox groups: group_problems.)
    """
    nodes = list(nodes)
    by_id = {n["nodeId"]: n for n in nodes}

    def value(node: Mapping[str, Any], key: str) -> str:
        return str((node.get(key) or {}).get("value") or "")

    def named_group(node: Mapping[str, Any]) -> str:
        parent = by_id.get(node.get("parentId"))
        while parent is not None:
            if not parent.get("ignored") and value(parent, "role") in GROUP_ROLES and value(parent, "name").strip():
                return value(parent, "name")
            parent = by_id.get(parent.get("parentId"))
        return ""

    problems = []
    for node in nodes:
        if node.get("ignored"):
            continue
        role, name = value(node, "role"), value(node, "name").strip()
        if role not in CONTROL_ROLES:
            continue
        if name.lower() in DATE_PART_NAMES and not named_group(node):
            problems.append(("date field named only Day, Month or Year",
                             f"form control named only ‘{name}’: no fieldset legend says which date it is"))
    return _counted(problems)


def _counted(problems: list[Found]) -> list[Found]:
    """The same problem on several controls once, with a count."""
    counts: dict[Found, int] = {}
    for problem in problems:
        counts[problem] = counts.get(problem, 0) + 1
    return [(kind, text if n == 1 else f"{text} (x{n})") for (kind, text), n in counts.items()]


# --------------------------------------------------------------------------- console


def console_problems(messages: Iterable[str]) -> list[Found]:
    return [("console error", f"console error: {shorten(m, 160)}") for m in messages]


# --------------------------------------------------------------------------- the routes covered


def unmapped_routes(rules: Iterable[tuple[str, frozenset[str], frozenset[str]]], mapped: Iterable[str],
                    skipped: Iterable[str]) -> list[str]:
    """GET routes with arguments that the check has no real ids for (so would never visit).

    rules: (endpoint, methods, arguments) for each rule in the app's url_map.
    """
    known = set(mapped) | set(skipped)
    return sorted({endpoint for endpoint, methods, arguments in rules
                   if "GET" in methods and arguments and endpoint not in known})


def page_name(path: str, suffix: str = "") -> str:
    """A file name for a page's screenshot: '/cycles/3/results?sort=x' -> 'cycles-3-results--sort-x'."""
    route, _, query = path.partition("?")
    name = re.sub(r"[^A-Za-z0-9]+", "-", route).strip("-") or "home"
    if query:
        name += "--" + re.sub(r"[^A-Za-z0-9]+", "-", query).strip("-")
    return name[:120] + suffix


# --------------------------------------------------------------------------- all together


def check_page(facts: Mapping[str, Any], ax_nodes: Iterable[Mapping[str, Any]], violations: Iterable[Mapping],
               console: Iterable[str]) -> list[Found]:
    """Every rule, on one page at one width. `facts` comes from FACTS_SCRIPT."""
    single = [
        title_problem(facts["title"], facts.get("errorSummary", False)),
        heading_problem(facts["h1s"]),
        overflow_problem(facts["scrollWidth"], facts["innerWidth"]),
    ]
    found = [p for p in single if p]
    found += markup_problems(facts["text"])
    found += fieldset_problems(facts["fieldsets"])
    found += group_problems(facts["groups"])
    found += clipped_problems(facts["clipped"], facts["innerWidth"])
    found += chart_text_problems(facts["chartTexts"])
    found += accessibility_tree_problems(ax_nodes)
    found += axe_problems(violations)
    found += console_problems(console)
    return found


def report(problems: Iterable[Problem]) -> str:
    """Problems grouped by kind, each with its pages, for the failure message and the notes."""
    groups: dict[str, list[Problem]] = {}
    for problem in problems:
        groups.setdefault(problem.kind, []).append(problem)
    lines = []
    for kind in sorted(groups):
        lines.append(f"== {kind} ({len(groups[kind])})")
        lines += [f"  {p}" for p in sorted(groups[kind], key=lambda p: (p.page, -p.width, p.problem))]
    return "\n".join(lines)


# JavaScript run on each page: the facts the rules above need, in one round trip.
FACTS_SCRIPT = r"""
() => {
  const text = (el) => (el ? el.innerText || el.textContent || '' : '').trim();
  const visible = (el) => !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length);
  const contextOf = (el) => {
    const label = el.querySelector('label, .govuk-hint, h2, caption, th');
    return text(label) || text(el).slice(0, 80);
  };
  const fieldsets = [...document.querySelectorAll('fieldset')].map((f) => {
    const legend = [...f.children].find((c) => c.tagName === 'LEGEND');
    return {legend: text(legend), context: contextOf(f)};
  });
  const groups = {};
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    const key = input.type + ':' + input.name;
    const fieldset = input.closest('fieldset');
    const legend = fieldset ? [...fieldset.children].find((c) => c.tagName === 'LEGEND') : null;
    const named = input.closest('[role=group][aria-label], [role=radiogroup][aria-label]');
    const g = groups[key] || (groups[key] = {type: input.type, name: input.name, count: 0, labels: [],
                                             legend: text(legend) || (named ? named.getAttribute('aria-label') : '')});
    g.count += 1;
    const label = input.labels && input.labels[0];
    g.labels.push(text(label));
  }
  const clipped = [];
  for (const el of document.querySelectorAll('main *')) {
    if (!visible(el) || el.clientWidth < 4 || el.closest('.govuk-visually-hidden')) continue;
    if (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName)) continue;  // long values scroll inside a field
    const style = getComputedStyle(el);
    const over = el.scrollWidth - el.clientWidth;
    if (over <= 1) continue;
    if (style.overflowX === 'hidden' || style.overflowX === 'clip') {
      clipped.push({kind: 'hidden', tag: el.tagName.toLowerCase(), scroll: el.scrollWidth, client: el.clientWidth,
                    context: contextOf(el)});
    } else if (style.overflowX === 'auto' || style.overflowX === 'scroll') {
      const table = el.querySelector('table');
      if (!table) continue;
      const box = el.getBoundingClientRect();
      const cells = [...(table.rows[0] ? table.rows[0].cells : [])];
      const hidden = cells.filter((c) => c.getBoundingClientRect().right > box.right + 1).length;
      if (hidden) clipped.push({kind: 'scroll', tag: 'table', scroll: el.scrollWidth, client: el.clientWidth,
                                columns: cells.length, hidden_columns: hidden, context: contextOf(el)});
    }
  }
  const chartTexts = [];
  document.querySelectorAll('main svg').forEach((svg, index) => {
    for (const t of svg.querySelectorAll('text')) {
      const r = t.getBoundingClientRect();
      if (!r.width || !text(t) && !t.textContent.trim()) continue;
      const ctm = t.getScreenCTM();
      const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
      chartTexts.push({chart: index, text: t.textContent.trim(), size: parseFloat(getComputedStyle(t).fontSize) * scale,
                       x: r.left, y: r.top, w: r.width, h: r.height});
    }
  });
  return {
    title: document.title,
    h1s: [...document.querySelectorAll('h1')].map(text),
    text: document.body.innerText,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    errorSummary: !!document.querySelector('.govuk-error-summary'),
    fieldsets, groups: Object.values(groups), clipped, chartTexts,
  };
}
"""
