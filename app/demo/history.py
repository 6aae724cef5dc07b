"""The demo council's past and follow-up: last year's closed cycle, and an action plan from this year's gaps.

Last year every department's return was accepted, each a little weaker than this
year, so the cycle comparison shows gaps closed, persisting, new and worse. The
action plan covers every state a community safety officer meets: done, in
progress, not started, overdue, dropped with a reason, and a partnership action
from the hallmark checklist. Each action is raised after the return it came from
was submitted and reviewed, and falls due after it was raised (timeline.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import delete, func, select

from app.analysis.gaps import gap_register
from app.audit.services import record_event
from app.cycles.services import CycleDetails, QuestionnaireChoice, close_cycle, create_cycle, open_cycle
from app.demo.answers import departmental_answers, partnership_answers, store_answers
from app.demo.content import DEPARTMENTS
from app.demo.timeline import PREVIOUS_CLOSED_AT, PREVIOUS_CREATED_AT, PREVIOUS_OPENED_AT, at_ten, dated
from app.extensions import db
from app.models import Action, ActionNote, Answer, Assignment, Cycle, Department, OutboxMessage, User
from app.questionnaires.registry import definition_from_snapshot
from app.results.loading import SUBMITTED_STATUSES, load_cycle

PREVIOUS_CYCLE_NAME = "Section 17 audit 2025 to 2026"
PREVIOUS_QUESTIONNAIRES = ("departmental-self-assessment", "hallmarks-of-effective-partnership")
YEAR_ON_WEAKNESS = 0.15  # how much weaker each department was a year earlier


def create_previous_cycle(officer: User | None, leads: dict[str, User | None]) -> Cycle:
    """Last year's cycle, closed, with every return accepted."""
    details = CycleDetails(PREVIOUS_CYCLE_NAME, date(2025, 4, 1), date(2026, 3, 31), date(2025, 6, 30),
                           tuple(QuestionnaireChoice(q) for q in PREVIOUS_QUESTIONNAIRES))
    with dated(PREVIOUS_CREATED_AT):
        cycle = create_cycle(officer, details)
    with dated(PREVIOUS_OPENED_AT):
        open_cycle(officer, cycle, PREVIOUS_OPENED_AT.date())
    # Last year is history written now: nobody is to be told today that it opened.
    db.session.execute(delete(OutboxMessage).where(OutboxMessage.cycle_id == cycle.id))
    db.session.info.pop("section17_outbox_new", None)
    opened = PREVIOUS_OPENED_AT
    from app.demo.services import date_cycle  # app.demo.services imports this module

    date_cycle(cycle, PREVIOUS_CREATED_AT, opened)
    year = cycle.period_start.year
    by_code = {d.code: d for d in DEPARTMENTS}
    for assignment in db.session.scalars(select(Assignment).where(Assignment.cycle_id == cycle.id)):
        definition = definition_from_snapshot(assignment.snapshot)
        if assignment.respondent_type == "department":
            spec = by_code.get(assignment.department.code)
            if spec is None:
                continue
            weaker = replace(spec, strength=max(0.1, spec.strength - YEAR_ON_WEAKNESS))
            lead = leads.get(spec.code)
            store_answers(assignment, departmental_answers(definition, weaker, assignment.department.name, year=year),
                          lead, opened + timedelta(days=20))
            assignment.submitted_by_id = lead.id if lead else None
            respondent = assignment.department.name
        else:
            lead = officer
            store_answers(assignment, partnership_answers(definition, year=year, answered_share=1.0), officer,
                          opened + timedelta(days=30))
            assignment.submitted_by_id = officer.id if officer else None
            respondent = "The partnership"
        assignment.started_at = opened + timedelta(days=2)
        assignment.submitted_at = opened + timedelta(days=40)
        assignment.reviewed_at = opened + timedelta(days=45)
        assignment.reviewed_by_id = officer.id if officer else None
        assignment.submission_count = 1
        assignment.status = "accepted"
        _history(assignment, respondent, lead, officer)
    db.session.flush()
    with dated(PREVIOUS_CLOSED_AT):
        close_cycle(officer, cycle)
    cycle.closed_at = PREVIOUS_CLOSED_AT
    return cycle


def _history(assignment: Assignment, respondent: str, author: User | None, officer: User | None) -> None:
    """The audit trail of a return of last year: started, submitted, accepted."""
    steps = (("assignment.started", assignment.started_at, author, "Started", "not_started", "in_progress"),
             ("assignment.submitted", assignment.submitted_at, author, "Submitted", "in_progress", "submitted"),
             ("assignment.accepted", assignment.reviewed_at, officer, "Accepted", "submitted", "accepted"))
    for action, when, actor, verb, before, after in steps:
        with dated(when):
            record_event(action, object_type="assignment", object_id=assignment.id, actor=actor,
                         summary=f"{verb} the return for {respondent}", before={"status": before},
                         after={"status": after})


# (title, what done looks like, status, days from today to the due date, progress notes, dropped reason)
ACTION_PLAN = (
    ("Add a crime and disorder section to every committee report template",
     "The template has the section, and every report to the next two committee cycles completes it.",
     "done", -5, ("Draft template agreed with Democratic Services.", "New template live on the intranet."), ""),
    ("Brief team managers on the Section 17 duty",
     "Every team manager has attended a 30-minute briefing; attendance recorded.",
     "in_progress", 45, ("Four of nine teams briefed so far.",), ""),
    ("Put a Section 17 indicator in the service plan",
     "The 2027 to 2028 service plan has at least one measurable crime and disorder target.",
     "not_started", -7, (), ""),
    ("Ask suppliers about crime prevention in every tender",
     "The tender template asks the question and the answer is scored.",
     "dropped", 60, ("Procurement rules are being rewritten county-wide.",),
     "The county-wide procurement review will cover this; we will adopt its template."),
    ("Name a deputy Section 17 lead officer",
     "A deputy is named in the service plan and has had the induction.",
     "not_started", 90, (), ""),
)


RAISED_AFTER_REVIEW = timedelta(days=2)


def create_demo_actions(cycle: Cycle, officer: User | None, today: date, now: datetime) -> None:
    """Actions raised from real gaps in the open cycle, one per department with gaps, plus one partnership action.

    Each is raised two days after the return it came from was reviewed (or submitted, or, for the
    checklist, last saved), never later than yesterday.
    """
    frame = load_cycle(cycle, respondent_types=["department"], statuses=SUBMITTED_STATUSES).frame
    gaps = gap_register(frame[frame["outcome"] == "gap"])
    firsts = gaps.drop_duplicates("department_id").head(len(ACTION_PLAN))
    for plan, gap in zip(ACTION_PLAN, firsts.itertuples(), strict=False):
        department = db.session.get(Department, int(gap.department_id))
        owner = department.lead_officers[0] if department.lead_officers else officer
        source = db.session.scalar(select(Assignment).where(Assignment.cycle_id == cycle.id,
                                                            Assignment.department_id == department.id))
        raised = _raised(source.reviewed_at or source.submitted_at, now)
        _add_action(cycle, department, gap.definition_id, gap.question_id, gap.question, plan, owner, officer, today,
                    raised)
    hallmarks = load_cycle(cycle, respondent_types=["partnership"]).frame
    not_met = hallmarks[(hallmarks["outcome"] == "gap") & (hallmarks["value"] == "not_met")]
    if not not_met.empty and officer is not None:
        item = not_met.iloc[0]
        plan = ("Agree a partnership strategy with the strategy group",
                "The strategy group has signed off a three-year strategy and published it.",
                "in_progress", 30, ("First draft shared with the strategy group.",), "")
        saved = db.session.scalar(select(func.max(Answer.updated_at)).join(Assignment).where(
            Assignment.cycle_id == cycle.id, Assignment.respondent_type == "partnership"))
        _add_action(cycle, None, item["definition_id"], item["question_id"], item["question"], plan, officer,
                    officer, today, _raised(saved, now))


def _raised(after: datetime, now: datetime) -> datetime:
    """Ten in the morning, two days after `after`, and no later than yesterday."""
    return min(at_ten((after + RAISED_AFTER_REVIEW).date()), at_ten((now - timedelta(days=1)).date()))


def _add_action(cycle: Cycle, department: Department | None, definition_id: str, question_id: str, gap_text: str,
                plan: tuple, owner: User | None, officer: User | None, today: date, raised: datetime) -> None:
    title, done, status, due_in, notes, dropped_reason = plan
    due = max(today + timedelta(days=due_in), raised.date() + timedelta(days=7))  # never due before it was raised
    action = Action(cycle_id=cycle.id, department_id=department.id if department else None,
                    definition_id=definition_id, question_id=question_id, gap_text=gap_text, title=title,
                    done_looks_like=done, owner_id=(owner or officer).id, due_date=due,
                    status=status, dropped_reason=dropped_reason, created_by_id=officer.id if officer else None,
                    created_at=raised, updated_at=raised)
    db.session.add(action)
    db.session.flush()
    event = record_event("action.created", object_type="action", object_id=action.id, actor=officer,
                         summary=f"Raised the action ‘{title}’ for {action.department_name}",
                         after=action.as_audit_dict())
    event.occurred_at = raised
    for day, text in enumerate(notes, start=1):
        note_status = status if day == len(notes) else "in_progress"
        written = raised + timedelta(days=3 * day)
        action.notes.append(ActionNote(author_id=(owner or officer).id, text=text, status=note_status,
                                       written_at=written))
        action.updated_at = written
