"""The ledger service: the one place money movements are written.

`record()` takes a balanced domain `Transaction` and writes it inside the caller's
session, so a state change (a milestone released) and its postings commit together.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from freelancer_desk.domain.ledger import Transaction
from freelancer_desk.storage.models import LedgerPosting, LedgerTransaction


def _scope_id(scope: str | None) -> uuid.UUID | None:
    if scope is None:
        return None
    try:
        return uuid.UUID(scope)
    except ValueError:
        return None


class LedgerService:
    def record(
        self,
        session: Session,
        transaction: Transaction,
        *,
        kind: str,
        platform: str,
        client_id: uuid.UUID | None,
        scope_kind: str = "contract",
        external_ref: str | None = None,
    ) -> LedgerTransaction:
        """Write `transaction` (already balanced by the domain) in `session`."""
        row = LedgerTransaction(
            occurred_at=transaction.occurred_at,
            kind=kind,
            memo=transaction.memo,
            platform=platform,
            client_id=client_id,
            source_kind=transaction.source_kind.value,
            source_id=transaction.source_id,
            external_ref=external_ref,
        )
        for posting in transaction.postings:
            pending_in = posting.account.kind.value == "pending" and posting.amount.amount > 0
            row.postings.append(
                LedgerPosting(
                    account_kind=posting.account.kind.value,
                    scope_kind=scope_kind if posting.account.scope else "workspace",
                    scope_id=_scope_id(posting.account.scope),
                    client_id=client_id,
                    currency=posting.amount.currency,
                    amount_minor=posting.amount.amount,
                    available_at=transaction.available_at if pending_in else None,
                )
            )
        session.add(row)
        return row


def describe(row: LedgerTransaction) -> dict[str, Any]:
    from freelancer_desk.services.common import to_dict

    return to_dict(row, children=("postings",))
