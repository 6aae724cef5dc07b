"""What the peer pages show of a partnership's answers, and the message that goes with a new link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.analysis.crime import TableRow, period_sort_key
from app.benchmarking.crime.offences import offence_labels
from app.benchmarking.crime.services import benchmark_group, offence_table
from app.extensions import db
from app.models import Assignment, CrimeStatistic, Cycle, PeerInvitation, PeerPartnership
from app.organisation.services import current_organisation
from app.questionnaires.definition import Definition
from app.respond.services import definition_of, stored_answers, visible_questions


@dataclass(frozen=True)
class PeerReturn:
    assignment: Assignment
    definition: Definition
    answers: dict[str, Any]
    visible: set[str]


def peer_returns(peer: PeerPartnership) -> list[PeerReturn]:
    """The partnership's returns of the peer questionnaire, newest cycle first, with their answers."""
    assignments = db.session.scalars(
        select(Assignment).join(Cycle).where(Assignment.peer_partnership_id == peer.id)
        .options(selectinload(Assignment.answers), selectinload(Assignment.snapshot), selectinload(Assignment.cycle))
        .order_by(Cycle.period_start.desc(), Assignment.id.desc()))
    returns = []
    for assignment in assignments:
        definition = definition_of(assignment)
        answers = stored_answers(assignment)
        returns.append(PeerReturn(assignment, definition, answers, visible_questions(definition, answers)))
    return returns


def message_for_new_link(invitation: PeerInvitation, link: str, sender: str) -> str:
    from app.benchmarking.invitations import invitation_text

    organisation = current_organisation()
    return invitation_text(invitation, link, partnership_name=organisation.partnership_name
                           or organisation.council_name, sender=sender)


@dataclass(frozen=True)
class PeerFigure:
    """One of a partnership's crime figures, with where it stands in the family group."""

    offence: str  # the offence type's label
    key: str
    period: str
    figure: CrimeStatistic
    row: TableRow | None  # its row in the group's table; None when the partnership is outside the group
    n: int  # partnerships in the group with a figure


def crime_figures_of(peer: PeerPartnership) -> list[PeerFigure]:
    """The partnership's figures, newest period first, each ranked in the group (app.benchmarking.crime.services)."""
    labels = offence_labels()
    order = {key: index for index, key in enumerate(labels)}
    figures = sorted(db.session.scalars(select(CrimeStatistic).where(CrimeStatistic.peer_partnership_id == peer.id)),
                     key=lambda s: (tuple(-part for part in period_sort_key(s.period)[:2]), order.get(s.offence, 99)))
    group = benchmark_group()
    in_group = any(p.id == peer.id for p in group.partnerships)
    result = []
    for figure in figures:
        table = offence_table(figure.offence, figure.period, group) if in_group else None
        row = next((r for r in table.rows if r.partnership == peer.name), None) if table else None
        result.append(PeerFigure(labels.get(figure.offence, figure.offence), figure.offence, figure.period, figure, row,
                                 table.n if table else 0))
    return result
