"""Gigs (Fiverr side): title, tags, up to three packages, paid extras, FAQ, buyer
requirements; pause, activate, archive and duplicate through the gig state machine."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any, TypeVar

from sqlalchemy import func, select

from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money
from freelancer_desk.domain.platforms import (
    FIVERR,
    FiverrRules,
    check_gig_description,
    check_gig_tags,
    check_gig_title,
    check_package_count,
    check_package_price,
)
from freelancer_desk.domain.workflow.gig import GIG, GigAction, GigState
from freelancer_desk.services.clients import check_currency_field, check_platform
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import (
    Gig,
    GigExtra,
    GigFaq,
    GigPackage,
    GigRequirement,
    Order,
)
from freelancer_desk.storage.vocab import PACKAGE_TIERS

T = TypeVar("T")

GIG_CHILDREN = ("packages", "extras", "faqs", "requirements")
REQUIREMENT_KINDS = ("text", "choice", "file")


@dataclass(frozen=True)
class PackageInput:
    tier: str  # basic / standard / premium
    name: str
    price_minor: int
    delivery_days: int
    revisions: int | None = None  # None: unlimited
    description: str = ""
    features: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExtraInput:
    """A paid extra. Kind "extra" adds `extra_days`; kind "fast_delivery" instead takes
    `days_saved[tier]` days off the package it is bought with."""

    title: str
    price_minor: int
    extra_days: int = 0
    kind: str = "extra"
    description: str = ""
    days_saved: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RequirementInput:
    question: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = True


@dataclass(frozen=True)
class GigInput:
    title: str
    category: str = ""
    tags: tuple[str, ...] = ()
    description: str = ""
    packages: tuple[PackageInput, ...] = ()
    extras: tuple[ExtraInput, ...] = ()
    faqs: tuple[tuple[str, str], ...] = ()  # (question, answer)
    requirements: tuple[RequirementInput, ...] = ()
    platform: str = "fiverr"
    currency: str = "USD"
    fee_bp: int = FIVERR.fee_bp
    clearance_days: int = FIVERR.clearance.days
    # "$5 or its equivalent": the minimum in the gig's currency when it is not USD.
    # Stored on the gig (None: the platform's own minimum, given in USD).
    min_package_price_minor: int | None = None


def _int(value: object, *, field: str, rule: str, minimum: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise RuleError(rule, f"{what} must be a whole number of at least {minimum}", field=field)
    return value


def gig_rules(
    currency: str, min_price_minor: int | None, base: FiverrRules = FIVERR
) -> FiverrRules:
    """The Fiverr rules for a gig: the stock minimum, or the gig's override in its currency."""
    if min_price_minor is None:
        return base
    minimum = Money(
        _int(
            min_price_minor,
            field="min_package_price",
            rule="gig.min_price",
            minimum=0,
            what="the minimum package price",
        ),
        currency,
    )
    return replace(base, min_package_price=minimum)


def _package(data: PackageInput, currency: str, rules: FiverrRules, position: int) -> GigPackage:
    if data.tier not in PACKAGE_TIERS:
        raise RuleError(
            "gig.package_tier",
            f"package tier {data.tier!r} is not one of {', '.join(PACKAGE_TIERS)}",
            field="tier",
        )
    price = data.price_minor
    if isinstance(price, bool) or not isinstance(price, int):
        raise RuleError("gig.package_price", "package price must be minor units", field="price")
    check_package_price(Money(price, currency), rules)
    revisions = data.revisions
    if revisions is not None:
        _int(
            revisions,
            field="revisions",
            rule="gig.package_revisions",
            minimum=0,
            what="revisions",
        )
    return GigPackage(
        tier=data.tier,
        position=position,
        name=clean_text(data.name, field="name", max_chars=80, required=True),
        description=clean_text(data.description, field="description", max_chars=1200),
        price_minor=price,
        delivery_days=_int(
            data.delivery_days,
            field="delivery_days",
            rule="gig.package_delivery_days",
            minimum=1,
            what="delivery days",
        ),
        revisions=revisions,
        features=[
            clean_text(f, field="features", max_chars=200, required=True) for f in data.features
        ],
    )


def _extra(data: ExtraInput, packages: Sequence[GigPackage], position: int) -> GigExtra:
    if data.kind not in ("extra", "fast_delivery"):
        raise RuleError(
            "gig.extra_kind",
            f"extra kind {data.kind!r} is not extra or fast_delivery",
            field="kind",
        )
    price = _int(data.price_minor, field="price", rule="gig.extra_price", minimum=1, what="price")
    extra_days = _int(
        data.extra_days, field="extra_days", rule="gig.extra_days", minimum=0, what="extra days"
    )
    saved: dict[str, Any] = {}
    if data.kind == "fast_delivery":
        if extra_days:
            raise RuleError(
                "gig.fast_delivery_days",
                "extra-fast delivery shortens delivery; it cannot add days",
                field="extra_days",
            )
        by_tier = {p.tier: p for p in packages}
        for tier, days in data.days_saved.items():
            package = by_tier.get(tier)
            if package is None:
                raise RuleError(
                    "gig.fast_delivery_tier",
                    f"extra-fast delivery names the {tier} package, which the gig does not have",
                    field="days_saved",
                )
            if not isinstance(days, int) or not 1 <= days < package.delivery_days:
                raise RuleError(
                    "gig.fast_delivery_days",
                    f"extra-fast delivery for {tier} must save between 1 day and less than "
                    f"the package's {package.delivery_days} days, not {days}",
                    field="days_saved",
                )
            saved[tier] = days
        if not saved:
            raise RuleError(
                "gig.fast_delivery_days",
                "extra-fast delivery must say how many days it saves on at least one package",
                field="days_saved",
            )
    return GigExtra(
        position=position,
        kind=data.kind,
        title=clean_text(data.title, field="title", max_chars=120, required=True),
        description=clean_text(data.description, field="description", max_chars=1200),
        price_minor=price,
        extra_days=extra_days,
        days_saved=saved,
    )


def _requirement(data: RequirementInput, position: int) -> GigRequirement:
    if data.kind not in REQUIREMENT_KINDS:
        raise RuleError(
            "gig.requirement_kind",
            f"requirement kind {data.kind!r} is not one of {', '.join(REQUIREMENT_KINDS)}",
            field="requirements",
        )
    choices = [clean_text(c, field="choices", max_chars=200, required=True) for c in data.choices]
    if data.kind == "choice" and len(choices) < 2:
        raise RuleError(
            "gig.requirement_choices",
            "a multiple-choice requirement needs at least two choices",
            field="choices",
        )
    return GigRequirement(
        position=position,
        question=clean_text(data.question, field="question", max_chars=1000, required=True),
        kind=data.kind,
        choices=choices,
        required=data.required,
    )


def _qualified(call: Callable[[], T], prefix: str, label: str) -> T:
    """Run one part's check; a refusal names the part: field "basic.price" (the Basic
    package's price) or "extras.1.days_saved", message "basic package: …"."""
    try:
        return call()
    except RuleError as exc:
        field = f"{prefix}.{exc.field}" if exc.field else prefix
        raise RuleError(exc.rule, f"{label}: {exc}", field=field) from None


def _extra_label(data: ExtraInput, position: int) -> str:
    title = (data.title or "").strip()
    return f"extra {position + 1}" + (f" ({title})" if title else "")


@dataclass
class _Validated:
    columns: dict[str, Any]
    packages: list[GigPackage]
    extras: list[GigExtra]
    faqs: list[GigFaq]
    requirements: list[GigRequirement]


def _validated(data: GigInput, base: FiverrRules) -> _Validated:
    currency = check_currency_field(data.currency)
    rules = gig_rules(currency, data.min_package_price_minor, base)
    title = check_gig_title(
        clean_text(data.title, field="title", max_chars=10_000, required=True), rules
    )
    check_package_count(len(data.packages), rules)
    tiers = [p.tier for p in data.packages]
    if len(set(tiers)) != len(tiers):
        raise RuleError(
            "gig.package_tier_unique", "each package tier appears once per gig", field="packages"
        )
    # Packages keep Basic → Standard → Premium order whatever order they were given in.
    ordered = sorted(
        data.packages,
        key=lambda p: PACKAGE_TIERS.index(p.tier) if p.tier in PACKAGE_TIERS else 99,
    )
    packages = [
        _qualified(partial(_package, p, currency, rules, i), p.tier, f"{p.tier} package")
        for i, p in enumerate(ordered)
    ]
    fee_bp = _int(data.fee_bp, field="fee", rule="gig.fee", minimum=0, what="fee")
    if fee_bp > 10_000:
        raise RuleError("gig.fee", "fee must be between 0% and 100%", field="fee")
    return _Validated(
        columns={
            "title": title,
            "platform": check_platform(data.platform),
            "category": clean_text(data.category, field="category", max_chars=120),
            "tags": list(check_gig_tags(data.tags, rules)),
            "description": check_gig_description(
                clean_text(data.description, field="description", max_chars=100_000), rules
            ),
            "currency": currency,
            "min_package_price_minor": (
                rules.min_package_price.amount if data.min_package_price_minor is not None else None
            ),
            "fee_bp": fee_bp,
            "clearance_days": _int(
                data.clearance_days,
                field="clearance_days",
                rule="gig.clearance_days",
                minimum=0,
                what="clearance days",
            ),
        },
        packages=packages,
        extras=[
            _qualified(partial(_extra, e, packages, i), f"extras.{i}", _extra_label(e, i))
            for i, e in enumerate(data.extras)
        ],
        faqs=[
            GigFaq(
                position=i,
                question=clean_text(q, field="faqs", max_chars=1000, required=True),
                answer=clean_text(a, field="faqs", max_chars=5000),
            )
            for i, (q, a) in enumerate(data.faqs)
        ],
        requirements=[_requirement(r, i) for i, r in enumerate(data.requirements)],
    )


def gig_dict(gig: Gig) -> dict[str, Any]:
    result = to_dict(gig, children=GIG_CHILDREN)
    result["allowed_actions"] = [a.value for a in GIG.allowed_actions(GigState(gig.state))]
    return result


class GigService:
    def __init__(self, db: Database, bus: ChangeBus, rules: FiverrRules = FIVERR) -> None:
        self._db = db
        self._bus = bus
        self._rules = rules

    def _publish(self, action: str, result: dict[str, Any]) -> dict[str, Any]:
        self._bus.publish(Change("gig", action, (result["id"],)))
        return result

    def create(self, data: GigInput) -> dict[str, Any]:
        valid = _validated(data, self._rules)
        with self._db.session() as s:
            gig = Gig(**valid.columns, state=GigState.DRAFT.value)
            self._set_children(gig, valid)
            s.add(gig)
            s.flush()
            result = gig_dict(gig)
        return self._publish("created", result)

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return gig_dict(find(s, Gig, ident, what="gig"))

    def update(self, ident: str, data: GigInput) -> dict[str, Any]:
        """Replace the gig's fields and its packages, extras, FAQ and requirements.
        Orders keep frozen copies of what was bought, so editing never rewrites them."""
        valid = _validated(data, self._rules)
        with self._db.session() as s:
            gig = find(s, Gig, ident, what="gig")
            if gig.state == GigState.ARCHIVED.value:
                raise RuleError(
                    "gig.archived", "cannot edit an archived gig: duplicate it", field="state"
                )
            for key, value in valid.columns.items():
                setattr(gig, key, value)
            # A package keeps its id (orders point at it) while its tier stays.
            kept = {p.tier: p for p in gig.packages}
            merged = []
            for new in valid.packages:
                old = kept.get(new.tier)
                if old is None:
                    merged.append(new)
                    continue
                for column in _PACKAGE_COPIED:
                    setattr(old, column, getattr(new, column))
                merged.append(old)
            valid.packages = merged
            self._set_children(gig, valid)
            s.flush()
            s.refresh(gig)
            result = gig_dict(gig)
        return self._publish("updated", result)

    @staticmethod
    def _set_children(gig: Gig, valid: _Validated) -> None:
        gig.packages = valid.packages
        gig.extras = valid.extras
        gig.faqs = valid.faqs
        gig.requirements = valid.requirements

    def add_package(self, ident: str, data: PackageInput) -> dict[str, Any]:
        """Add one package; a fourth one, or a tier the gig already has, or a price under
        the gig's stored minimum, is refused."""
        with self._db.session() as s:
            gig = find(s, Gig, ident, what="gig")
            if gig.state == GigState.ARCHIVED.value:
                raise RuleError(
                    "gig.archived", "cannot edit an archived gig: duplicate it", field="state"
                )
            rules = gig_rules(gig.currency, gig.min_package_price_minor, self._rules)
            check_package_count(len(gig.packages) + 1, rules)
            if any(p.tier == data.tier for p in gig.packages):
                raise RuleError(
                    "gig.package_tier_unique",
                    f"the gig already has a {data.tier} package",
                    field="tier",
                )
            package = _qualified(
                lambda: _package(data, gig.currency, rules, PACKAGE_TIERS.index(data.tier)),
                data.tier,
                f"{data.tier} package",
            )
            gig.packages.append(package)
            s.flush()
            s.refresh(gig)
            result = gig_dict(gig)
        return self._publish("updated", result)

    def add_extra(self, ident: str, data: ExtraInput) -> dict[str, Any]:
        """Add one paid extra (or the extra-fast delivery) after the others."""
        with self._db.session() as s:
            gig = find(s, Gig, ident, what="gig")
            if gig.state == GigState.ARCHIVED.value:
                raise RuleError(
                    "gig.archived", "cannot edit an archived gig: duplicate it", field="state"
                )
            if data.kind == "fast_delivery" and any(e.kind == "fast_delivery" for e in gig.extras):
                raise RuleError(
                    "gig.fast_delivery_once",
                    "the gig already offers extra-fast delivery",
                    field="kind",
                )
            position = len(gig.extras)
            gig.extras.append(
                _qualified(
                    lambda: _extra(data, gig.packages, position),
                    f"extras.{position}",
                    _extra_label(data, position),
                )
            )
            s.flush()
            s.refresh(gig)
            result = gig_dict(gig)
        return self._publish("updated", result)

    def delete(self, ident: str) -> dict[str, Any]:
        """Delete a gig that never sold; one with orders is archived instead, so its
        orders keep pointing at what was bought."""
        with self._db.session() as s:
            gig = find(s, Gig, ident, what="gig")
            orders = s.scalar(select(func.count(Order.id)).where(Order.gig_id == gig.id)) or 0
            if orders:
                raise RuleError(
                    "gig.delete_with_orders",
                    f"cannot delete gig: it has {orders} order{'s' if orders != 1 else ''}; "
                    "archive it instead",
                    field="state",
                )
            result = gig_dict(gig)
            s.delete(gig)
        return self._publish("deleted", result)

    def _transition(self, ident: str, action: GigAction) -> dict[str, Any]:
        with self._db.session() as s:
            gig = find(s, Gig, ident, what="gig")
            new_state = GIG.transition(GigState(gig.state), action)
            if action is GigAction.ACTIVATE and not gig.packages:
                raise RuleError(
                    "gig.activate_needs_package",
                    "cannot activate gig: it has no package to sell",
                    field="packages",
                )
            gig.state = new_state.value
            s.flush()
            result = gig_dict(gig)
        return self._publish(new_state.value, result)

    def activate(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, GigAction.ACTIVATE)

    def pause(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, GigAction.PAUSE)

    def archive(self, ident: str) -> dict[str, Any]:
        return self._transition(ident, GigAction.ARCHIVE)

    def duplicate(self, ident: str) -> dict[str, Any]:
        """A draft copy with the same title, packages, extras, FAQ and requirements."""
        with self._db.session() as s:
            source = find(s, Gig, ident, what="gig")
            copy = Gig(**{c: getattr(source, c) for c in _GIG_COPIED}, state=GigState.DRAFT.value)
            copy.packages = [_clone(p, _PACKAGE_COPIED) for p in source.packages]
            copy.extras = [_clone(e, _EXTRA_COPIED) for e in source.extras]
            copy.faqs = [_clone(f, ("position", "question", "answer")) for f in source.faqs]
            copy.requirements = [
                _clone(r, ("position", "question", "kind", "choices", "required"))
                for r in source.requirements
            ]
            s.add(copy)
            s.flush()
            result = gig_dict(copy)
        return self._publish("created", result)


_GIG_COPIED = (
    "title",
    "platform",
    "category",
    "tags",
    "description",
    "currency",
    "min_package_price_minor",
    "fee_bp",
    "clearance_days",
)
_PACKAGE_COPIED = (
    "tier",
    "position",
    "name",
    "description",
    "price_minor",
    "delivery_days",
    "revisions",
    "features",
)
_EXTRA_COPIED = (
    "position",
    "kind",
    "title",
    "description",
    "price_minor",
    "extra_days",
    "days_saved",
)


def _clone(row: Any, columns: Sequence[str]) -> Any:
    values = {}
    for column in columns:
        value = getattr(row, column)
        values[column] = (
            list(value)
            if isinstance(value, list)
            else (dict(value) if isinstance(value, dict) else value)
        )
    return type(row)(**values)


def gig_input(gig: dict[str, Any]) -> GigInput:
    """The editable input of a stored gig (as `gig_dict` gives it): what an editor starts
    from, so saving it unchanged changes nothing."""
    return GigInput(
        title=gig["title"],
        category=gig.get("category") or "",
        tags=tuple(gig.get("tags") or ()),
        description=gig.get("description") or "",
        packages=tuple(
            PackageInput(
                tier=p["tier"],
                name=p["name"],
                price_minor=p["price_minor"],
                delivery_days=p["delivery_days"],
                revisions=p["revisions"],
                description=p.get("description") or "",
                features=tuple(p.get("features") or ()),
            )
            for p in gig.get("packages", ())
        ),
        extras=tuple(
            ExtraInput(
                title=e["title"],
                price_minor=e["price_minor"],
                extra_days=e.get("extra_days") or 0,
                kind=e.get("kind") or "extra",
                description=e.get("description") or "",
                days_saved={str(k): int(v) for k, v in (e.get("days_saved") or {}).items()},
            )
            for e in gig.get("extras", ())
        ),
        faqs=tuple((f["question"], f.get("answer") or "") for f in gig.get("faqs", ())),
        requirements=tuple(
            RequirementInput(
                question=r["question"],
                kind=r.get("kind") or "text",
                choices=tuple(r.get("choices") or ()),
                required=bool(r.get("required", True)),
            )
            for r in gig.get("requirements", ())
        ),
        platform=gig.get("platform") or "fiverr",
        currency=gig.get("currency") or "USD",
        fee_bp=gig.get("fee_bp", FIVERR.fee_bp),
        clearance_days=gig.get("clearance_days", FIVERR.clearance.days),
        min_package_price_minor=gig.get("min_package_price_minor"),
    )
