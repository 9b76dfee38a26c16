"""Platform facts (Upwork, Fiverr, direct clients) as frozen data, each field overridable."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from freelancer_desk.domain import weeks
from freelancer_desk.domain.clock import ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.money import Money


class Platform(StrEnum):
    UPWORK = "upwork"
    FIVERR = "fiverr"
    DIRECT = "direct"


@dataclass(frozen=True, slots=True)
class UpworkRules:
    """Upwork's rules. Offsets are measured from the end of the billing week (the next
    Monday 00:00 UTC), so a contract that needs other dates overrides one field with
    `dataclasses.replace` and every derived instant follows."""

    # Hourly contracts.
    week_starts_on: int = weeks.UPWORK_WEEK_STARTS_ON  # Monday, as datetime.weekday() counts
    segment_minutes: int = 10
    diary_lock_after_week: timedelta = timedelta(hours=12)  # Monday 12:00 UTC
    # Review runs until Friday 23:59:59 UTC; kept as the exclusive end (Saturday 00:00)
    # so the review window is half-open like every other interval in the app.
    review_ends_after_week: timedelta = timedelta(days=5)
    available_after_week: timedelta = timedelta(days=9)  # the Wednesday after review
    manual_time_allowed: bool = True
    # Fixed-price contracts.
    auto_release_after: timedelta = timedelta(days=14)
    security_period: timedelta = timedelta(days=5)
    refund_or_dispute_window: timedelta = timedelta(days=7)
    # Fee per contract, in basis points.
    default_fee_bp: int = 1000
    min_fee_bp: int = 0
    max_fee_bp: int = 1500


@dataclass(frozen=True, slots=True)
class FiverrRules:
    max_packages: int = 3
    # "$5 or its equivalent": a gig priced in another currency needs its own minimum,
    # given by overriding this field — we never convert silently.
    min_package_price: Money = field(default_factory=lambda: Money(500, "USD"))
    auto_complete_after: timedelta = timedelta(days=3)
    clearance: timedelta = timedelta(days=14)
    clearance_top_rated: timedelta = timedelta(days=7)  # Top Rated and Pro sellers
    fee_bp: int = 2000
    review_window: timedelta = timedelta(days=14)
    title_prefix: str = "I will"
    title_max_chars: int = 80
    max_tags: int = 5
    description_max_chars: int = 1200


@dataclass(frozen=True, slots=True)
class DirectRules:
    payment_terms_days: int = 30
    fee_bp: int = 0


UPWORK = UpworkRules()
FIVERR = FiverrRules()
DIRECT = DirectRules()

PlatformRules = UpworkRules | FiverrRules | DirectRules


def default_rules(platform: Platform) -> PlatformRules:
    """The stock rules for `platform`; override fields with `dataclasses.replace`."""
    rules: dict[Platform, PlatformRules] = {
        Platform.UPWORK: UPWORK,
        Platform.FIVERR: FIVERR,
        Platform.DIRECT: DIRECT,
    }
    return rules[platform]


def default_fee_bp(platform: Platform) -> int:
    rules = default_rules(platform)
    return rules.default_fee_bp if isinstance(rules, UpworkRules) else rules.fee_bp


# -- Upwork hourly: billing weeks ---------------------------------------------------------


def billing_week(instant: datetime, rules: UpworkRules = UPWORK) -> tuple[datetime, datetime]:
    """The half-open billing week [start, end) in UTC that contains `instant`."""
    return weeks.billing_week(instant, rules.week_starts_on)


def _week_end(week_start: datetime, rules: UpworkRules) -> datetime:
    start, end = billing_week(week_start, rules)
    if start != ensure_utc(week_start):
        raise RuleError(
            "upwork.billing_week",
            f"{week_start.isoformat()} is not the start of a billing week "
            f"(that week starts {start.isoformat()})",
            field="week_start",
        )
    return end


def diary_lock_at(week_start: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """When the week's Work Diary stops accepting edits (Monday 12:00 UTC after it)."""
    return _week_end(week_start, rules) + rules.diary_lock_after_week


def review_ends_at(week_start: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """The first instant after the client's review (Saturday 00:00 UTC after the week)."""
    return _week_end(week_start, rules) + rules.review_ends_after_week


def hourly_available_at(week_start: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """When the week's earnings become available (the Wednesday after review)."""
    return _week_end(week_start, rules) + rules.available_after_week


# -- Upwork fixed price and fees ---------------------------------------------------------


def auto_release_at(submitted_at: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """A submitted milestone releases itself this long after its latest submission."""
    return ensure_utc(submitted_at) + rules.auto_release_after


def security_period_ends_at(released_at: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """Released fixed-price money is available after the security period."""
    return ensure_utc(released_at) + rules.security_period


def refund_or_dispute_until(ended_at: datetime, rules: UpworkRules = UPWORK) -> datetime:
    """A contract ended with money in escrow: the freelancer decides before this instant."""
    return ensure_utc(ended_at) + rules.refund_or_dispute_window


def check_upwork_fee(fee_bp: int, rules: UpworkRules = UPWORK) -> int:
    if not rules.min_fee_bp <= fee_bp <= rules.max_fee_bp:
        raise RuleError(
            "upwork.fee_range",
            f"Upwork fee {fee_bp / 100:g}% must be between {rules.min_fee_bp / 100:g}% "
            f"and {rules.max_fee_bp / 100:g}%",
            field="fee",
        )
    return fee_bp


# -- Fiverr ---------------------------------------------------------------------------


def order_auto_completes_at(delivered_at: datetime, rules: FiverrRules = FIVERR) -> datetime:
    """A delivered order the buyer leaves alone completes itself at this instant."""
    return ensure_utc(delivered_at) + rules.auto_complete_after


def fiverr_available_at(
    completed_at: datetime, *, top_rated: bool = False, rules: FiverrRules = FIVERR
) -> datetime:
    """When a completed order's revenue clears (7 days for Top Rated / Pro, else 14)."""
    return ensure_utc(completed_at) + (rules.clearance_top_rated if top_rated else rules.clearance)


def review_window_ends_at(completed_at: datetime, rules: FiverrRules = FIVERR) -> datetime:
    return ensure_utc(completed_at) + rules.review_window


def check_gig_title(title: str, rules: FiverrRules = FIVERR) -> str:
    text = title.strip()
    if not text.startswith(rules.title_prefix + " "):
        raise RuleError(
            "fiverr.gig_title_prefix",
            f'gig title must start with "{rules.title_prefix} …"',
            field="title",
        )
    if len(text) > rules.title_max_chars:
        raise RuleError(
            "fiverr.gig_title_length",
            f"gig title is {len(text)} characters; at most {rules.title_max_chars} allowed",
            field="title",
        )
    return text


def check_gig_tags(tags: Sequence[str], rules: FiverrRules = FIVERR) -> tuple[str, ...]:
    cleaned = tuple(tag.strip() for tag in tags)
    if any(not tag for tag in cleaned):
        raise RuleError("fiverr.gig_tag_empty", "a gig tag cannot be empty", field="tags")
    if len(cleaned) > rules.max_tags:
        raise RuleError(
            "fiverr.gig_tag_count",
            f"a gig has at most {rules.max_tags} tags, not {len(cleaned)}",
            field="tags",
        )
    return cleaned


def check_gig_description(description: str, rules: FiverrRules = FIVERR) -> str:
    if len(description) > rules.description_max_chars:
        raise RuleError(
            "fiverr.gig_description_length",
            f"gig description is {len(description)} characters; "
            f"at most {rules.description_max_chars} allowed",
            field="description",
        )
    return description


def check_package_count(count: int, rules: FiverrRules = FIVERR) -> int:
    """Refuse a package beyond the limit: pass the count the gig would have after adding."""
    if count > rules.max_packages:
        raise RuleError(
            "fiverr.package_count",
            f"a gig has at most {rules.max_packages} packages; this would be package {count}",
            field="packages",
        )
    return count


def check_package_price(price: Money, rules: FiverrRules = FIVERR) -> Money:
    minimum = rules.min_package_price
    if price.currency != minimum.currency:
        raise RuleError(
            "fiverr.package_price_currency",
            f"no minimum package price is known in {price.currency}: set its equivalent "
            f"of {minimum} in the gig's rules",
            field="price",
        )
    if price < minimum:
        raise RuleError(
            "fiverr.package_price_minimum",
            f"package price {price} is under the minimum of {minimum}",
            field="price",
        )
    return price


# -- Direct clients ---------------------------------------------------------------------


def invoice_due_at(issued_at: datetime, rules: DirectRules = DIRECT) -> datetime:
    """Net-N payment terms: the invoice is due N days after it is issued."""
    if rules.payment_terms_days < 0:
        raise RuleError(
            "direct.payment_terms",
            f"payment terms of net {rules.payment_terms_days} days are negative",
            field="payment_terms_days",
        )
    return ensure_utc(issued_at) + timedelta(days=rules.payment_terms_days)
