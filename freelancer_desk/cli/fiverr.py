"""The Fiverr side: `gig create/update/package/extra/activate/pause/archive/duplicate/
delete` and `order place/start/deliver/revise/complete/cancel/auto-complete`
(`gig list/show` and `order list/show` live in cli/read.py).

Amounts are typed as on the platform ("25", "25.00") and read in the gig's currency;
more decimals than the currency has are refused.
"""

from __future__ import annotations

import argparse
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
    from freelancer_desk.services.gigs import ExtraInput, GigInput, PackageInput

TIERS = ("basic", "standard", "premium")

PACKAGE_HELP = (
    "TIER:NAME:PRICE:DAYS:REVISIONS, e.g. basic:Starter:25:5:1 — TIER is basic, standard "
    "or premium; REVISIONS a number or 'unlimited' (repeatable, one per tier)"
)
EXTRA_HELP = (
    "TITLE:PRICE:DAYS — a paid extra adding DAYS, e.g. 'Social media kit:15:1' (repeatable)"
)
FAST_HELP = (
    "PRICE:TIER=DAYS[,TIER=DAYS] — extra-fast delivery saving DAYS on each named package, "
    "e.g. 20:basic=3,standard=2"
)

GIG_EPILOG = """examples:
  freelancer-desk gig create --title "I will design a minimalist logo" \\
      --category "Graphics & Design" --tag logo --tag minimalist \\
      --package basic:Starter:25:5:1 --package standard:Business:60:4:2 \\
      --package premium:Brand:120:3:unlimited --feature "basic:Source file" \\
      --extra "Social media kit:15:1" --fast-delivery 20:basic=3,standard=2 \\
      --faq "Do I get the source file?=Yes" --requirement "Your brand name?"
  freelancer-desk gig update 1a2b --price basic:30 --tag logo --tag vector
"""


def register(reg: Registry) -> None:
    create = reg.verb(
        "gig", "create", "create a draft gig", noun_help="gigs"
    )  # noun exists already (read.py)
    create.formatter_class = argparse.RawDescriptionHelpFormatter
    create.epilog = GIG_EPILOG
    _gig_options(create, creating=True)
    create.set_defaults(**handler(with_app(cmd_gig_create), creates=True))

    update = reg.verb("gig", "update", "change a gig; options not given stay as they are")
    update.formatter_class = argparse.RawDescriptionHelpFormatter
    update.epilog = GIG_EPILOG
    update.add_argument("id", help="the gig's id (or its first 4-8 digits)")
    _gig_options(update, creating=False)
    update.set_defaults(**handler(with_app(cmd_gig_update)))

    for verb, text in (
        ("activate", "put a draft or paused gig on sale"),
        ("pause", "stop an active gig taking orders"),
        ("archive", "retire a gig for good (duplicate it to bring it back)"),
        ("duplicate", "copy a gig as a new draft"),
        ("delete", "delete a gig that never sold (one with orders: archive it)"),
    ):
        cmd = reg.verb("gig", verb, text)
        cmd.add_argument("id", help="the gig's id (or its first 4-8 digits)")
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.set_defaults(gig_step=verb, **handler(with_app(cmd_gig_step)))

    package = reg.verb("gig", "package", "add a package (at most three per gig)")
    package.add_argument("id", help="the gig's id")
    package.add_argument("package", metavar="PACKAGE", help=PACKAGE_HELP)
    package.add_argument("--description", default="")
    package.add_argument("--feature", action="append", default=[], help="repeatable")
    package.add_argument("--json", action="store_true", help="print JSON")
    package.set_defaults(**handler(with_app(cmd_gig_package)))

    extra = reg.verb("gig", "extra", "add a paid extra, or extra-fast delivery")
    extra.add_argument("id", help="the gig's id")
    extra.add_argument("--title", required=True)
    extra.add_argument("--price", required=True, help="in the gig's currency, e.g. 15")
    kind = extra.add_mutually_exclusive_group()
    kind.add_argument("--days", type=int, default=0, help="days the extra adds")
    kind.add_argument(
        "--fast",
        metavar="TIER=DAYS[,TIER=DAYS]",
        help="extra-fast delivery: days saved per package, e.g. basic=3,standard=2",
    )
    extra.add_argument("--description", default="")
    extra.add_argument("--json", action="store_true", help="print JSON")
    extra.set_defaults(**handler(with_app(cmd_gig_extra)))

    place = reg.verb("order", "place", "record a new order of an active gig", noun_help="orders")
    place.add_argument("--gig", required=True, help="the gig's id")
    place.add_argument("--package", required=True, choices=TIERS)
    place.add_argument("--extra", action="append", default=[], help="an extra's id (repeatable)")
    buyer = place.add_mutually_exclusive_group(required=True)
    buyer.add_argument("--buyer", help="the buyer's name (a new Fiverr client)")
    buyer.add_argument("--client", help="an existing client's id")
    place.add_argument("--number", help="Fiverr's order number")
    place.add_argument("--notes", default="")
    place.add_argument("--json", action="store_true", help="print JSON")
    place.set_defaults(**handler(with_app(cmd_order_place)))

    steps = (
        ("start", "the requirements arrived (or work starts without them)", "--answer"),
        ("deliver", "deliver the work", "--message"),
        ("revise", "the buyer asks for a revision", "--note"),
        ("complete", "the buyer accepts the delivery", None),
        ("cancel", "cancel; what the order holds is refunded", "--reason"),
    )
    for verb, text, option in steps:
        cmd = reg.verb("order", verb, text)
        cmd.add_argument("id", help="the order's id (or its first 4-8 digits)")
        if option == "--answer":
            cmd.add_argument(
                "--answer",
                action="append",
                default=[],
                metavar="QUESTION=ANSWER",
                help="the buyer's answer to a requirement (repeatable)",
            )
        elif option is not None:
            cmd.add_argument(option, default="")
        if verb == "deliver":
            cmd.add_argument(
                "--file",
                action="append",
                default=[],
                metavar="PATH",
                help="a file sent with the delivery (repeatable); the workspace keeps a copy",
            )
        cmd.add_argument("--json", action="store_true", help="print JSON")
        cmd.set_defaults(order_step=verb, **handler(with_app(cmd_order_step)))

    auto = reg.verb(
        "order", "auto-complete", "complete orders delivered 3 days ago without a reply"
    )
    auto.add_argument("--json", action="store_true", help="print JSON")
    auto.set_defaults(**handler(with_app(cmd_order_auto_complete)))


def _gig_options(cmd: argparse.ArgumentParser, *, creating: bool) -> None:
    cmd.add_argument("--title", required=creating, help='"I will …", at most 80 characters')
    cmd.add_argument("--category")
    cmd.add_argument(
        "--tag", action="append", default=None, help="up to 5 (repeatable; replaces all)"
    )
    cmd.add_argument("--description", help="at most 1,200 characters")
    cmd.add_argument("--currency", help="ISO code (default USD)")
    cmd.add_argument(
        "--min-price",
        help="the least a package may cost, in the gig's currency ($5 or its equivalent)",
    )
    cmd.add_argument("--package", action="append", default=[], help=PACKAGE_HELP)
    cmd.add_argument(
        "--feature",
        action="append",
        default=[],
        metavar="TIER:TEXT",
        help="a package feature (repeatable; replaces that package's features)",
    )
    cmd.add_argument("--extra", action="append", default=None, help=EXTRA_HELP)
    cmd.add_argument("--fast-delivery", help=FAST_HELP)
    cmd.add_argument(
        "--faq", action="append", default=None, metavar="QUESTION=ANSWER", help="repeatable"
    )
    cmd.add_argument("--requirement", action="append", default=None, help="repeatable")
    if not creating:
        cmd.add_argument(
            "--price",
            action="append",
            default=[],
            metavar="TIER:PRICE",
            help="change one package's price (repeatable)",
        )
        cmd.add_argument(
            "--drop-package", action="append", default=[], choices=TIERS, help="repeatable"
        )
    cmd.add_argument("--json", action="store_true", help="print JSON")


# -- parsing ----------------------------------------------------------------------------


def _minor(text: str, currency: str, what: str) -> int:
    from freelancer_desk.domain.money import Money

    return Money.parse(text, currency, field=what).amount


def _tier(text: str, option: str) -> str:
    tier = text.strip().lower()
    if tier not in TIERS:
        raise CliError(f"{option}: {text!r} is not a package tier (basic, standard, premium)")
    return tier


def _int(text: str, option: str) -> int:
    try:
        return int(text.strip())
    except ValueError:
        raise CliError(f"{option}: {text!r} is not a whole number") from None


def parse_package(text: str, currency: str, features: tuple[str, ...] = ()) -> PackageInput:
    from freelancer_desk.services.gigs import PackageInput

    head, sep, rest = text.partition(":")
    parts = rest.rsplit(":", 3)
    if not sep or len(parts) != 4:
        raise CliError(f"--package {text!r}: write it as TIER:NAME:PRICE:DAYS:REVISIONS")
    name, price, days, revisions = parts
    tier = _tier(head, "--package")
    unlimited = revisions.strip().lower() in ("unlimited", "u", "")
    return PackageInput(
        tier=tier,
        name=name,
        price_minor=_minor(price, currency, f"{tier} package price"),
        delivery_days=_int(days, "--package days"),
        revisions=None if unlimited else _int(revisions, "--package revisions"),
        features=features,
    )


def parse_saved(text: str) -> dict[str, int]:
    saved = {}
    for item in text.split(","):
        tier, sep, days = item.partition("=")
        if not sep:
            raise CliError(f"{text!r}: write days saved as TIER=DAYS[,TIER=DAYS]")
        saved[_tier(tier, "days saved")] = _int(days, "days saved")
    return saved


def parse_extra(text: str, currency: str) -> ExtraInput:
    from freelancer_desk.services.gigs import ExtraInput

    parts = text.rsplit(":", 2)
    if len(parts) != 3:
        raise CliError(f"--extra {text!r}: write it as TITLE:PRICE:DAYS")
    title, price, days = parts
    return ExtraInput(
        title=title,
        price_minor=_minor(price, currency, "extra price"),
        extra_days=_int(days, "--extra days"),
    )


def parse_fast(text: str, currency: str) -> ExtraInput:
    from freelancer_desk.services.gigs import ExtraInput

    price, sep, saved = text.partition(":")
    if not sep:
        raise CliError(f"--fast-delivery {text!r}: write it as PRICE:TIER=DAYS[,TIER=DAYS]")
    return ExtraInput(
        title="Extra-fast delivery",
        price_minor=_minor(price, currency, "extra-fast delivery price"),
        kind="fast_delivery",
        days_saved=parse_saved(saved),
    )


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise CliError(f"{option} {item!r}: write it as QUESTION=ANSWER")
        pairs.append((key.strip(), value.strip()))
    return pairs


def _features(items: list[str]) -> dict[str, list[str]]:
    by_tier: dict[str, list[str]] = {}
    for item in items:
        tier, sep, text = item.partition(":")
        if not sep:
            raise CliError(f"--feature {item!r}: write it as TIER:TEXT")
        by_tier.setdefault(_tier(tier, "--feature"), []).append(text.strip())
    return by_tier


def build_gig_input(args: argparse.Namespace, base: GigInput | None) -> GigInput:
    """The options over `base` (the stored gig, for update): a list option given
    replaces that list; one not given keeps it."""
    from dataclasses import replace

    from freelancer_desk.services.gigs import GigInput, RequirementInput

    data = base or GigInput(title=args.title or "")
    changes: dict[str, Any] = {}
    for option in ("title", "category", "description"):
        value = getattr(args, option)
        if value is not None:
            changes[option] = value
    if args.currency is not None:
        changes["currency"] = args.currency.strip().upper()
    currency = changes.get("currency", data.currency)
    if args.min_price is not None:
        changes["min_package_price_minor"] = (
            _minor(args.min_price, currency, "minimum package price")
            if args.min_price.strip()
            else None
        )
    if args.tag is not None:
        changes["tags"] = tuple(args.tag)
    features = _features(args.feature)
    packages = {p.tier: p for p in data.packages}
    for tier in getattr(args, "drop_package", []):
        packages.pop(tier, None)
    for text in args.package:
        package = parse_package(text, currency)
        packages[package.tier] = package
    for item in getattr(args, "price", []):
        tier, sep, price = item.partition(":")
        tier = _tier(tier, "--price")
        if not sep or tier not in packages:
            raise CliError(f"--price {item!r}: write it as TIER:PRICE for a package the gig has")
        packages[tier] = replace(
            packages[tier], price_minor=_minor(price, currency, f"{tier} package price")
        )
    for tier, texts in features.items():
        if tier not in packages:
            raise CliError(f"--feature: the gig has no {tier} package")
        packages[tier] = replace(packages[tier], features=tuple(texts))
    if args.package or features or getattr(args, "price", []) or getattr(args, "drop_package", []):
        changes["packages"] = tuple(packages[t] for t in TIERS if t in packages)
    if args.extra is not None or args.fast_delivery is not None:
        extras = [parse_extra(e, currency) for e in (args.extra or [])]
        if args.extra is None:  # only the fast delivery changes: keep the paid extras
            extras = [e for e in data.extras if e.kind != "fast_delivery"]
        if args.fast_delivery is not None:
            extras.append(parse_fast(args.fast_delivery, currency))
        else:
            extras.extend(e for e in data.extras if e.kind == "fast_delivery")
        changes["extras"] = tuple(extras)
    if args.faq is not None:
        changes["faqs"] = tuple(_pairs(args.faq, "--faq"))
    if args.requirement is not None:
        changes["requirements"] = tuple(RequirementInput(q) for q in args.requirement)
    return replace(data, **changes)


# -- output -----------------------------------------------------------------------------


def _show_gig(args: argparse.Namespace, gig: dict[str, Any], verb: str) -> int:
    if args.json:
        print_json(gig)
    else:
        packages = ", ".join(p["tier"] for p in gig["packages"]) or "no packages"
        say(f"{verb} gig {gig['id'][:8]} ({gig['state']}, {packages}): {gig['title']}")
    return EXIT_OK


def _show_order(args: argparse.Namespace, order: dict[str, Any], verb: str) -> int:
    from freelancer_desk.domain.money import Money

    if args.json:
        print_json(order)
    else:
        price = Money(order["price_minor"], order["currency"])
        due = f", due {order['due_at'][:16].replace('T', ' ')} UTC" if order["due_at"] else ""
        late = ", LATE" if order.get("is_late") else ""
        say(
            f"{verb} order {order['id'][:8]} ({order['state'].replace('_', ' ')}, {price}"
            f"{due}{late}): {order['title']}"
        )
    return EXIT_OK


# -- handlers ---------------------------------------------------------------------------


def cmd_gig_create(app: App, args: argparse.Namespace) -> int:
    return _show_gig(args, app.gigs.create(build_gig_input(args, None)), "created")


def cmd_gig_update(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.gigs import gig_input

    current = app.gigs.get(args.id)
    updated = app.gigs.update(current["id"], build_gig_input(args, gig_input(current)))
    return _show_gig(args, updated, "updated")


def cmd_gig_step(app: App, args: argparse.Namespace) -> int:
    step = args.gig_step
    if step == "delete":
        gone = app.gigs.delete(args.id)
        if args.json:
            print_json({"deleted": gone["id"]})
        else:
            say(f"deleted gig {gone['id'][:8]}: {gone['title']}")
        return EXIT_OK
    result = getattr(app.gigs, step)(args.id)
    verb = {"duplicate": "duplicated as"}.get(step, f"{step}d" if step.endswith("e") else step)
    return _show_gig(args, result, verb)


def cmd_gig_package(app: App, args: argparse.Namespace) -> int:
    gig = app.gigs.get(args.id)
    package = parse_package(args.package, gig["currency"], tuple(args.feature))
    if args.description:
        from dataclasses import replace

        package = replace(package, description=args.description)
    return _show_gig(args, app.gigs.add_package(gig["id"], package), "updated")


def cmd_gig_extra(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.gigs import ExtraInput

    gig = app.gigs.get(args.id)
    price = _minor(args.price, gig["currency"], "extra price")
    extra = (
        ExtraInput(
            title=args.title,
            price_minor=price,
            kind="fast_delivery",
            days_saved=parse_saved(args.fast),
            description=args.description,
        )
        if args.fast
        else ExtraInput(
            title=args.title,
            price_minor=price,
            extra_days=args.days,
            description=args.description,
        )
    )
    return _show_gig(args, app.gigs.add_extra(gig["id"], extra), "updated")


def cmd_order_place(app: App, args: argparse.Namespace) -> int:
    from freelancer_desk.services.orders import OrderInput

    order = app.orders.place(
        OrderInput(
            gig_id=args.gig,
            package=args.package,
            extras=tuple(args.extra),
            client_id=args.client,
            buyer=args.buyer or "",
            number=args.number,
            notes=args.notes,
        )
    )
    return _show_order(args, order, "placed")


def cmd_order_step(app: App, args: argparse.Namespace) -> int:
    step = args.order_step
    orders = app.orders
    if step == "start":
        result = orders.start(args.id, dict(_pairs(args.answer, "--answer")) or None)
    elif step == "deliver":
        result = orders.deliver(args.id, args.message, files=args.file)
    elif step == "revise":
        result = orders.request_revision(args.id, args.note)
    elif step == "complete":
        result = orders.complete(args.id)
    else:
        result = orders.cancel(args.id, args.reason)
    verbs = {
        "start": "started",
        "deliver": "delivered",
        "revise": "sent back for a revision:",
        "complete": "completed",
        "cancel": "cancelled",
    }
    code = _show_order(args, result, verbs[step])
    if step == "deliver" and not args.json:
        for line in delivery_lines(app, result["deliveries"][-1:]):
            say(line)
    return code


def delivery_lines(app: App, deliveries: list[dict[str, Any]]) -> list[str]:
    """Each delivery (when, message) and its files: name, size, SHA-256 and where the
    copy is kept on this machine (or that another machine keeps it)."""
    lines = []
    for delivery in deliveries:
        when = str(delivery["delivered_at"])[:16].replace("T", " ")
        message = " ".join(str(delivery.get("message") or "").split())
        lines.append(f"delivered {when} UTC: {message or '(no message)'}")
        for f in delivery.get("files") or []:
            kept = app.orders.delivered_file(f)
            where = str(kept) if kept is not None else "kept on another machine, or gone"
            lines.append(
                f"  {f['name']}  {f['size_bytes']:,} bytes  sha256 {f['sha256'][:16]}  {where}"
            )
    return lines


def cmd_order_auto_complete(app: App, args: argparse.Namespace) -> int:
    done = app.orders.auto_complete_due()
    if args.json:
        print_json(done)
    elif not done:
        say("no delivered order is due to complete")
    else:
        for order in done:
            _show_order(args, order, "auto-completed")
    return EXIT_OK
