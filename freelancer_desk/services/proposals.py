"""Proposals (Upwork side, offline): cover letter from templates and snippets, screening
answers, an hourly or fixed bid (a total or planned milestones), the bid calculator,
copy-as-text, the proposal's states, and hiring — which creates the contract."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import UPWORK, UpworkRules
from freelancer_desk.domain.workflow.contract import ContractState
from freelancer_desk.domain.workflow.proposal import PROPOSAL, ProposalAction, ProposalState
from freelancer_desk.services.clients import ClientInput, check_currency_field, client_values
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.contracts import (
    ContractInput,
    DefaultsSource,
    MilestoneInput,
    NewWorkDefaults,
    check_fee,
    contract_dict,
    contract_values,
    milestone_values,
)
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Client,
    Contract,
    JobPost,
    Milestone,
    Proposal,
    ProposalMilestone,
    ProposalTemplate,
    ScreeningAnswer,
)
from freelancer_desk.storage.vocab import BUDGET_KINDS, TEMPLATE_KINDS

PLACEHOLDERS = ("client", "job", "skill")
_PLACEHOLDER_RE = re.compile(r"\{(client|job|skill)\}")

# States a proposal leaves for good; the instant it did is kept as `decided_at`.
_DECIDED = frozenset(
    {
        ProposalState.HIRED,
        ProposalState.DECLINED,
        ProposalState.WITHDRAWN,
        ProposalState.ARCHIVED,
    }
)


@dataclass(frozen=True)
class ProposalInput:
    """A fixed bid is `bid_minor` as a total, or the sum of `milestones` (then
    `bid_minor` may be left out); an hourly bid is the rate in `bid_minor`."""

    job_post_id: str
    bid_kind: str
    bid_minor: int | None = None
    cover_letter: str = ""
    currency: str | None = None  # default: the job post's
    fee_bp: int | None = None  # default: the user's fee setting for the platform
    duration_estimate: str = ""
    connects_spent: int = 0
    milestones: tuple[MilestoneInput, ...] = ()
    answers: tuple[tuple[str, str], ...] = ()  # (question, answer)
    template_id: str | None = None  # fills an empty cover letter
    skill: str | None = None  # for {skill}; default: the job's first skill


def bid_calculator(bid: Money, fee_bp: int) -> Money:
    """What the freelancer receives of `bid` after the contract's fee."""
    return bid.split_fee(fee_bp)[1]


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    """Replace {client}, {job} and {skill}; a placeholder whose value is unknown stays,
    so the user sees what is missing (and submitting refuses it)."""
    return _PLACEHOLDER_RE.sub(lambda m: values.get(m.group(1)) or m.group(0), body)


def _job_values(s: Session, job: JobPost, skill: str | None) -> dict[str, str]:
    client_name = job.client_name
    if not client_name and job.client_id is not None:
        client = s.get(Client, job.client_id)
        client_name = client.name if client is not None else ""
    return {
        "client": client_name,
        "job": job.title,
        "skill": (skill or "").strip() or (job.skills[0] if job.skills else ""),
    }


def _answers(given: tuple[tuple[str, str], ...], questions: list[str]) -> list[ScreeningAnswer]:
    """The answers given, then the job's questions not answered yet (empty, so they
    show in the editor and submitting refuses them)."""
    pairs = [
        (
            clean_text(q, field="answers", max_chars=2000, required=True),
            clean_text(a, field="answers", max_chars=20_000),
        )
        for q, a in given
    ]
    answered = {q for q, _ in pairs}
    pairs += [(q, "") for q in questions if q not in answered]
    return [ScreeningAnswer(position=i, question=q, answer=a) for i, (q, a) in enumerate(pairs)]


def _template_values(name: str, body: str, kind: str) -> dict[str, Any]:
    if kind not in TEMPLATE_KINDS:
        raise RuleError("template.kind", f"kind {kind!r} is not template or snippet", field="kind")
    return {
        "name": clean_text(name, field="name", max_chars=120, required=True),
        "body": clean_text(body, field="body", max_chars=100_000, required=True),
        "kind": kind,
    }


class ProposalService:
    def __init__(
        self,
        db: Database,
        bus: ChangeBus,
        clock: Clock,
        rules: UpworkRules = UPWORK,
        defaults: DefaultsSource = NewWorkDefaults,
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._rules = rules
        self._defaults = defaults  # the terms a hire's contract gets beyond the proposal's

    bid_calculator = staticmethod(bid_calculator)

    # -- reading -----------------------------------------------------------------------

    @staticmethod
    def _dict(p: Proposal) -> dict[str, Any]:
        result = to_dict(p, children=("milestones", "answers"))
        result["allowed_actions"] = [
            a.value for a in PROPOSAL.allowed_actions(ProposalState(p.state))
        ]
        result["receive_minor"] = bid_calculator(Money(p.bid_minor, p.currency), p.fee_bp).amount
        return result

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return self._dict(find(s, Proposal, ident, what="proposal"))

    def as_text(self, ident: str) -> str:
        """The finished proposal as plain text to paste into the platform."""
        with self._db.read() as s:
            p = find(s, Proposal, ident, what="proposal")
            parts = [p.cover_letter.strip()]
            if p.answers:
                lines = ["Screening questions"]
                for i, answer in enumerate(p.answers, 1):
                    lines += [f"{i}. {answer.question}", answer.answer.strip(), ""]
                parts.append("\n".join(lines).strip())
            bid = Money(p.bid_minor, p.currency)
            if p.bid_kind == "hourly":
                terms = [f"Rate: {bid} per hour"]
            else:
                terms = [f"Fixed price: {bid}"]
                for i, m in enumerate(p.milestones, 1):
                    due = f" (due {m.due_on.isoformat()})" if m.due_on else ""
                    terms.append(
                        f"  Milestone {i}: {m.title} — {Money(m.amount_minor, p.currency)}{due}"
                    )
            if p.duration_estimate:
                terms.append(f"Estimated duration: {p.duration_estimate}")
            parts.append("\n".join(terms))
            return "\n\n".join(part for part in parts if part) + "\n"

    # -- editing -----------------------------------------------------------------------

    def _values(self, s: Session, data: ProposalInput, job: JobPost) -> dict[str, Any]:
        if data.bid_kind not in BUDGET_KINDS:
            raise RuleError(
                "proposal.bid_kind",
                f"bid kind {data.bid_kind!r} is not hourly or fixed",
                field="bid_kind",
            )
        planned = [milestone_values(m) for m in data.milestones]
        bid = data.bid_minor
        if data.bid_kind == "hourly":
            if planned:
                raise RuleError(
                    "proposal.milestones_hourly",
                    "an hourly bid has no milestones",
                    field="milestones",
                )
        elif planned:
            total = sum(m["amount_minor"] for m in planned)
            if bid is not None and bid != total:
                raise RuleError(
                    "proposal.milestones_total",
                    f"the milestones add up to {total} minor units, not the bid of {bid}",
                    field="milestones",
                )
            bid = total
        if isinstance(bid, bool) or not isinstance(bid, int) or bid <= 0:
            raise RuleError("proposal.bid", "the bid must be more than zero", field="bid")
        connects = data.connects_spent
        if isinstance(connects, bool) or not isinstance(connects, int) or connects < 0:
            raise RuleError(
                "proposal.connects", "connects spent must be zero or more", field="connects_spent"
            )
        cover = clean_text(data.cover_letter, field="cover_letter", max_chars=50_000)
        template_id = None
        if data.template_id:
            template = find(s, ProposalTemplate, data.template_id, what="template")
            template_id = template.id
            if not cover:
                cover = fill_placeholders(template.body, _job_values(s, job, data.skill))
        currency = check_currency_field(data.currency or job.currency)
        return {
            "columns": {
                "bid_kind": data.bid_kind,
                "bid_minor": bid,
                "cover_letter": cover,
                "currency": currency,
                "fee_bp": check_fee(
                    job.platform,
                    data.fee_bp
                    if data.fee_bp is not None
                    else self._defaults().fee_bp.get(job.platform),
                    self._rules,
                ),
                "duration_estimate": clean_text(
                    data.duration_estimate, field="duration_estimate", max_chars=80
                ),
                "connects_spent": connects,
                "template_id": template_id,
            },
            "milestones": [ProposalMilestone(**m, position=i) for i, m in enumerate(planned)],
            "answers": _answers(data.answers, job.screening_questions),
        }

    def create(self, data: ProposalInput) -> dict[str, Any]:
        with self._db.session() as s:
            job = find(s, JobPost, data.job_post_id, what="job post")
            values = self._values(s, data, job)
            proposal = Proposal(
                **values["columns"], job_post_id=job.id, state=ProposalState.DRAFT.value
            )
            proposal.milestones = values["milestones"]
            proposal.answers = values["answers"]
            s.add(proposal)
            s.flush()
            result = self._dict(proposal)
        self._bus.publish(Change("proposal", "created", (result["id"],)))
        return result

    def update(self, ident: str, data: ProposalInput) -> dict[str, Any]:
        """Edit a draft. What was submitted stays as it was sent."""
        with self._db.session() as s:
            proposal = find(s, Proposal, ident, what="proposal")
            self._refuse_unless_draft(proposal, "change")
            job = find(s, JobPost, proposal.job_post_id, what="job post")
            values = self._values(s, data, job)
            for key, value in values["columns"].items():
                setattr(proposal, key, value)
            proposal.milestones = values["milestones"]
            proposal.answers = values["answers"]
            s.flush()
            result = self._dict(proposal)
        self._bus.publish(Change("proposal", "updated", (result["id"],)))
        return result

    @staticmethod
    def _refuse_unless_draft(proposal: Proposal, doing: str) -> None:
        if proposal.state != ProposalState.DRAFT.value:
            raise RuleError(
                "proposal.edit_submitted",
                f"cannot {doing} proposal: it was submitted (state: {proposal.state})",
                field="state",
            )

    def insert_snippet(
        self, ident: str, template_ident: str, skill: str | None = None
    ) -> dict[str, Any]:
        """Append a template or snippet to a draft's cover letter, placeholders filled."""
        with self._db.session() as s:
            proposal = find(s, Proposal, ident, what="proposal")
            self._refuse_unless_draft(proposal, "change")
            template = find(s, ProposalTemplate, template_ident, what="template")
            job = find(s, JobPost, proposal.job_post_id, what="job post")
            text = fill_placeholders(template.body, _job_values(s, job, skill))
            joined = (
                f"{proposal.cover_letter.rstrip()}\n\n{text}" if proposal.cover_letter else text
            )
            proposal.cover_letter = clean_text(joined, field="cover_letter", max_chars=50_000)
            s.flush()
            result = self._dict(proposal)
        self._bus.publish(Change("proposal", "updated", (result["id"],)))
        return result

    # -- templates and snippets ----------------------------------------------------------

    def create_template(self, name: str, body: str, kind: str = "template") -> dict[str, Any]:
        values = _template_values(name, body, kind)
        with self._db.session() as s:
            template = ProposalTemplate(**values)
            s.add(template)
            s.flush()
            result = to_dict(template)
        self._bus.publish(Change("proposal_template", "created", (result["id"],)))
        return result

    def update_template(
        self, ident: str, name: str, body: str, kind: str = "template"
    ) -> dict[str, Any]:
        values = _template_values(name, body, kind)
        with self._db.session() as s:
            template = find(s, ProposalTemplate, ident, what="template")
            for key, value in values.items():
                setattr(template, key, value)
            s.flush()
            result = to_dict(template)
        self._bus.publish(Change("proposal_template", "updated", (result["id"],)))
        return result

    def delete_template(self, ident: str) -> dict[str, Any]:
        """Proposals written from it keep their text; they just forget the template."""
        with self._db.session() as s:
            template = find(s, ProposalTemplate, ident, what="template")
            result = to_dict(template)
            for proposal in s.scalars(select(Proposal).where(Proposal.template_id == template.id)):
                proposal.template_id = None
            s.delete(template)
        self._bus.publish(Change("proposal_template", "deleted", (result["id"],)))
        return result

    def templates(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self._db.read() as s:
            query = select(ProposalTemplate).order_by(ProposalTemplate.name)
            if kind is not None:
                query = query.where(ProposalTemplate.kind == kind)
            return [to_dict(t) for t in s.scalars(query)]

    def fill_template(self, template_ident: str, job_ident: str, skill: str | None = None) -> str:
        """The template's text for one job: {client}, {job}, {skill} filled."""
        with self._db.read() as s:
            template = find(s, ProposalTemplate, template_ident, what="template")
            job = find(s, JobPost, job_ident, what="job post")
            return fill_placeholders(template.body, _job_values(s, job, skill))

    # -- states ----------------------------------------------------------------------------

    def transition(self, ident: str, action: str) -> dict[str, Any]:
        """Any step by name ("submit", "mark_viewed", ...); hiring goes through hire()."""
        try:
            step = ProposalAction(action)
        except ValueError as exc:
            known = ", ".join(a.value for a in ProposalAction)
            raise RuleError(
                "proposal.action", f"{action!r} is not a proposal action ({known})", field="action"
            ) from exc
        if step is ProposalAction.HIRE:
            raise RuleError(
                "proposal.hire_via_hire",
                "hiring creates a contract: use hire()",
                field="action",
            )
        now = self._clock.now()
        with self._db.session() as s:
            proposal = find(s, Proposal, ident, what="proposal")
            new_state = PROPOSAL.transition(ProposalState(proposal.state), step)
            if step is ProposalAction.SUBMIT:
                self._check_ready(proposal)
                proposal.submitted_at = now
            if step is ProposalAction.MARK_VIEWED:
                proposal.viewed_at = now
            if new_state in _DECIDED:
                proposal.decided_at = now
            proposal.state = new_state.value
            s.flush()
            result = self._dict(proposal)
        self._bus.publish(Change("proposal", new_state.value, (result["id"],)))
        return result

    @staticmethod
    def _check_ready(p: Proposal) -> None:
        if not p.cover_letter.strip():
            raise RuleError(
                "proposal.cover_letter_required",
                "cannot submit proposal: the cover letter is empty",
                field="cover_letter",
            )
        left = sorted(set(_PLACEHOLDER_RE.findall(p.cover_letter)))
        if left:
            raise RuleError(
                "proposal.unfilled_placeholder",
                "cannot submit proposal: the cover letter still has "
                + ", ".join(f"{{{name}}}" for name in left),
                field="cover_letter",
            )
        unanswered = [a.question for a in p.answers if not a.answer.strip()]
        if unanswered:
            raise RuleError(
                "proposal.screening_unanswered",
                f"cannot submit proposal: screening question {unanswered[0]!r} has no answer",
                field="answers",
            )

    def submit(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.SUBMIT.value)

    def mark_viewed(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.MARK_VIEWED.value)

    def interview(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.INTERVIEW.value)

    def receive_offer(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.RECEIVE_OFFER.value)

    def decline(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.DECLINE.value)

    def withdraw(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.WITHDRAW.value)

    def archive(self, ident: str) -> dict[str, Any]:
        return self.transition(ident, ProposalAction.ARCHIVE.value)

    @staticmethod
    def _check_hireable(proposal: Proposal) -> ProposalState:
        """The state hiring moves to; refused when the proposal is not an offer or was
        hired already (a proposal is hired once)."""
        new_state = PROPOSAL.transition(ProposalState(proposal.state), ProposalAction.HIRE)
        if proposal.contract_id is not None:
            raise RuleError(
                "proposal.hire",
                "cannot hire proposal: it is already hired (a proposal is hired once)",
                field="state",
            )
        return new_state

    @staticmethod
    def _hire_input(
        proposal: Proposal,
        job: JobPost,
        client_id: str,
        title: str | None,
        weekly_limit_minutes: int | None,
    ) -> ContractInput:
        """The contract a hire makes: the bid's kind, rate (hourly) and fee; the terms
        it leaves open come from the user's defaults (contract_values)."""
        hourly = proposal.bid_kind == "hourly"
        return ContractInput(
            client_id=client_id,
            title=title or job.title,
            kind=proposal.bid_kind,
            platform=job.platform,
            currency=proposal.currency,
            hourly_rate_minor=proposal.bid_minor if hourly else None,
            fee_bp=proposal.fee_bp,
            weekly_limit_minutes=weekly_limit_minutes,
        )

    @staticmethod
    def _hire_milestones(proposal: Proposal, job: JobPost) -> list[tuple[str, int, Any]]:
        """(title, amount, due) of a fixed hire's milestones: the planned ones, or one
        of the whole bid when none were planned; none for an hourly one."""
        if proposal.bid_kind == "hourly":
            return []
        planned = [(m.title, m.amount_minor, m.due_on) for m in proposal.milestones]
        return planned or [(job.title[:200], proposal.bid_minor, None)]

    def hire_terms(self, ident: str, *, limit: int = 2000) -> dict[str, Any]:
        """What hiring the proposal would make, before it is done (the window's Hire
        dialog shows it): the contract's terms as hire() computes them, and the clients
        it may be with — the job post's platform's clients not archived, by name (at
        most `limit`). `client_id` is the one to preselect: the post's linked client
        when it is one of them, else one of them named as the post names its client;
        `new_client_name` is the post's client name when no client, offered or left
        out, is it (hire() can make that client); `not_offered` says which client of
        the post's was left out and why. Refused as hire() is when the proposal is no
        offer."""
        with self._db.read() as s:
            proposal = find(s, Proposal, ident, what="proposal")
            self._check_hireable(proposal)
            job = find(s, JobPost, proposal.job_post_id, what="job post")
            values = contract_values(
                self._hire_input(proposal, job, "", None, None),
                self._clock.now(),
                self._rules,
                self._defaults(),
                job.platform,
            )
            rows = s.execute(
                select(Client.id, Client.name)
                .where(Client.platform == job.platform, Client.archived.is_(False))
                .order_by(func.lower(Client.name), Client.id)
                .limit(limit)
            ).all()
            clients = [{"id": str(cid), "name": name} for cid, name in rows]
            offered = {c["id"] for c in clients}
            linked = s.get(Client, job.client_id) if job.client_id is not None else None
            if (
                linked is not None
                and not linked.archived
                and linked.platform == job.platform
                and str(linked.id) not in offered
            ):  # past the limit
                clients.insert(0, {"id": str(linked.id), "name": linked.name})
                offered.add(str(linked.id))
            chosen: str | None = None
            if linked is not None and str(linked.id) in offered:
                chosen = str(linked.id)
            named = (job.client_name or "").strip()
            if chosen is None and named:
                chosen = next(
                    (c["id"] for c in clients if c["name"].strip().casefold() == named.casefold()),
                    None,
                )
            skipped = ""
            if linked is not None and str(linked.id) not in offered:
                skipped = (
                    f"{linked.name} (linked to the post) is archived"
                    if linked.archived
                    else f"{linked.name} (linked to the post) is a client on {linked.platform}"
                )
            elif chosen is None and named:
                shelved = s.scalar(
                    select(Client.name)
                    .where(
                        Client.platform == job.platform,
                        Client.archived.is_(True),
                        func.lower(Client.name) == named.lower(),
                    )
                    .limit(1)
                )
                if shelved is not None:
                    skipped = f"{shelved} (named in the post) is archived"
            # A client like the one left out is not made again unasked (New client… can).
            new_name = named if chosen is None and linked is None and not skipped else ""
            bid = Money(proposal.bid_minor, proposal.currency)
            return {
                "proposal_id": str(proposal.id),
                "job_post_id": str(job.id),
                "job_title": job.title,
                "platform": job.platform,
                "post_client_name": named,
                "bid_kind": proposal.bid_kind,
                "bid_minor": proposal.bid_minor,
                "receive_minor": bid_calculator(bid, values["fee_bp"]).amount,
                "contract": {
                    key: values[key]
                    for key in (
                        "title",
                        "kind",
                        "platform",
                        "currency",
                        "hourly_rate_minor",
                        "fee_bp",
                        "weekly_limit_minutes",
                        "rounding_rule",
                        "snapshot_policy",
                        "manual_time_allowed",
                    )
                },
                "milestones": [
                    {"title": t, "amount_minor": a, "due_on": d.isoformat() if d else None}
                    for t, a, d in self._hire_milestones(proposal, job)
                ],
                "clients": clients,
                "client_id": chosen,
                "new_client_name": new_name,
                "not_offered": skipped,
            }

    def hire(
        self,
        ident: str,
        *,
        client_id: str | None = None,
        new_client: ClientInput | None = None,
        title: str | None = None,
        weekly_limit_minutes: int | None = None,
    ) -> dict[str, Any]:
        """Accept the offer: the contract is created with the bid's rate (hourly) or its
        milestones (fixed; one milestone of the total when none were planned) and fee.
        The client is the one given, a `new_client` made in the same unit of work, the
        job post's (refused when it is archived: never taken unasked), or a new one
        named after the post's client; it must be a client on
        the post's platform, as a contract is on its client's
        (services/contracts.check_client_platform). A proposal is hired once. Returns
        the new contract."""
        if client_id and new_client is not None:
            raise RuleError(
                "proposal.hire_client",
                "cannot hire: give the client or a new client, not both",
                field="client",
            )
        now = self._clock.now()
        created_client: str | None = None
        with self._db.session() as s:
            proposal = find(s, Proposal, ident, what="proposal")
            new_state = self._check_hireable(proposal)
            job = find(s, JobPost, proposal.job_post_id, what="job post")
            if new_client is not None:
                client = Client(**client_values(new_client))
                if client.platform != job.platform:
                    raise self._platform_refusal(client, job)
                s.add(client)
                s.flush()
                created = True
            else:
                client, created = self._hire_client(s, job, client_id)
            if created:
                created_client = str(client.id)
            if client.platform != job.platform:
                raise self._platform_refusal(client, job)
            values = contract_values(
                self._hire_input(proposal, job, str(client.id), title, weekly_limit_minutes),
                now,
                self._rules,
                self._defaults(),
                client.platform,
            )
            contract = Contract(**values, client_id=client.id, state=ContractState.ACTIVE.value)
            contract.milestones = [
                Milestone(
                    position=i,
                    title=t,
                    amount_minor=amount,
                    due_on=due,
                    currency=contract.currency,
                )
                for i, (t, amount, due) in enumerate(self._hire_milestones(proposal, job))
            ]
            s.add(contract)
            proposal.state = new_state.value
            proposal.decided_at = now
            proposal.contract_id = contract.id
            if job.client_id is None:
                job.client_id = client.id
            s.flush()
            result = contract_dict(contract)
            result["proposal_id"] = str(proposal.id)
        if created_client is not None:
            self._bus.publish(Change("client", "created", (created_client,)))
        self._bus.publish(Change("contract", "created", (result["id"],)))
        self._bus.publish(Change("proposal", "hired", (result["proposal_id"],)))
        return result

    @staticmethod
    def _platform_refusal(client: Client, job: JobPost) -> RuleError:
        return RuleError(
            "contract.platform_client",
            f"client: {client.name} is a client on {client.platform}; a {job.platform} "
            f"job post's contract is with a client on {job.platform} (a contract is "
            "on its client's platform)",
            field="client",
        )

    @staticmethod
    def _hire_client(s: Session, job: JobPost, client_id: str | None) -> tuple[Client, bool]:
        """The client to contract with, and whether it was made just now."""
        if client_id:
            return find(s, Client, client_id, what="client"), False
        if job.client_id is not None:
            existing = s.get(Client, job.client_id)
            if existing is not None and existing.archived:
                # Never an archived client unasked (the window does not offer one).
                raise RuleError(
                    "proposal.hire_client_archived",
                    f"cannot hire: {existing.name}, the job post's client, is archived; "
                    "unarchive it or give the client",
                    field="client",
                )
            if existing is not None:
                return existing, False
        name = clean_text(job.client_name, field="client", max_chars=200)
        if not name:
            raise RuleError(
                "proposal.hire_client",
                "cannot hire: the job post names no client; give one",
                field="client",
            )
        client = Client(name=name, platform=job.platform, currency=job.currency)
        s.add(client)
        s.flush()
        return client, True
