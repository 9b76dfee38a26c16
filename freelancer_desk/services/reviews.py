"""Reviews both ways (received from clients, given to them) and the reputation summary
per platform, with its formula spelled out for the user."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.domain.platforms import FIVERR, FiverrRules, review_window_ends_at
from freelancer_desk.domain.workflow.contract import ContractState
from freelancer_desk.domain.workflow.order import OrderState
from freelancer_desk.services.clients import check_platform
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, Contract, Gig, Milestone, Order, Review
from freelancer_desk.storage.vocab import REVIEW_DIRECTIONS

# A received rating below this makes the job count as not ended well.
GOOD_RATING = 4

REPUTATION_FORMULA = (
    "average rating = sum of the overall ratings received ÷ number of reviews received\n"
    "finished jobs = ended contracts + completed or cancelled orders\n"
    f"ended well = finished jobs that were not cancelled, had no milestone refunded or "
    f"disputed, and got no received rating below {GOOD_RATING}\n"
    "share ended well = ended well ÷ finished jobs\n"
    "repeat clients = clients with two or more contracts or orders; "
    "repeat share = repeat clients ÷ clients with any contract or order"
)


@dataclass(frozen=True)
class ReviewInput:
    client_id: str
    direction: str  # received / given
    rating: int  # overall, 1-5
    sub_ratings: dict[str, int] = field(default_factory=dict)  # e.g. {"communication": 5}
    comment: str = ""
    reviewed_at: datetime | None = None  # default: now
    platform: str | None = None  # default: the contract's, order's or client's
    contract_id: str | None = None
    order_id: str | None = None


def _stars(value: object, *, field: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise RuleError(
            "review.rating_range", f"{what} must be a whole number from 1 to 5", field=field
        )
    return value


class ReviewService:
    def __init__(
        self, db: Database, bus: ChangeBus, clock: Clock, fiverr: FiverrRules = FIVERR
    ) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock
        self._fiverr = fiverr

    def _values(
        self, s: Session, data: ReviewInput, exclude: Review | None = None
    ) -> dict[str, Any]:
        if data.direction not in REVIEW_DIRECTIONS:
            raise RuleError(
                "review.direction",
                f"direction {data.direction!r} is not received or given",
                field="direction",
            )
        subs = {}
        for name, stars in data.sub_ratings.items():
            key = clean_text(name, field="sub_ratings", max_chars=40, required=True)
            subs[key] = _stars(stars, field="sub_ratings", what=f"the {key} rating")
        now = self._clock.now()
        reviewed_at = now
        if data.reviewed_at is not None:
            try:
                reviewed_at = ensure_utc(data.reviewed_at)
            except ValueError as exc:
                raise RuleError("review.reviewed_at", str(exc), field="reviewed_at") from exc
            if reviewed_at > now:
                raise RuleError(
                    "review.in_future",
                    "a review cannot be dated in the future",
                    field="reviewed_at",
                )
        if data.contract_id and data.order_id:
            raise RuleError(
                "review.one_job",
                "a review is about a contract or an order, not both",
                field="order",
            )
        client = find(s, Client, data.client_id, what="client")
        platform = client.platform
        contract = order = None
        if data.contract_id:
            contract = find(s, Contract, data.contract_id, what="contract")
            self._check_job_client(contract.client_id, client, "contract")
            if contract.state != ContractState.ENDED.value:
                raise RuleError(
                    "review.contract_not_ended",
                    "a contract is reviewed once it has ended",
                    field="contract",
                )
            platform = contract.platform
        if data.order_id:
            order = find(s, Order, data.order_id, what="order")
            self._check_job_client(order.client_id, client, "order")
            if order.state != OrderState.COMPLETED.value or order.completed_at is None:
                raise RuleError(
                    "review.order_not_completed",
                    "an order is reviewed once it is completed",
                    field="order",
                )
            window_end = review_window_ends_at(order.completed_at, self._fiverr)
            if reviewed_at > window_end:
                raise RuleError(
                    "review.window_closed",
                    f"the review window closed {window_end.date().isoformat()} "
                    f"({self._fiverr.review_window.days} days after completion)",
                    field="reviewed_at",
                )
            gig = s.get(Gig, order.gig_id) if order.gig_id else None
            platform = gig.platform if gig is not None else platform
        if contract is not None or order is not None:
            query = select(Review.id).where(Review.direction == data.direction)
            if contract is not None:
                query = query.where(Review.contract_id == contract.id)
            if order is not None:
                query = query.where(Review.order_id == order.id)
            if exclude is not None:
                query = query.where(Review.id != exclude.id)
            if s.scalar(query.limit(1)) is not None:
                raise RuleError(
                    "review.duplicate",
                    f"this job already has a {data.direction} review",
                    field="direction",
                )
        return {
            "client_id": client.id,
            "contract_id": contract.id if contract else None,
            "order_id": order.id if order else None,
            "platform": check_platform(data.platform or platform),
            "direction": data.direction,
            "rating": _stars(data.rating, field="rating", what="the overall rating"),
            "sub_ratings": subs,
            "comment": clean_text(data.comment, field="comment", max_chars=20_000),
            "reviewed_at": reviewed_at,
        }

    @staticmethod
    def _check_job_client(job_client_id: Any, client: Client, what: str) -> None:
        if job_client_id != client.id:
            raise RuleError(
                "review.client_mismatch",
                f"that {what} belongs to another client than {client.name}",
                field=what,
            )

    def create(self, data: ReviewInput) -> dict[str, Any]:
        with self._db.session() as s:
            review = Review(**self._values(s, data))
            s.add(review)
            s.flush()
            result = to_dict(review)
        self._bus.publish(Change("review", "created", (result["id"],)))
        return result

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return to_dict(find(s, Review, ident, what="review"))

    def update(self, ident: str, data: ReviewInput) -> dict[str, Any]:
        with self._db.session() as s:
            review = find(s, Review, ident, what="review")
            for key, value in self._values(s, data, exclude=review).items():
                setattr(review, key, value)
            s.flush()
            result = to_dict(review)
        self._bus.publish(Change("review", "updated", (result["id"],)))
        return result

    def delete(self, ident: str) -> dict[str, Any]:
        with self._db.session() as s:
            review = find(s, Review, ident, what="review")
            result = to_dict(review)
            s.delete(review)
        self._bus.publish(Change("review", "deleted", (result["id"],)))
        return result

    def reputation(self, platform: str) -> dict[str, Any]:
        """Average rating received, share of finished jobs that ended well, and repeat
        clients on `platform`, with `formula` saying how each is computed."""
        platform = check_platform(platform)
        with self._db.read() as s:
            ratings = list(
                s.scalars(
                    select(Review.rating).where(
                        Review.platform == platform, Review.direction == "received"
                    )
                )
            )
            low_contracts = set(
                s.scalars(
                    select(Review.contract_id).where(
                        Review.direction == "received",
                        Review.rating < GOOD_RATING,
                        Review.contract_id.is_not(None),
                    )
                )
            )
            low_orders = set(
                s.scalars(
                    select(Review.order_id).where(
                        Review.direction == "received",
                        Review.rating < GOOD_RATING,
                        Review.order_id.is_not(None),
                    )
                )
            )
            troubled = set(
                s.scalars(
                    select(Milestone.contract_id).where(
                        (Milestone.refunded_minor > 0) | Milestone.disputed_at.is_not(None)
                    )
                )
            )
            contracts = s.execute(
                select(Contract.id, Contract.client_id, Contract.state).where(
                    Contract.platform == platform
                )
            ).all()
            orders = s.execute(
                select(Order.id, Order.client_id, Order.state)
                .join(Client, Client.id == Order.client_id)
                .outerjoin(Gig, Gig.id == Order.gig_id)
                .where(func.coalesce(Gig.platform, Client.platform) == platform)
            ).all()
        finished = ended_well = 0
        for cid, _client, state in contracts:
            if state == ContractState.ENDED.value:
                finished += 1
                ended_well += cid not in troubled and cid not in low_contracts
        for oid, _client, state in orders:
            if state in (OrderState.COMPLETED.value, OrderState.CANCELLED.value):
                finished += 1
                ended_well += state == OrderState.COMPLETED.value and oid not in low_orders
        jobs_per_client = Counter(row[1] for row in [*contracts, *orders])
        repeat = sum(1 for n in jobs_per_client.values() if n >= 2)
        return {
            "platform": platform,
            "reviews": len(ratings),
            "average_rating": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "finished_jobs": finished,
            "ended_well": ended_well,
            "share_ended_well": round(ended_well / finished, 4) if finished else None,
            "clients": len(jobs_per_client),
            "repeat_clients": repeat,
            "repeat_share": round(repeat / len(jobs_per_client), 4) if jobs_per_client else None,
            "formula": REPUTATION_FORMULA,
        }
