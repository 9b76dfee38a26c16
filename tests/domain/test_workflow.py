from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.workflow.contract import (
    CONTRACT,
    ContractAction,
    ContractKind,
    ContractState,
    check_weekly_limit,
)
from freelancer_desk.domain.workflow.gig import GIG, GigAction, GigState
from freelancer_desk.domain.workflow.milestone import (
    MILESTONE,
    MilestoneAction,
    MilestoneState,
    auto_release_at,
    check_editable,
    is_auto_release_due,
)
from freelancer_desk.domain.workflow.order import (
    ORDER,
    UNLIMITED_REVISIONS,
    OrderAction,
    OrderState,
    check_revision_allowed,
    delivery_days,
    is_auto_complete_due,
    is_late,
    late_by,
    order_allowed_actions,
    order_due_at,
    request_revision,
)
from freelancer_desk.domain.workflow.proposal import PROPOSAL, ProposalAction, ProposalState
from freelancer_desk.domain.workflow.time_session import (
    TIME_SESSION,
    TimeSessionAction,
    TimeSessionState,
)

MACHINES = [
    (GIG, GigState, GigAction),
    (ORDER, OrderState, OrderAction),
    (PROPOSAL, ProposalState, ProposalAction),
    (CONTRACT, ContractState, ContractAction),
    (MILESTONE, MilestoneState, MilestoneAction),
    (TIME_SESSION, TimeSessionState, TimeSessionAction),
]
IDS = [m[0].aggregate for m in MACHINES]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# Every legal step, spelled out: a change to a machine's table shows up here.
LEGAL = [
    (GIG, "draft", "activate", "active"),
    (GIG, "draft", "archive", "archived"),
    (GIG, "active", "pause", "paused"),
    (GIG, "active", "archive", "archived"),
    (GIG, "paused", "activate", "active"),
    (GIG, "paused", "archive", "archived"),
    (ORDER, "awaiting_requirements", "start", "in_progress"),
    (ORDER, "awaiting_requirements", "cancel", "cancelled"),
    (ORDER, "in_progress", "deliver", "delivered"),
    (ORDER, "in_progress", "cancel", "cancelled"),
    (ORDER, "delivered", "request_revision", "revision_requested"),
    (ORDER, "delivered", "complete", "completed"),
    (ORDER, "delivered", "cancel", "cancelled"),
    (ORDER, "revision_requested", "start", "in_progress"),
    (ORDER, "revision_requested", "deliver", "delivered"),
    (ORDER, "revision_requested", "cancel", "cancelled"),
    (PROPOSAL, "draft", "submit", "submitted"),
    (PROPOSAL, "draft", "archive", "archived"),
    (PROPOSAL, "submitted", "mark_viewed", "viewed"),
    (PROPOSAL, "submitted", "interview", "interviewing"),
    (PROPOSAL, "submitted", "receive_offer", "offer"),
    (PROPOSAL, "submitted", "decline", "declined"),
    (PROPOSAL, "submitted", "withdraw", "withdrawn"),
    (PROPOSAL, "submitted", "archive", "archived"),
    (PROPOSAL, "viewed", "interview", "interviewing"),
    (PROPOSAL, "viewed", "receive_offer", "offer"),
    (PROPOSAL, "viewed", "decline", "declined"),
    (PROPOSAL, "viewed", "withdraw", "withdrawn"),
    (PROPOSAL, "viewed", "archive", "archived"),
    (PROPOSAL, "interviewing", "receive_offer", "offer"),
    (PROPOSAL, "interviewing", "decline", "declined"),
    (PROPOSAL, "interviewing", "withdraw", "withdrawn"),
    (PROPOSAL, "interviewing", "archive", "archived"),
    (PROPOSAL, "offer", "hire", "hired"),
    (PROPOSAL, "offer", "decline", "declined"),
    (PROPOSAL, "offer", "withdraw", "withdrawn"),
    (PROPOSAL, "offer", "archive", "archived"),
    (PROPOSAL, "declined", "archive", "archived"),
    (PROPOSAL, "withdrawn", "archive", "archived"),
    (CONTRACT, "active", "pause", "paused"),
    (CONTRACT, "active", "end", "ended"),
    (CONTRACT, "paused", "resume", "active"),
    (CONTRACT, "paused", "end", "ended"),
    (MILESTONE, "planned", "fund", "funded"),
    (MILESTONE, "funded", "submit", "submitted"),
    (MILESTONE, "funded", "release", "released"),
    (MILESTONE, "funded", "refund", "refunded"),
    (MILESTONE, "funded", "dispute", "disputed"),
    (MILESTONE, "submitted", "release", "released"),
    (MILESTONE, "submitted", "request_changes", "changes_requested"),
    (MILESTONE, "submitted", "refund", "refunded"),
    (MILESTONE, "submitted", "dispute", "disputed"),
    (MILESTONE, "changes_requested", "submit", "submitted"),
    (MILESTONE, "changes_requested", "release", "released"),
    (MILESTONE, "changes_requested", "refund", "refunded"),
    (MILESTONE, "changes_requested", "dispute", "disputed"),
    (MILESTONE, "disputed", "release", "released"),
    (MILESTONE, "disputed", "refund", "refunded"),
    (TIME_SESSION, "running", "stop", "stopped"),
    (TIME_SESSION, "running", "close_orphan", "orphan_closed"),
]


def _machine_types(machine):
    for m, states, actions in MACHINES:
        if m is machine:
            return states, actions
    raise AssertionError(machine)


@pytest.mark.parametrize(("machine", "state", "action", "after"), LEGAL)
def test_legal_steps(machine, state, action, after):
    states, actions = _machine_types(machine)
    assert machine.transition(states(state), actions(action)) is states(after)
    assert actions(action) in machine.allowed_actions(states(state))


@pytest.mark.parametrize(("machine", "states", "actions"), MACHINES, ids=IDS)
def test_table_holds_exactly_the_legal_steps(machine, states, actions):
    expected = {(s, a, n) for m, s, a, n in LEGAL if m is machine}
    actual = {
        (state.value, action.value, machine.transition(state, action).value)
        for state in states
        for action in machine.allowed_actions(state)
    }
    assert actual == expected
    # Every state has a row and every action is reachable from somewhere.
    assert set(machine.table) == set(states)
    assert {a for moves in machine.table.values() for a in moves} == set(actions)


@pytest.mark.parametrize(("machine", "states", "actions"), MACHINES, ids=IDS)
def test_every_other_step_is_refused_naming_the_rule(machine, states, actions):
    for state in states:
        for action in actions:
            if machine.can(state, action):
                continue
            with pytest.raises(RuleError) as info:
                machine.transition(state, action)
            error = info.value
            assert error.rule == f"{machine.aggregate}.{action.value}"
            assert str(error).startswith("cannot ")
            assert machine.aggregate.replace("_", " ") in str(error)
            assert str(error).endswith(f"(state: {state.value.replace('_', ' ')})")


@pytest.mark.parametrize(
    ("machine", "state", "action", "message"),
    [
        (
            MILESTONE,
            MilestoneState.PLANNED,
            MilestoneAction.RELEASE,
            "cannot release milestone: it is not funded (state: planned)",
        ),
        (
            MILESTONE,
            MilestoneState.RELEASED,
            MilestoneAction.RELEASE,
            "cannot release milestone: it is already released (state: released)",
        ),
        (
            MILESTONE,
            MilestoneState.RELEASED,
            MilestoneAction.FUND,
            "cannot fund milestone: it must be planned (state: released)",
        ),
        (
            ORDER,
            OrderState.CANCELLED,
            OrderAction.COMPLETE,
            "cannot complete order: it was cancelled (state: cancelled)",
        ),
        (
            ORDER,
            OrderState.IN_PROGRESS,
            OrderAction.REQUEST_REVISION,
            "cannot request a revision on order: it must be delivered (state: in progress)",
        ),
        (
            PROPOSAL,
            ProposalState.HIRED,
            ProposalAction.HIRE,
            "cannot hire proposal: it is already hired (a proposal is hired once) (state: hired)",
        ),
        (
            PROPOSAL,
            ProposalState.DRAFT,
            ProposalAction.WITHDRAW,
            "cannot withdraw proposal: it must be submitted or viewed or interviewing or offer"
            " (state: draft)",
        ),
        (
            MILESTONE,
            MilestoneState.FUNDED,
            MilestoneAction.REQUEST_CHANGES,
            "cannot request changes on milestone: it must be submitted (state: funded)",
        ),
        (
            CONTRACT,
            ContractState.ENDED,
            ContractAction.RESUME,
            "cannot resume contract: it must be paused (state: ended)",
        ),
        (
            TIME_SESSION,
            TimeSessionState.STOPPED,
            TimeSessionAction.STOP,
            "cannot stop time session: it must be running (state: stopped)",
        ),
    ],
)
def test_refusal_messages(machine, state, action, message):
    with pytest.raises(RuleError) as info:
        machine.transition(state, action)
    assert str(info.value) == message
    assert info.value.field == "state"
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    ("machine", "final"),
    [
        (GIG, {GigState.ARCHIVED}),
        (ORDER, {OrderState.COMPLETED, OrderState.CANCELLED}),
        (PROPOSAL, {ProposalState.HIRED, ProposalState.ARCHIVED}),
        (CONTRACT, {ContractState.ENDED}),
        (MILESTONE, {MilestoneState.RELEASED, MilestoneState.REFUNDED}),
        (TIME_SESSION, {TimeSessionState.STOPPED, TimeSessionState.ORPHAN_CLOSED}),
    ],
    ids=IDS,
)
def test_final_states(machine, final):
    assert {s for s in machine.table if machine.is_final(s)} == final


def test_tables_are_read_only():
    with pytest.raises(TypeError):
        MILESTONE.table[MilestoneState.PLANNED][MilestoneAction.RELEASE] = MilestoneState.RELEASED  # type: ignore[index]


@pytest.mark.parametrize(("machine", "states", "actions"), MACHINES, ids=IDS)
@given(data=st.data())
def test_random_walks_stay_in_the_table(machine, states, actions, data):
    state = next(iter(machine.table))
    for action in data.draw(st.lists(st.sampled_from(list(actions)), max_size=20)):
        try:
            after = machine.transition(state, action)
        except RuleError:
            assert action not in machine.allowed_actions(state)
        else:
            assert machine.table[state][action] is after
            state = after
    assert state in states


def test_worked_order_flow_with_a_revision():
    steps = ["start", "deliver", "request_revision", "start", "deliver", "complete"]
    state = OrderState.AWAITING_REQUIREMENTS
    for step in steps:
        state = ORDER.transition(state, OrderAction(step))
    assert state is OrderState.COMPLETED


# -- orders: revisions, due dates, lateness ----------------------------------------------


@pytest.mark.parametrize(
    ("used", "allowance", "ok"),
    [
        (0, 1, True),
        (1, 1, False),
        (2, 3, True),
        (3, 3, False),
        (0, 0, False),
        (99, UNLIMITED_REVISIONS, True),
    ],
)
def test_revision_allowance(used, allowance, ok):
    if ok:
        check_revision_allowed(used, allowance)
        assert (
            request_revision(OrderState.DELIVERED, used, allowance) is OrderState.REVISION_REQUESTED
        )
        assert OrderAction.REQUEST_REVISION in order_allowed_actions(
            OrderState.DELIVERED, used, allowance
        )
    else:
        with pytest.raises(RuleError) as info:
            request_revision(OrderState.DELIVERED, used, allowance)
        assert info.value.rule == "order.revision_allowance"
        assert OrderAction.REQUEST_REVISION not in order_allowed_actions(
            OrderState.DELIVERED, used, allowance
        )


def test_revision_message():
    with pytest.raises(RuleError, match="includes 1 revision and 1 has been used"):
        check_revision_allowed(1, 1)


def test_request_revision_checks_state_first():
    with pytest.raises(RuleError) as info:
        request_revision(OrderState.COMPLETED, 0, 5)
    assert info.value.rule == "order.request_revision"


@pytest.mark.parametrize(
    ("package", "extras", "fast", "days"),
    [
        (3, (), None, 3),
        (3, (1, 2), None, 6),
        (5, (), 1, 1),
        (5, (2,), 2, 4),  # extra-fast replaces the package's days; other extras still add
        (1, (0,), None, 1),
    ],
)
def test_delivery_days(package, extras, fast, days):
    assert delivery_days(package, extras, fast) == days


@pytest.mark.parametrize(
    ("package", "extras", "fast", "rule"),
    [
        (0, (), None, "order.delivery_days"),
        (3, (), 3, "order.extra_fast_delivery"),
        (3, (), 0, "order.extra_fast_delivery"),
        (3, (-1,), None, "order.extra_days"),
    ],
)
def test_delivery_days_refused(package, extras, fast, rule):
    with pytest.raises(RuleError) as info:
        delivery_days(package, extras, fast)
    assert info.value.rule == rule


def test_due_date():
    assert order_due_at(utc(2026, 2, 1, 15, 30), 4) == utc(2026, 2, 5, 15, 30)


DUE = utc(2026, 2, 5, 15, 30)


@pytest.mark.parametrize(
    ("now", "state", "late"),
    [
        (DUE, OrderState.IN_PROGRESS, False),
        (DUE + timedelta(seconds=1), OrderState.IN_PROGRESS, True),
        (DUE + timedelta(days=1), OrderState.REVISION_REQUESTED, True),
        (DUE + timedelta(days=1), OrderState.DELIVERED, False),
        (DUE + timedelta(days=1), OrderState.COMPLETED, False),
        (DUE + timedelta(days=1), OrderState.CANCELLED, False),
        (DUE + timedelta(days=1), OrderState.AWAITING_REQUIREMENTS, False),
    ],
)
def test_is_late(now, state, late):
    assert is_late(DUE, now, state) is late
    # How late: the time past due exactly when late, else None.
    assert late_by(DUE, now, state) == (now - DUE if late else None)
    assert late_by(None, now, state) is None


@pytest.mark.parametrize(
    ("state", "after", "due"),
    [
        (OrderState.DELIVERED, timedelta(days=3), True),
        (OrderState.DELIVERED, timedelta(days=3) - timedelta(seconds=1), False),
        (OrderState.REVISION_REQUESTED, timedelta(days=10), False),
    ],
)
def test_order_auto_complete_due(state, after, due):
    delivered = utc(2026, 2, 5, 12)
    assert is_auto_complete_due(state, delivered, delivered + after) is due


# -- milestones and contracts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "after", "due"),
    [
        (MilestoneState.SUBMITTED, timedelta(days=14), True),
        (MilestoneState.SUBMITTED, timedelta(days=14) - timedelta(seconds=1), False),
        (MilestoneState.CHANGES_REQUESTED, timedelta(days=30), False),
        (MilestoneState.DISPUTED, timedelta(days=30), False),
    ],
)
def test_milestone_auto_release(state, after, due):
    submitted = utc(2026, 3, 2, 9)
    assert auto_release_at(submitted) == utc(2026, 3, 16, 9)
    assert is_auto_release_due(state, submitted, submitted + after) is due


@pytest.mark.parametrize("state", list(MilestoneState))
def test_only_a_planned_milestone_is_editable(state):
    if state is MilestoneState.PLANNED:
        check_editable(state)  # no refusal
        return
    with pytest.raises(RuleError) as refused:
        check_editable(state)
    assert (refused.value.rule, refused.value.field) == ("milestone.edit_funded", "state")
    assert str(refused.value) == (
        f"cannot change milestone: it is {state.value.replace('_', ' ')}; "
        "only a planned milestone can be edited"
    )


@pytest.mark.parametrize(
    ("limit", "kind", "rule"),
    [
        (None, ContractKind.HOURLY, None),
        (None, ContractKind.FIXED, None),
        (0, ContractKind.HOURLY, None),
        (40 * 3600, ContractKind.HOURLY, None),
        (-1, ContractKind.HOURLY, "contract.weekly_limit_negative"),
        (3600, ContractKind.FIXED, "contract.weekly_limit_kind"),
    ],
)
def test_weekly_limit(limit, kind, rule):
    if rule is None:
        assert check_weekly_limit(limit, kind) == limit
    else:
        with pytest.raises(RuleError) as info:
            check_weekly_limit(limit, kind)
        assert info.value.rule == rule and info.value.field == "weekly_limit"
