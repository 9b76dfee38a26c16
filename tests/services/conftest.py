"""Fixtures shared by the money tests: a module gives its own `ws` (a workspace whose
clock starts where its story does); `ledger` is the ledger service on it."""

from __future__ import annotations

import pytest

from freelancer_desk.services.ledger import LedgerService


@pytest.fixture
def ledger(ws):
    return LedgerService(ws.db)
