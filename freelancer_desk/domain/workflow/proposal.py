"""Proposal lifecycle: draft → submitted → viewed → interviewing → offer → hired, or it stops."""

from __future__ import annotations

from enum import StrEnum

from freelancer_desk.domain.workflow.machine import StateMachine


class ProposalState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VIEWED = "viewed"
    INTERVIEWING = "interviewing"
    OFFER = "offer"
    HIRED = "hired"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ARCHIVED = "archived"


class ProposalAction(StrEnum):
    SUBMIT = "submit"
    MARK_VIEWED = "mark_viewed"
    INTERVIEW = "interview"
    RECEIVE_OFFER = "receive_offer"
    HIRE = "hire"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    ARCHIVE = "archive"


_P, _A = ProposalState, ProposalAction

# Clients skip steps (an offer without an interview, an interview before the proposal
# shows as viewed), so each open state may jump forward; it never moves back.
PROPOSAL: StateMachine[ProposalState, ProposalAction] = StateMachine(
    "proposal",
    {
        _P.DRAFT: {_A.SUBMIT: _P.SUBMITTED, _A.ARCHIVE: _P.ARCHIVED},
        _P.SUBMITTED: {
            _A.MARK_VIEWED: _P.VIEWED,
            _A.INTERVIEW: _P.INTERVIEWING,
            _A.RECEIVE_OFFER: _P.OFFER,
            _A.DECLINE: _P.DECLINED,
            _A.WITHDRAW: _P.WITHDRAWN,
            _A.ARCHIVE: _P.ARCHIVED,
        },
        _P.VIEWED: {
            _A.INTERVIEW: _P.INTERVIEWING,
            _A.RECEIVE_OFFER: _P.OFFER,
            _A.DECLINE: _P.DECLINED,
            _A.WITHDRAW: _P.WITHDRAWN,
            _A.ARCHIVE: _P.ARCHIVED,
        },
        _P.INTERVIEWING: {
            _A.RECEIVE_OFFER: _P.OFFER,
            _A.DECLINE: _P.DECLINED,
            _A.WITHDRAW: _P.WITHDRAWN,
            _A.ARCHIVE: _P.ARCHIVED,
        },
        _P.OFFER: {
            _A.HIRE: _P.HIRED,
            _A.DECLINE: _P.DECLINED,
            _A.WITHDRAW: _P.WITHDRAWN,
            _A.ARCHIVE: _P.ARCHIVED,
        },
        _P.HIRED: {},
        _P.DECLINED: {_A.ARCHIVE: _P.ARCHIVED},
        _P.WITHDRAWN: {_A.ARCHIVE: _P.ARCHIVED},
        _P.ARCHIVED: {},
    },
    reasons={
        (_P.HIRED, _A.HIRE): "it is already hired (a proposal is hired once)",
        (_P.HIRED, _A.ARCHIVE): "it is hired; its contract carries on",
    },
    verbs={_A.MARK_VIEWED: "mark as viewed", _A.RECEIVE_OFFER: "receive an offer on"},
)
