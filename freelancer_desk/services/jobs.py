"""Job posts (Upwork side, offline): what a client posted, captured to bid on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from freelancer_desk.domain.clock import Clock, ensure_utc
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.clients import check_currency_field, check_platform
from freelancer_desk.services.common import clean_text, find, to_dict
from freelancer_desk.services.events import Change, ChangeBus
from freelancer_desk.storage.db import Database
from freelancer_desk.storage.models import Client, JobPost, Proposal
from freelancer_desk.storage.vocab import BUDGET_KINDS


@dataclass(frozen=True)
class JobPostInput:
    """Budget: hourly posts give a range (`budget_min_minor`..`budget_max_minor`, either
    end may be unknown); fixed posts give the budget in `budget_min_minor`."""

    title: str
    budget_kind: str = "fixed"
    budget_min_minor: int | None = None
    budget_max_minor: int | None = None
    currency: str = "USD"
    platform: str = "upwork"
    client_id: str | None = None
    client_name: str = ""
    description: str = ""
    skills: tuple[str, ...] = ()
    screening_questions: tuple[str, ...] = ()
    url: str = ""
    posted_at: datetime | None = None
    connects_required: int | None = None


def _amount(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(
            "job_post.budget_negative", f"{field}: must be zero or more minor units", field=field
        )
    return value


def _unique(items: tuple[str, ...], *, field: str, max_chars: int) -> list[str]:
    seen: dict[str, str] = {}
    for item in items:
        text = clean_text(item, field=field, max_chars=max_chars)
        if text and text.casefold() not in seen:
            seen[text.casefold()] = text
    return list(seen.values())


def _validated(data: JobPostInput, now: datetime) -> dict[str, Any]:
    if data.budget_kind not in BUDGET_KINDS:
        raise RuleError(
            "job_post.budget_kind",
            f"budget kind {data.budget_kind!r} is not hourly or fixed",
            field="budget_kind",
        )
    low = _amount(data.budget_min_minor, "budget_min")
    high = _amount(data.budget_max_minor, "budget_max")
    if data.budget_kind == "fixed" and high is not None:
        raise RuleError(
            "job_post.fixed_budget_range",
            "a fixed-price budget is one amount: give it as the budget, not a range",
            field="budget_max",
        )
    if low is not None and high is not None and high < low:
        raise RuleError(
            "job_post.budget_range",
            "the top of the hourly range is below its bottom",
            field="budget_max",
        )
    url = clean_text(data.url, field="url", max_chars=2000)
    if url and not url.startswith(("https://", "http://")):
        raise RuleError("job_post.url", f"url: {url!r} is not a web link", field="url")
    posted_at = None
    if data.posted_at is not None:
        try:
            posted_at = ensure_utc(data.posted_at)
        except ValueError as exc:
            raise RuleError("job_post.posted_at", str(exc), field="posted_at") from exc
        if posted_at > now:
            raise RuleError(
                "job_post.posted_in_future",
                "a job cannot be posted in the future",
                field="posted_at",
            )
    connects = data.connects_required
    if connects is not None and (
        isinstance(connects, bool) or not isinstance(connects, int) or connects < 0
    ):
        raise RuleError(
            "job_post.connects", "connects must be zero or more", field="connects_required"
        )
    return {
        "title": clean_text(data.title, field="title", max_chars=300, required=True),
        "platform": check_platform(data.platform),
        "client_name": clean_text(data.client_name, field="client_name", max_chars=200),
        "description": clean_text(data.description, field="description", max_chars=200_000),
        "budget_kind": data.budget_kind,
        "budget_min_minor": low,
        "budget_max_minor": high,
        "currency": check_currency_field(data.currency),
        "skills": _unique(data.skills, field="skills", max_chars=80),
        "screening_questions": _unique(
            data.screening_questions, field="screening_questions", max_chars=2000
        ),
        "url": url,
        "posted_at": posted_at,
        "connects_required": connects,
    }


def _linked_client(s: Session, ident: str, platform: str, field: str = "client_id") -> Client:
    """The client a job post is linked to: one on the post's platform. Hiring from the
    post contracts with that client, and a contract is on its client's platform
    (contract.platform_client); a link to a client elsewhere was only refused there."""
    client = find(s, Client, ident, what="client")
    if client.platform != platform:
        raise RuleError(
            "job_post.platform_client",
            f"{field}: {client.name} is a client on {client.platform}; a {platform} job "
            f"post links to a client on {platform} (on {platform} the client is another "
            "client record)",
            field=field,
        )
    return client


class JobPostService:
    def __init__(self, db: Database, bus: ChangeBus, clock: Clock) -> None:
        self._db = db
        self._bus = bus
        self._clock = clock

    def create(self, data: JobPostInput) -> dict[str, Any]:
        values = _validated(data, self._clock.now())
        with self._db.session() as s:
            job = JobPost(**values)
            if data.client_id:
                client = _linked_client(s, data.client_id, job.platform)
                job.client_id = client.id
                job.client_name = job.client_name or client.name
            s.add(job)
            s.flush()
            result = to_dict(job)
        self._bus.publish(Change("job_post", "created", (result["id"],)))
        return result

    def get(self, ident: str) -> dict[str, Any]:
        with self._db.read() as s:
            return to_dict(find(s, JobPost, ident, what="job post"))

    def update(self, ident: str, data: JobPostInput) -> dict[str, Any]:
        values = _validated(data, self._clock.now())
        with self._db.session() as s:
            job = find(s, JobPost, ident, what="job post")
            for key, value in values.items():
                setattr(job, key, value)
            if data.client_id:
                client = _linked_client(s, data.client_id, job.platform)
                job.client_id = client.id
                job.client_name = job.client_name or client.name
            elif job.client_id is not None:  # the post moved to another platform
                _linked_client(s, str(job.client_id), job.platform, field="platform")
            s.flush()
            result = to_dict(job)
        self._bus.publish(Change("job_post", "updated", (result["id"],)))
        return result

    def delete(self, ident: str) -> dict[str, Any]:
        """Delete a job post and its proposals; refused once a proposal was hired."""
        with self._db.session() as s:
            job = find(s, JobPost, ident, what="job post")
            hired = s.scalar(
                select(Proposal.id)
                .where(Proposal.job_post_id == job.id, Proposal.contract_id.is_not(None))
                .limit(1)
            )
            if hired is not None:
                raise RuleError(
                    "job_post.delete_hired",
                    "cannot delete job post: a proposal for it was hired",
                    field="state",
                )
            result = to_dict(job)
            s.delete(job)
        self._bus.publish(Change("job_post", "deleted", (result["id"],)))
        return result
