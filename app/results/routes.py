"""Views for a cycle's results. Figures come from app.analysis; access rules from app.results.services."""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
from flask import abort, g, render_template, request, url_for
from flask_login import current_user

from app.actions.services import actions_by_gap, may_plan_for
from app.analysis.approaches import approach_matrix, status_label
from app.analysis.comparison import (
    CHANGE_LABELS,
    Change,
    answer_changes,
    change_counts,
    department_answer_changes,
    gap_changes,
    score_changes,
)
from app.analysis.compliance import ChecklistCompliance
from app.analysis.frame import MATTER_LABELS, ordered_unique, theme_headings, theme_labels
from app.analysis.gaps import GapFilter, gap_register
from app.analysis.rules import RAG_LABELS, percent, scoring_rules
from app.analysis.scores import HeatmapRow, heatmap, matter_profile, overall, sort_rows, theme_profile
from app.ids import parse_id
from app.respond.services import returns_for
from app.results import bp
from app.results.charts import Bar, bar_chart
from app.results.filters import (
    FilterProblem,
    PageWindow,
    compare_order_problems,
    page_numbers,
    page_window,
    parse_flag,
    parse_gap_filter,
    parse_page,
    parse_sort,
)
from app.results.heatmap_rows import heatmap_rows
from app.results.loading import pause_collector, resume_collector
from app.results.services import (
    bands,
    basis,
    council_data,
    department_answers_in_words,
    department_data,
    department_return,
    get_department_for_reader_or_404,
    get_results_cycle_or_404,
    partnership_compliance,
    peer_data,
    results_cycles,
    sees_everything,
)
from app.results.services import (
    status_label as return_status_label,
)
from app.review.evidence_checks import checked_questions, evidence_check_summary
from app.security.access import Permission, allow

READERS = (Permission.VIEW_ALL_RETURNS, Permission.VIEW_OWN_DEPARTMENTS)
CHART_LIMIT = 40  # more bars than this and a chart stops being readable: show the lowest scores
CHART_LOWEST = 20


@bp.before_request
def _pause_collector() -> None:
    """Results pages build large frames without reference cycles: the collector waits till the page is done."""
    g.collector_was_enabled = pause_collector()


@bp.teardown_request
def _resume_collector(_error: BaseException | None) -> None:
    resume_collector(g.pop("collector_was_enabled", False))


def _user():
    return current_user._get_current_object()


def _render(template: str, problems: list[FilterProblem], **context) -> tuple[str, int] | str:
    """Every results page gets the rules and bands; a page with a bad query string answers 400."""
    page = render_template(template, problems=problems, rules=scoring_rules(bands()), bands=bands(),
                           percent=percent, rag_labels=RAG_LABELS, **context)
    return (page, 400) if problems else page


def _bars(summary, label_column: str) -> tuple[Bar, ...]:
    return tuple(Bar(str(row[label_column]), None if math.isnan(row["score"]) else float(row["score"]),
                     row["rag"].value if row["rag"] is not None else None)
                 for _, row in summary.iterrows())


def _department_chart(rows: list[HeatmapRow], council_score: float):
    """Department scores from the heatmap's rows, lowest first; only the lowest when there are too many."""
    ordered = sort_rows(rows, "overall", descending=False)
    title = "Score by department"
    if len(ordered) > CHART_LIMIT:
        ordered = ordered[:CHART_LOWEST]
        title = f"The {CHART_LOWEST} departments with the lowest scores"
    bars = tuple(Bar(row.department, None if math.isnan(row.overall.score) else row.overall.score,
                     row.overall.rag.value if row.overall.rag is not None else None) for row in ordered)
    chart = bar_chart("department-scores", title, bars, council_score, "Council score")
    return title, chart, ordered


def _department_urls(cycle_id: int):
    """A department's drill-down address by its id, without building a URL per row (3,000 url_for calls cost 40 ms)."""
    sample = url_for("results.department", cycle_id=cycle_id, department_id=0)
    prefix = sample.removesuffix("/0")
    if prefix == sample:  # the route changed shape: build each one properly
        return lambda department_id: url_for("results.department", cycle_id=cycle_id, department_id=department_id)
    return lambda department_id: f"{prefix}/{department_id}"


def _council(cycle_id: int):
    """The cycle, whether to include returns still being written (?include=1), its council-wide data."""
    cycle = get_results_cycle_or_404(cycle_id)
    include, problems = parse_flag(request.args, "include")
    return cycle, include, council_data(cycle, include_unsubmitted=include), problems


@bp.route("/results")
@allow(*READERS)
def index() -> str:
    if sees_everything(_user()):
        return render_template("results/index.html", cycles=results_cycles(), returns=None)
    return render_template("results/index.html", cycles=None, returns=returns_for(_user()),
                           status_label=return_status_label)


@bp.route("/cycles/<int:cycle_id>/results")
@allow(Permission.VIEW_ALL_RETURNS)
def heatmap_page(cycle_id: int) -> tuple[str, int] | str:
    cycle, include, data, problems = _council(cycle_id)
    themes = theme_labels(data.frame)
    sort, descending, sort_problems = parse_sort(request.args, themes)
    problems += sort_problems
    table = heatmap(data.frame, bands(), sort=sort, descending=descending, themes=themes)
    totals = overall(data.frame, bands())
    chart = _department_chart(table.rows, totals["score"]) if table.rows else None
    rows = heatmap_rows(table, _department_urls(cycle.id))
    return _render("results/heatmap.html", problems, cycle=cycle, table=table, heatmap_rows=rows, totals=totals,
                   include=include,
                   basis=basis(cycle, include), sort=sort, descending=descending, chart=chart, section="heatmap",
                   headings=theme_headings(table.themes))


@bp.route("/cycles/<int:cycle_id>/results/themes")
@allow(Permission.VIEW_ALL_RETURNS)
def themes(cycle_id: int) -> tuple[str, int] | str:
    cycle, include, data, problems = _council(cycle_id)
    profile = theme_profile(data.frame, bands())
    matters = matter_profile(data.frame, bands())
    theme_chart = bar_chart("theme-scores", "Score by theme across the council", _bars(profile, "label")) \
        if not profile.empty else None
    matter_chart = bar_chart("matter-scores", "Score by matter across the council", _bars(matters, "label")) \
        if not matters.empty else None
    return _render("results/themes.html", problems, cycle=cycle, profile=profile, matters=matters,
                   theme_chart=theme_chart, matter_chart=matter_chart, include=include, basis=basis(cycle, include),
                   totals=overall(data.frame, bands()), section="themes")


@bp.route("/cycles/<int:cycle_id>/results/departments/<int:department_id>")
@allow(*READERS)
def department(cycle_id: int, department_id: int) -> tuple[str, int] | str:
    cycle = get_results_cycle_or_404(cycle_id)
    dept = get_department_for_reader_or_404(_user(), department_id)
    assignment = department_return(cycle, dept.id)
    if assignment is None:
        abort(404)
    data = department_data(cycle, dept.id)
    profile = theme_profile(data.frame, bands())
    gaps = gap_register(data.frame, GapFilter(department_id=dept.id))
    chart = bar_chart(f"department-{dept.id}-themes", f"{dept.name}: score by theme", _bars(profile, "label")) \
        if not profile.empty else None
    return_url = (url_for("review.detail", assignment_id=assignment.id) if sees_everything(_user())
                  else url_for("respond.task_list", assignment_id=assignment.id))
    rows = data.frame[data.frame["assignment_id"] == assignment.id] if not data.frame.empty else data.frame
    outcomes = dict(zip(rows["question_id"], rows["outcome"], strict=True)) if not rows.empty else {}
    checks = evidence_check_summary(outcomes, checked_questions(assignment.id))
    return _render("results/department.html", [], cycle=cycle, department=dept, assignment=assignment,
                   totals=overall(data.frame, bands()), profile=profile, gaps=gaps, chart=chart, checks=checks,
                   actions=actions_by_gap(cycle.id, [dept.id]), can_plan=may_plan_for(_user(), dept.id),
                   return_url=return_url, status_label=return_status_label,
                   theme_names=theme_labels(data.frame), section="heatmap")


def _options(frame) -> tuple[dict[str, str], dict[str, str], dict[int, str]]:
    """The gap register's filter choices: themes, matters and departments present in the frame.

    Read from the frame's distinct values, not row by row: 3,000 departments' frame has 180,000 rows.
    """
    themes = theme_labels(frame)
    present = {m for matters in frame["matter"].unique() for m in matters} if not frame.empty else set()
    matters = {key: label for key, label in MATTER_LABELS.items() if key in present}
    matters |= {m: m for m in sorted(present - set(MATTER_LABELS))}
    named = frame[["department_id", "department"]].drop_duplicates("department_id").dropna(subset=["department_id"])
    departments = dict(sorted(
        ((int(department_id), str(name)) for department_id, name in
         zip(named["department_id"].to_numpy(), named["department"].to_numpy(dtype=object), strict=True)),
        key=lambda item: item[1].casefold()))
    return themes, matters, departments


@bp.route("/cycles/<int:cycle_id>/gaps")
@allow(Permission.VIEW_ALL_RETURNS)
def gaps(cycle_id: int) -> tuple[str, int] | str:
    cycle, include, data, problems = _council(cycle_id)
    counted = basis(cycle, include)
    themes, matters, departments = _options(data.frame)
    # Departmental questionnaires mark no question statutory (the duty itself is the law): a filter that can
    # only ever show nothing is left out, and a link that asks for it is told why.
    has_statutory = bool(data.frame["statutory"].astype(bool).any())
    wanted, filter_problems = parse_gap_filter(request.args, themes=themes, matters=matters, departments=departments,
                                               statutory_allowed=has_statutory)
    page, page_problems = parse_page(request.args)
    if counted.has_figures:  # with nothing counted the page says so; a filter has nothing to narrow
        problems += filter_problems + page_problems
    register = gap_register(data.frame, wanted) if not problems else gap_register(data.frame.iloc[0:0])
    shown, window = _one_page(register, page, problems if counted.has_figures else [], "gaps")
    args = _query(request.args)
    return _render("results/gaps.html", problems, cycle=cycle, register=shown, window=window, wanted=wanted,
                   themes=themes, matters=matters, departments=departments, has_statutory=has_statutory,
                   include=include, basis=counted, section="gaps",
                   pagination=_pagination("results.gaps", window, args, cycle_id=cycle.id),
                   toggle_args={k: v for k, v in args.items() if k != "include"},
                   statutory_value={True: "yes", False: "no", None: ""}[wanted.statutory])


def _query(args: Mapping[str, str]) -> dict[str, str]:
    return {key: value for key, value in args.items() if key != "page" and value}


def _one_page(rows: pd.DataFrame, page: int, problems: list[FilterProblem], what: str
              ) -> tuple[pd.DataFrame, PageWindow]:
    """The rows of page `page` (PAGE_SIZE a page) and where they sit in the list.

    A page beyond the end is a problem with the address, named back to the reader.
    """
    window = page_window(page, len(rows))
    if window is None:
        pages = page_window(1, len(rows)).pages
        if not problems:
            problems.append(FilterProblem("page", f"There {'is' if pages == 1 else 'are'} only {pages} "
                                                  f"page{'s' if pages != 1 else ''} of {what}; page {page} is "
                                                  "beyond the end"))
        window = page_window(1, len(rows))
    return (rows.iloc[window.first - 1: window.last] if not problems else rows), window


def _pagination(endpoint: str, window: PageWindow, args: Mapping[str, str], **values: object) -> dict:
    """The govukPagination parameters for a long list; `values` and `args` (the filters) go into every link."""
    page, pages = window.page, window.pages

    def href(number: int) -> str:
        return url_for(endpoint, page=number, **values, **args)

    items = [{"ellipsis": True} if number is None else {"number": number, "href": href(number),
                                                         "current": number == page}
             for number in page_numbers(page, pages)]
    return {"previous": {"href": href(page - 1)} if page > 1 else None,
            "next": {"href": href(page + 1)} if page < pages else None, "items": items}


def _compliance_chart(checklist: ChecklistCompliance):
    """A bar per line of the checklist's compliance table: share of items met, banded like every score."""
    bars = tuple(Bar(c.label, c.share, bands().band(c.share).value if c.share is not None else None)
                 for c in checklist.rows)
    what = "hallmark items" if checklist.by_hallmark else "items"
    return bar_chart(f"compliance-{checklist.assignment_id}", f"{checklist.title}: share of {what} met", bars)


def compliance_heading(checklists: list[ChecklistCompliance]) -> str:
    """The page's heading: it speaks of hallmarks only when every checklist on it is grouped by hallmark."""
    if checklists and all(c.by_hallmark for c in checklists):
        return "Hallmarks of Effective Partnership"
    return "Partnership checklists"


@bp.route("/cycles/<int:cycle_id>/hallmarks")
@allow(Permission.VIEW_ALL_RETURNS)
def hallmarks(cycle_id: int) -> str:
    cycle = get_results_cycle_or_404(cycle_id)
    checklists = partnership_compliance(cycle)
    return _render("results/hallmarks.html", [], cycle=cycle, checklists=checklists,
                   charts={c.assignment_id: _compliance_chart(c) for c in checklists},
                   heading=compliance_heading(checklists), actions=actions_by_gap(cycle.id, [None]),
                   can_plan=may_plan_for(_user(), None), status_label=return_status_label, section="hallmarks")


@bp.route("/cycles/<int:cycle_id>/peer-approaches")
@allow(Permission.VIEW_ALL_RETURNS)
def approaches(cycle_id: int) -> str:
    cycle = get_results_cycle_or_404(cycle_id)
    matrix = approach_matrix(peer_data(cycle).frame)
    return _render("results/approaches.html", [], cycle=cycle, matrix=matrix, status_label=status_label,
                   section="approaches")


def _cycle_arg(name: str, label: str, choices: Mapping[int, object], problems: list[FilterProblem]):
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    if parse_id(raw) in choices:
        return choices[parse_id(raw)]
    problems.append(FilterProblem(name, f"There is no opened cycle ‘{raw}’ to use as the {label} cycle: "
                                        "choose one from the list"))
    return None


@bp.route("/results/compare")
@allow(Permission.VIEW_ALL_RETURNS)
def compare() -> tuple[str, int] | str:
    cycles = results_cycles()
    by_id = {c.id: c for c in cycles}
    problems: list[FilterProblem] = []
    earlier = _cycle_arg("earlier", "earlier", by_id, problems)
    later = _cycle_arg("later", "later", by_id, problems)
    wanted_change = (request.args.get("change") or "").strip() or None
    if wanted_change is not None and wanted_change not in {c.value for c in Change}:
        problems.append(FilterProblem("change", f"‘{wanted_change}’ is not a kind of change: choose new, closed, "
                                                "persisting or worse"))
        wanted_change = None
    if earlier is not None and later is not None:
        problems += compare_order_problems(earlier, later)
    page, page_problems = parse_page(request.args)
    problems += page_problems
    result = None
    if earlier is not None and later is not None and not problems:
        result = _comparison(earlier, later, wanted_change, page, problems)
    return _render("results/compare.html", problems, cycles=cycles, earlier=earlier, later=later, result=result,
                   wanted_change=wanted_change, change_labels=CHANGE_LABELS, ordered_unique=ordered_unique)


@bp.route("/results/compare/departments/<int:department_id>")
@allow(Permission.VIEW_ALL_RETURNS)
def compare_department(department_id: int) -> tuple[str, int] | str:
    """One department's answers that changed between two cycles, each with the earlier and the later answer."""
    department = get_department_for_reader_or_404(_user(), department_id)
    by_id = {c.id: c for c in results_cycles()}
    problems: list[FilterProblem] = []
    earlier = _cycle_arg("earlier", "earlier", by_id, problems)
    later = _cycle_arg("later", "later", by_id, problems)
    for name, chosen in (("earlier", earlier), ("later", later)):
        if chosen is None and not any(problem.field == name for problem in problems):
            problems.append(FilterProblem(name, f"The address does not say which cycle is the {name} one"))
    if earlier is not None and later is not None:
        problems += compare_order_problems(earlier, later)
    if problems:
        return _render("results/compare_department.html", problems, department=department, earlier=earlier,
                       later=later, changes=None, missing=[])
    before = department_answers_in_words(earlier, department.id).frame
    after = department_answers_in_words(later, department.id).frame
    missing = [cycle for cycle, frame in ((earlier, before), (later, after)) if frame.empty]
    changes = None if missing else department_answer_changes(before, after, department.id)
    return _render("results/compare_department.html", [], department=department, earlier=earlier, later=later,
                   changes=changes, missing=missing)


def _comparison(earlier, later, wanted_change: str | None, page: int, problems: list[FilterProblem]) -> dict | None:
    """What the comparison page shows: counts, one page of changed gaps, score changes. None on a bad page."""
    missing = [(cycle, counted.no_figures_reason) for cycle in (earlier, later)
               if not (counted := basis(cycle, False)).has_figures]
    if missing:  # nothing to compare with: say which cycle has no departmental figures, and why
        return {"missing": missing}
    before, after = council_data(earlier).frame, council_data(later).frame
    changes = gap_changes(before, after)
    listed = changes[changes["change"] == wanted_change] if wanted_change else changes
    shown, window = _one_page(listed, page, problems, "gaps")
    if problems:
        return None
    args = {"earlier": str(earlier.id), "later": str(later.id), **({"change": wanted_change} if wanted_change else {})}
    after_names = theme_labels(after)
    return {
        "missing": [],
        "counts": change_counts(changes),
        "changes": shown, "listed": len(listed), "window": window,
        "pagination": _pagination("results.compare", window, args, _anchor="changes"),
        "departments": score_changes(before, after, "department", bands()),
        "answers": answer_changes(before, after),
        "themes": score_changes(before, after, "theme", bands()),
        "theme_names": after_names | {k: v for k, v in theme_labels(before).items() if k not in after_names},
    }
