"""The Upwork side from the command line: `job add`, `proposal …` (create, templates,
states, text, calc), `contract create/pause/resume/end`, `milestone …` (add, fund,
submit, request-changes, approve, refund, dispute, auto-release), `review add` and
`report reputation`. Every command takes `--json`; a refusal is one line and exit 1."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from freelancer_desk.cli.common import (
    EXIT_OK,
    CliError,
    Registry,
    handler,
    print_json,
    say,
    with_app,
)

if TYPE_CHECKING:
    from freelancer_desk.app import App

PLATFORMS = ("upwork", "fiverr", "direct")
PROPOSAL_STEPS = {
    "submit": "submit",
    "view": "mark_viewed",
    "interview": "interview",
    "offer": "receive_offer",
    "decline": "decline",
    "withdraw": "withdraw",
    "archive": "archive",
}
MILESTONE_STEPS = ("fund", "submit", "request-changes", "approve", "refund", "dispute")


def register(reg: Registry) -> None:
    job = reg.verb("job", "add", "capture a job post")
    job.add_argument("--title", required=True)
    job.add_argument("--client", default="", help="the client's name as on the post")
    job.add_argument("--client-id", help="an existing client's id instead")
    job.add_argument("--platform", default="upwork", choices=PLATFORMS)
    job.add_argument("--budget", required=True, help="hourly:20-45, hourly:30, or fixed:500")
    job.add_argument("--currency", default="USD")
    job.add_argument("--description", default="")
    job.add_argument("--description-file", type=Path, help="read the description from a file")
    job.add_argument("--skill", action="append", default=[], help="repeatable")
    job.add_argument("--question", action="append", default=[], help="screening question")
    job.add_argument("--url", default="")
    job.add_argument("--posted", help="date posted, YYYY-MM-DD (default: now)")
    job.add_argument("--connects", type=int, help="connects needed to apply")
    job.add_argument("--json", action="store_true")
    job.set_defaults(**handler(with_app(cmd_job_add), creates=True))

    create = reg.verb("proposal", "create", "write a proposal (a draft) for a job post")
    create.add_argument("--job", required=True, help="the job post's id")
    create.add_argument("--template", help="template id: fills an empty cover letter")
    create.add_argument("--kind", choices=("hourly", "fixed"), help="default: the job's budget")
    create.add_argument("--bid", help="hourly rate, or the fixed total")
    create.add_argument(
        "--milestone",
        action="append",
        default=[],
        metavar="TITLE:AMOUNT[:YYYY-MM-DD]",
        help="a planned milestone of a fixed bid (repeatable)",
    )
    create.add_argument("--cover-letter-file", type=Path)
    create.add_argument("--answer", action="append", default=[], help="in question order")
    create.add_argument("--duration", default="")
    create.add_argument("--connects", type=int, default=0)
    create.add_argument("--fee", help="percent, default the platform's (Upwork 10)")
    create.add_argument("--skill", help="value of {skill} (default: the job's first skill)")
    create.add_argument("--json", action="store_true")
    create.set_defaults(**handler(with_app(cmd_proposal_create)))

    template = reg.verb("proposal", "template", "add or list templates and snippets")
    template.add_argument("action", choices=("add", "list"))
    template.add_argument("--name")
    template.add_argument("--kind", default="template", choices=("template", "snippet"))
    template.add_argument("--body", help="the text ({client}, {job}, {skill} are filled)")
    template.add_argument("--body-file", type=Path)
    template.add_argument("--json", action="store_true")
    template.set_defaults(**handler(with_app(cmd_template), creates=True))

    for verb in (*PROPOSAL_STEPS, "hire"):
        step = reg.verb("proposal", verb, f"{verb} a proposal")
        step.add_argument("id")
        if verb == "hire":
            step.add_argument("--client-id", help="contract with this client")
            step.add_argument("--title", help="the contract's title (default: the job's)")
            step.add_argument("--weekly-limit", type=float, help="hours per week (hourly)")
        step.add_argument("--json", action="store_true")
        step.set_defaults(verb_name=verb, **handler(with_app(cmd_proposal_step)))

    text = reg.verb("proposal", "text", "print the proposal as text to paste")
    text.add_argument("id")
    text.add_argument("--json", action="store_true")
    text.set_defaults(**handler(with_app(cmd_proposal_text)))

    calc = reg.verb("proposal", "calc", "what you receive of a bid after the fee")
    calc.add_argument("--bid", required=True)
    calc.add_argument("--fee", default="10", help="percent")
    calc.add_argument("--currency", default="USD")
    calc.add_argument("--json", action="store_true")
    calc.set_defaults(**handler(cmd_proposal_calc))

    contract = reg.verb("contract", "create", "start a contract (hourly or fixed)")
    contract.add_argument("--client", required=True, help="the client's id")
    contract.add_argument("--title", required=True)
    contract.add_argument("--kind", required=True, choices=("hourly", "fixed"))
    contract.add_argument("--platform", choices=PLATFORMS, help="default: the client's")
    contract.add_argument("--currency", default="USD")
    contract.add_argument("--rate", help="hourly rate")
    contract.add_argument("--fee", help="percent (default: your fee setting for the platform)")
    contract.add_argument("--weekly-limit", type=float, help="hours per week")
    contract.add_argument(
        "--rounding",
        help="upwork, or e.g. 15m-up (default: upwork on Upwork, else your rounding setting)",
    )
    contract.add_argument(
        "--snapshots",
        choices=("off", "blurred", "full"),
        help="default: your setting for new work",
    )
    contract.add_argument("--reference", help="the platform's contract id")
    contract.add_argument(
        "--milestone", action="append", default=[], metavar="TITLE:AMOUNT[:YYYY-MM-DD]"
    )
    contract.add_argument("--json", action="store_true")
    contract.set_defaults(**handler(with_app(cmd_contract_create)))
    for verb in ("pause", "resume", "end"):
        step = reg.verb("contract", verb, f"{verb} a contract")
        step.add_argument("id")
        step.add_argument("--json", action="store_true")
        step.set_defaults(verb_name=verb, **handler(with_app(cmd_contract_step)))

    add = reg.verb("milestone", "add", "add a milestone to a fixed-price contract")
    add.add_argument("--contract", required=True)
    add.add_argument("--title", required=True)
    add.add_argument("--amount", required=True)
    add.add_argument("--due", help="YYYY-MM-DD")
    add.add_argument("--json", action="store_true")
    add.set_defaults(**handler(with_app(cmd_milestone_add)))
    for verb in MILESTONE_STEPS:
        step = reg.verb("milestone", verb, f"{verb.replace('-', ' ')} a milestone")
        step.add_argument("id")
        if verb in ("submit", "request-changes"):
            step.add_argument("--note", default="")
        step.add_argument("--json", action="store_true")
        step.set_defaults(verb_name=verb, **handler(with_app(cmd_milestone_step)))
    auto = reg.verb("milestone", "auto-release", "release milestones submitted 14+ days ago")
    auto.add_argument("--json", action="store_true")
    auto.set_defaults(**handler(with_app(cmd_milestone_auto)))

    review = reg.verb("review", "add", "record a review, received or given")
    review.add_argument("--contract", help="the contract reviewed (ended)")
    review.add_argument("--client", help="the client (default: the contract's)")
    review.add_argument("--direction", default="received", choices=("received", "given"))
    review.add_argument("--rating", type=int, required=True, help="overall, 1-5")
    review.add_argument("--sub", action="append", default=[], metavar="NAME=STARS")
    review.add_argument("--comment", default="")
    review.add_argument("--date", help="YYYY-MM-DD (default: now)")
    review.add_argument("--json", action="store_true")
    review.set_defaults(**handler(with_app(cmd_review_add)))

    rep = reg.verb("report", "reputation", "average rating, jobs ended well, repeat clients")
    rep.add_argument("--platform", default="upwork", choices=PLATFORMS)
    rep.add_argument("--json", action="store_true")
    rep.set_defaults(**handler(with_app(cmd_report_reputation)))


# -- parsing -------------------------------------------------------------------------


def _minor(text: str, currency: str, what: str) -> int:
    from freelancer_desk.domain.money import Money

    return Money.parse(text, currency, field=what).amount


def _fee(text: str | None) -> int | None:
    from freelancer_desk.domain.money import parse_rate

    return None if text is None else parse_rate(text)


def _date(text: str, what: str) -> Any:
    from datetime import date

    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"{what} {text!r} is not a date like 2026-03-31") from exc


def _instant(app: App, text: str | None, what: str) -> Any:
    """A day as an instant: now for today or none given, noon UTC otherwise."""
    from datetime import UTC, datetime, time

    now = app.clock.now()
    if text is None:
        return None
    day = _date(text, what)
    return now if day == now.date() else datetime.combine(day, time(12), UTC)


def _milestones(items: list[str], currency: str) -> tuple[Any, ...]:
    from freelancer_desk.services.contracts import MilestoneInput

    planned = []
    for item in items:
        parts = item.rsplit(":", 2) if item.count(":") >= 2 else item.rsplit(":", 1)
        if len(parts) < 2:
            raise CliError(f"--milestone {item!r}: write it as TITLE:AMOUNT[:YYYY-MM-DD]")
        due = _date(parts[2], "--milestone due date") if len(parts) == 3 else None
        planned.append(MilestoneInput(parts[0], _minor(parts[1], currency, "milestone"), due))
    return tuple(planned)


def _budget(text: str, currency: str) -> tuple[str, int | None, int | None]:
    kind, sep, amounts = text.partition(":")
    if not sep or kind not in ("hourly", "fixed") or not amounts:
        raise CliError(f"--budget {text!r}: write hourly:20-45, hourly:30 or fixed:500")
    low, dash, high = amounts.partition("-")
    if kind == "fixed" and dash:
        raise CliError("--budget: a fixed budget is one amount, like fixed:500")
    return (
        kind,
        _minor(low, currency, "budget") if low else None,
        _minor(high, currency, "budget") if dash and high else None,
    )


def _read(path: Path | None) -> str:
    return path.read_text(encoding="utf-8") if path is not None else ""


def _out(args: argparse.Namespace, data: Any, line: str) -> int:
    if args.json:
        print_json(data)
    else:
        say(line)
    return EXIT_OK


def _money(minor: int, currency: str) -> str:
    from freelancer_desk.domain.money import Money

    return str(Money(minor, currency))


# -- handlers ------------------------------------------------------------------------


def cmd_job_add(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.jobs import JobPostInput

    currency = args.currency.upper()
    kind, low, high = _budget(args.budget, currency)
    job = app.jobs.create(
        JobPostInput(
            title=args.title,
            client_name=args.client,
            client_id=args.client_id,
            platform=args.platform,
            budget_kind=kind,
            budget_min_minor=low,
            budget_max_minor=high,
            currency=currency,
            description=_read(args.description_file) or args.description,
            skills=tuple(args.skill),
            screening_questions=tuple(args.question),
            url=args.url,
            posted_at=_instant(app, args.posted, "--posted"),
            connects_required=args.connects,
        )
    )
    return _out(args, job, f"added job post {job['title']} ({job['id'][:8]})")


def cmd_proposal_create(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.proposals import ProposalInput

    job = app.jobs.get(args.job)
    currency = job["currency"]
    kind = args.kind or job["budget_kind"]
    letter = _read(args.cover_letter_file)
    answers = tuple(zip(job["screening_questions"], args.answer, strict=False))
    if len(args.answer) > len(job["screening_questions"]):
        raise CliError(
            f"--answer given {len(args.answer)} times; the job has "
            f"{len(job['screening_questions'])} screening question(s)"
        )
    proposal = app.proposals.create(
        ProposalInput(
            job_post_id=job["id"],
            bid_kind=kind,
            bid_minor=_minor(args.bid, currency, "bid") if args.bid else None,
            cover_letter=letter,
            fee_bp=_fee(args.fee),
            duration_estimate=args.duration,
            connects_spent=args.connects,
            milestones=_milestones(args.milestone, currency),
            answers=answers,
            template_id=args.template,
            skill=args.skill,
        )
    )
    return _out(
        args,
        proposal,
        f"drafted proposal {proposal['id'][:8]}: bid {_money(proposal['bid_minor'], currency)}, "
        f"you receive {_money(proposal['receive_minor'], currency)}",
    )


def cmd_template(app: App, args: argparse.Namespace) -> int:
    if args.action == "list":
        rows = app.proposals.templates()
        if args.json:
            print_json(rows)
        else:
            for t in rows:
                say(f"{t['id'][:8]}  {t['kind']:<8}  {t['name']}")
        return EXIT_OK
    if not args.name:
        raise CliError("proposal template add: --name is required")
    body = _read(args.body_file) or args.body or ""
    created = app.proposals.create_template(args.name, body, args.kind)
    return _out(args, created, f"added {created['kind']} {created['name']} ({created['id'][:8]})")


def cmd_proposal_step(app: App, args: argparse.Namespace) -> int:
    if args.verb_name == "hire":
        limit = None if args.weekly_limit is None else round(args.weekly_limit * 60)
        contract = app.proposals.hire(
            args.id, client_id=args.client_id, title=args.title, weekly_limit_minutes=limit
        )
        return _out(
            args,
            contract,
            f"hired: contract {contract['title']} ({contract['id'][:8]}) "
            f"with {len(contract['milestones'])} milestone(s)",
        )
    proposal = app.proposals.transition(args.id, PROPOSAL_STEPS[args.verb_name])
    return _out(args, proposal, f"proposal {proposal['id'][:8]} is {proposal['state']}")


def cmd_proposal_text(app: App, args: argparse.Namespace) -> int:
    text = app.proposals.as_text(args.id)
    if args.json:
        print_json({"id": args.id, "text": text})
    else:
        print(text, end="")
    return EXIT_OK


def cmd_proposal_calc(args: argparse.Namespace) -> int:
    from freelancer_desk.domain.money import Money
    from freelancer_desk.services.proposals import bid_calculator

    currency = args.currency.upper()
    bid = Money.parse(args.bid, currency, field="bid")
    fee = _fee(args.fee) or 0
    receive = bid_calculator(bid, fee)
    data = {"bid": bid, "fee_bp": fee, "fee": bid - receive, "receive": receive}
    return _out(
        args, data, f"client pays {bid} → you receive {receive} after the {fee / 100:g}% fee"
    )


def cmd_contract_create(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.contracts import ContractInput

    currency = args.currency.upper()
    contract = app.contracts.create(
        ContractInput(
            client_id=args.client,
            title=args.title,
            kind=args.kind,
            platform=args.platform,
            currency=currency,
            hourly_rate_minor=_minor(args.rate, currency, "rate") if args.rate else None,
            fee_bp=_fee(args.fee),
            weekly_limit_minutes=None
            if args.weekly_limit is None
            else round(args.weekly_limit * 60),
            rounding_rule=args.rounding,
            snapshot_policy=args.snapshots,
            reference=args.reference,
        ),
        _milestones(args.milestone, currency),
    )
    return _out(
        args,
        contract,
        f"started {contract['kind']} contract {contract['title']} ({contract['id'][:8]})",
    )


def cmd_contract_step(app: App, args: argparse.Namespace) -> int:
    call = {
        "pause": app.contracts.pause,
        "resume": app.contracts.resume,
        "end": app.contracts.end,
    }[args.verb_name]
    contract = call(args.id)
    line = f"contract {contract['id'][:8]} is {contract['state']}"
    if args.verb_name == "end" and contract["escrow_minor"]:
        line += (
            f"; {_money(contract['escrow_minor'], contract['currency'])} is still in escrow: "
            "accept the refund or dispute within 7 days"
        )
    return _out(args, contract, line)


def cmd_milestone_add(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.contracts import MilestoneInput

    contract = app.contracts.get(args.contract)
    milestone = app.milestones.add(
        contract["id"],
        MilestoneInput(
            args.title,
            _minor(args.amount, contract["currency"], "amount"),
            _date(args.due, "--due") if args.due else None,
        ),
    )
    return _out(args, milestone, f"added milestone {milestone['title']} ({milestone['id'][:8]})")


def cmd_milestone_step(app: App, args: argparse.Namespace) -> int:
    ms = app.milestones
    verb = args.verb_name
    if verb == "submit":
        milestone = ms.submit(args.id, args.note)
    elif verb == "request-changes":
        milestone = ms.request_changes(args.id, args.note)
    else:
        milestone = {
            "fund": ms.fund,
            "approve": ms.approve,
            "refund": ms.refund,
            "dispute": ms.dispute,
        }[verb](args.id)
    escrow = _money(milestone["escrow_minor"], milestone["currency"])
    state = milestone["state"].replace("_", " ")
    return _out(args, milestone, f"milestone {milestone['id'][:8]} is {state} ({escrow} in escrow)")


def cmd_milestone_auto(app: App, args: argparse.Namespace) -> int:
    released = app.milestones.auto_release_due()
    return _out(args, released, f"released {len(released)} milestone(s) automatically")


def cmd_review_add(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.reviews import ReviewInput

    client = args.client
    if args.contract:
        contract = app.contracts.get(args.contract)
        client = client or contract["client_id"]
    if not client:
        raise CliError("review add: give --contract or --client")
    subs: dict[str, int] = {}
    for item in args.sub:
        name, sep, stars = item.partition("=")
        if not sep or not stars.strip().isdigit():
            raise CliError(f"--sub {item!r}: write it as NAME=STARS, e.g. communication=5")
        subs[name.strip()] = int(stars)
    review = app.reviews.create(
        ReviewInput(
            client_id=client,
            contract_id=args.contract and contract["id"],
            direction=args.direction,
            rating=args.rating,
            sub_ratings=subs,
            comment=args.comment,
            reviewed_at=_instant(app, args.date, "--date"),
        )
    )
    return _out(args, review, f"recorded {review['direction']} review {review['rating']}/5")


def cmd_report_reputation(app: App, args: argparse.Namespace) -> int:
    rep = app.reviews.reputation(args.platform)
    if args.json:
        print_json(rep)
        return EXIT_OK

    def share(value: float | None) -> str:
        return "—" if value is None else f"{value:.0%}"

    avg = rep["average_rating"]
    say(f"platform          {rep['platform']}")
    say(f"average rating    {'—' if avg is None else f'{avg:.2f}'} ({rep['reviews']} reviews)")
    say(
        f"ended well        {share(rep['share_ended_well'])} "
        f"({rep['ended_well']} of {rep['finished_jobs']} finished jobs)"
    )
    say(
        f"repeat clients    {share(rep['repeat_share'])} "
        f"({rep['repeat_clients']} of {rep['clients']} clients)"
    )
    say("")
    say("how:")
    for line in rep["formula"].splitlines():
        say(f"  {line}")
    return EXIT_OK
