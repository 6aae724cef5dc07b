"""What the workbook's sheets hold: the columns of each table sheet, the words used for outcomes and
statuses, and the note on each sheet that About lists. One place, so the layout an auditor relies on is
read and changed in one file."""

from __future__ import annotations

from app.analysis.frame import MATTER_LABELS
from app.exports.sheets import (
    Column,
    Kind,
)
from app.questionnaires.scoring import Outcome
from app.questionnaires.workflow import STATUS_LABELS

OUTCOME_WORDS = {
    Outcome.MET.value: "Met", Outcome.GAP.value: "Gap", Outcome.UNANSWERED.value: "Not answered",
    Outcome.NOT_APPLICABLE.value: "Not applicable", Outcome.HIDDEN.value: "Not asked (an earlier answer hid it)",
    Outcome.UNSCORED.value: "Not scored",
}
MET, GAP, UNANSWERED, NOT_APPLICABLE, HIDDEN = (Outcome.MET.value, Outcome.GAP.value, Outcome.UNANSWERED.value,
                                                Outcome.NOT_APPLICABLE.value, Outcome.HIDDEN.value)
IN_SCOPE = {MET, GAP, UNANSWERED}
RETURN_STATUSES = tuple(STATUS_LABELS.values())
ACTION_STATUSES = ("Not started", "In progress", "Done", "Dropped")
ACTION_ORIGINS = ("Gap found by the audit", "Recommendation", "Carried over", "Other")
YES_NO = ("Yes", "No")
PROGRESS_EVERY = 25  # returns
MATRIX_WIDTH = 24  # characters: each department's column in the Matrix

MATTER_COLUMNS = tuple(Column(label, width=12, choices=YES_NO) for label in MATTER_LABELS.values())
RESPONSES_COLUMNS = (
    Column("Return id", Kind.INTEGER, 8), Column("Answer id", Kind.INTEGER, 9), Column("Respondent type", width=13),
    Column("Department or partnership", width=28), Column("Code", width=8),
    Column("Questionnaire", width=24), Column("Version", Kind.INTEGER, 8), Column("Section", width=24),
    Column("Theme", width=22), Column("Statutory", width=9, choices=YES_NO), *MATTER_COLUMNS,
    Column("Question id", width=22), Column("Question", Kind.LONG_TEXT, 50), Column("Answer", Kind.LONG_TEXT, 36),
    Column("Answer as stored", Kind.VALUE, 16), Column("Score", Kind.PERCENT, 8),
    Column("Target", Kind.LONG_TEXT, 28), Column("Gap", width=6, choices=YES_NO), Column("Outcome", width=16),
    Column("Evidence or comment", Kind.LONG_TEXT, 40), Column("Planned action", Kind.LONG_TEXT, 32),
    Column("Return status", width=18, choices=RETURN_STATUSES), Column("Answered by", width=22),
    Column("Answered at", Kind.DATETIME, 17), Column("Evidence checked by", width=22),
    Column("Evidence checked at", Kind.DATETIME, 17),
)
GAPS_COLUMNS = (
    Column("Return id", Kind.INTEGER, 8), Column("Answer id", Kind.INTEGER, 9),
    Column("Department or partnership", width=28), Column("Code", width=8), Column("Theme", width=22),
    Column("Statutory", width=9, choices=YES_NO), *MATTER_COLUMNS,
    Column("Question id", width=22), Column("Question", Kind.LONG_TEXT, 50), Column("Answer", Kind.LONG_TEXT, 32),
    Column("Answer as stored", Kind.VALUE, 16), Column("Score", Kind.PERCENT, 8), Column("Target", Kind.LONG_TEXT, 28),
    Column("Evidence or comment", Kind.LONG_TEXT, 36), Column("Return status", width=18, choices=RETURN_STATUSES),
    Column("Action id", Kind.INTEGER, 8), Column("Action status", width=13, choices=ACTION_STATUSES),
    Column("Action due", Kind.DATE, 12),
)
SUMMARY_COLUMNS = (
    Column("Department", width=34), Column("Code", width=8), Column("Return id", Kind.INTEGER, 8),
    Column("Return status", width=20, choices=RETURN_STATUSES),
    Column("Overdue", width=9, choices=YES_NO), Column("Deadline", Kind.DATE, 12), Column("Submitted", Kind.DATE, 12),
    Column("Questions", Kind.INTEGER, 10), Column("Answered", Kind.INTEGER, 10), Column("Met", Kind.INTEGER, 8),
    Column("Gaps", Kind.INTEGER, 8), Column("Not answered", Kind.INTEGER, 10),
    Column("Not applicable", Kind.INTEGER, 10), Column("Score", Kind.PERCENT, 8),
    Column("Coverage (answered of asked)", Kind.SHARE, 11), Column("Band", width=18),
    Column("In council-wide figures", width=11, choices=YES_NO),
    Column("Gaps with evidence checked", Kind.INTEGER, 12), Column("Met with evidence checked", Kind.INTEGER, 12),
    Column("Reviewed by", width=22), Column("Last decision on", Kind.DATE, 12),
    Column("Reason it was last sent back", Kind.LONG_TEXT, 40),
)
SUMMARY_AT = {column.header: index for index, column in enumerate(SUMMARY_COLUMNS)}
SUMMARY_COUNTED_COLUMN = SUMMARY_AT["In council-wide figures"]  # "No" marks a provisional row
SUMMARY_SCORE_COLUMN = SUMMARY_AT["Score"]  # which the Summary's chart draws

ACTION_COLUMNS = (
    Column("Action id", Kind.INTEGER, 8), Column("Action", Kind.LONG_TEXT, 36), Column("Department", width=26),
    Column("Return id", Kind.INTEGER, 8),
    Column("Comes from", width=20, choices=ACTION_ORIGINS),
    Column("Which recommendation, plan or decision", Kind.LONG_TEXT, 30),
    Column("Question id", width=20),
    Column("Gap it came from", Kind.LONG_TEXT, 40), Column("Owner", width=22), Column("Due", Kind.DATE, 12),
    Column("Status", width=13, choices=ACTION_STATUSES), Column("Overdue", width=9, choices=YES_NO),
    Column("What done looks like", Kind.LONG_TEXT, 36), Column("Why dropped", Kind.LONG_TEXT, 24),
    Column("Latest note", Kind.LONG_TEXT, 36), Column("Latest note on", Kind.DATE, 12),
    Column("Notes", Kind.INTEGER, 7), Column("Raised", Kind.DATE, 12), Column("Last changed", Kind.DATETIME, 17),
)
AUDIT_COLUMNS = (
    Column("Event id", Kind.INTEGER, 8), Column("When", Kind.DATETIME, 17), Column("Who", width=30),
    Column("What", width=24),
    Column("About", width=16), Column("Its id", width=8), Column("Summary", Kind.LONG_TEXT, 50),
    Column("Before", Kind.LONG_TEXT, 40), Column("After", Kind.LONG_TEXT, 40), Column("Internet address", width=16),
)
COMMENT_STATES = ("Open", "Resolved")
COMMENT_COLUMNS = (
    Column("Department or partnership", width=28), Column("Code", width=8), Column("Question id", width=22),
    Column("Question", Kind.LONG_TEXT, 40), Column("Comment", Kind.LONG_TEXT, 50), Column("Written by", width=22),
    Column("As", width=13, choices=("Reviewer", "Lead officer")), Column("Written at", Kind.DATETIME, 17),
    Column("Sent to the officer", Kind.DATETIME, 17), Column("State", width=10, choices=COMMENT_STATES),
    Column("Resolved at", Kind.DATETIME, 17), Column("Resolved because", Kind.LONG_TEXT, 26),
    Column("Resolved by", width=22), Column("Comment id", Kind.INTEGER, 9), Column("Return id", Kind.INTEGER, 9),
)
EVIDENCE_FILE_COLUMNS = (
    Column("Department or partnership", width=28), Column("Code", width=8),
    Column("Attached to", width=14, choices=("Answer", "Action progress note")), Column("Question id", width=22),
    Column("Question or action", Kind.LONG_TEXT, 40), Column("File name", Kind.LONG_TEXT, 30),
    Column("Type", width=22), Column("Size (bytes)", Kind.INTEGER, 11), Column("Attached by", width=22),
    Column("Attached at", Kind.DATETIME, 17), Column("First attached (carried over)", Kind.DATETIME, 17),
    Column("Kept unchanged since (cycle closed)", Kind.DATETIME, 17), Column("Text read", width=20),
    Column("SHA-256", width=66), Column("File id", Kind.INTEGER, 8), Column("Return id", Kind.INTEGER, 9),
)
REVIEW_COLUMNS = (
    Column("Return id", Kind.INTEGER, 8), Column("Department or partnership", width=28), Column("Code", width=8),
    Column("Submission", Kind.INTEGER, 10), Column("Submitted at", Kind.DATETIME, 17), Column("Submitted by", width=22),
    Column("Decision", width=20, choices=("Accepted", "Returned for changes")),
    Column("Decided at", Kind.DATETIME, 17), Column("Decided by", width=22),
    Column("Reason given", Kind.LONG_TEXT, 48),  # 200 characters in all: one page wide
)
SHEET_NOTES = (
    ("About", "This page: what the workbook covers, the questionnaires with their versions and fingerprints, "
              "and the rules behind every figure."),
    ("Summary", "Each department's return: its status, score and how much of it was answered (a return not yet "
                "submitted has a provisional band, greyed); a council-wide row counting submitted returns only, "
                "as the results pages do; each partnership checklist's compliance; charts."),
    ("Responses", "One row per return and question, answered or not: the answer in words, its score against the "
                  "target, whether it is a gap, the evidence, who answered when, and who checked its evidence."),
    ("Matrix", "Each departmental question, with every department's answer side by side."),
    ("Gaps", "Every question whose answer misses its target, or that has not been answered."),
    ("Questions", "Every question of each questionnaire: its options with the score each carries, its target in "
                  "words and as data, how an answer scores, whether it is statutory and which of the four matters "
                  "it concerns: enough to work out any score again by hand."),
    ("Hallmarks", "The partnership's checklists item by item: the Hallmarks of Effective Partnership, and any "
                  "checklist of the council's own, with the hallmark or section each item is counted under."),
    ("Peer approaches", "How each peer partnership mainstreams the duty, with ours beside them."),
    ("Crime benchmarking", "Recorded crime per 1,000 people across the family group: rank, quartile and band."),
    ("Reviews", "Every submission of every return and what the reviewer decided about it: accepted or returned, "
                "when, by whom and with what reason, from the audit log."),
    ("Comments", "The review's conversation on each answer: the reviewer's comments as sent to the lead officer "
                 "with a decision, the officer's replies, and how each was resolved. Drafts not yet sent are not "
                 "included."),
    ("Evidence files", "Every file attached to an answer or to an action's progress note: who attached it when, "
                       "and its SHA-256, which the same file in the cycle's evidence pack matches."),
    ("Actions", "The improvement action plan."),
    ("Audit log", "Every recorded change and event for what this workbook covers, oldest first."),
)
