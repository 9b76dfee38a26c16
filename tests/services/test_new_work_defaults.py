"""The settings for new work — fee per platform, rounding, screen snapshots — are what a
new contract, a proposal and a hire's contract get where their input leaves a term
open; what the input says wins, and an edit that leaves a term open keeps the
contract's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from freelancer_desk.app import App, resolve_location
from freelancer_desk.domain.clock import FakeClock
from freelancer_desk.domain.errors import RuleError
from freelancer_desk.services.clients import ClientInput
from freelancer_desk.services.contracts import ContractInput, NewWorkDefaults
from freelancer_desk.services.jobs import JobPostInput
from freelancer_desk.services.proposals import ProposalInput

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path):
    application = App.open(resolve_location(str(tmp_path / "ws")), FakeClock(NOW))
    yield application
    application.close()


def _client(app: App, platform: str = "direct") -> str:
    return str(app.clients.create(ClientInput(name=f"{platform} client", platform=platform))["id"])


def test_without_settings_a_contract_gets_the_built_in_defaults(app: App) -> None:
    contract = app.contracts.create(
        ContractInput(
            client_id=_client(app, "upwork"),
            title="Support",
            kind="hourly",
            hourly_rate_minor=5000,
        )
    )
    assert (contract["fee_bp"], contract["rounding_rule"], contract["snapshot_policy"]) == (
        1000,
        "upwork",
        "blurred",
    )


def test_a_new_contract_takes_the_settings_where_its_input_is_open(app: App) -> None:
    app.settings.set_many(
        {
            "fees.upwork": 500,
            "fees.direct": 250,
            "billing.rounding": "15m-up",
            "snapshots.default_policy": "off",
        }
    )
    upwork = app.contracts.create(
        ContractInput(
            client_id=_client(app, "upwork"),
            title="Upwork work",
            kind="hourly",
            platform="upwork",
            hourly_rate_minor=5000,
        )
    )
    # Upwork rounds its own way whatever the setting says.
    assert (upwork["fee_bp"], upwork["rounding_rule"], upwork["snapshot_policy"]) == (
        500,
        "upwork",
        "off",
    )
    direct = app.contracts.create(
        ContractInput(
            client_id=_client(app),
            title="Direct work",
            kind="hourly",
            platform="direct",
            hourly_rate_minor=8000,
        )
    )
    assert (direct["fee_bp"], direct["rounding_rule"], direct["snapshot_policy"]) == (
        250,
        "15m-up",
        "off",
    )
    explicit = app.contracts.create(
        ContractInput(
            client_id=_client(app),
            title="Explicit terms",
            kind="hourly",
            platform="direct",
            hourly_rate_minor=8000,
            fee_bp=0,
            rounding_rule="6m-nearest",
            snapshot_policy="full",
        )
    )
    assert (explicit["fee_bp"], explicit["rounding_rule"], explicit["snapshot_policy"]) == (
        0,
        "6m-nearest",
        "full",
    )


def test_an_edit_that_leaves_terms_open_keeps_the_contracts_own(app: App) -> None:
    terms = ContractInput(
        client_id=_client(app),
        title="Direct work",
        kind="hourly",
        platform="direct",
        hourly_rate_minor=8000,
        fee_bp=300,
        rounding_rule="30m-up",
        snapshot_policy="full",
    )
    contract = app.contracts.create(terms)
    app.settings.set_many({"fees.direct": 0, "snapshots.default_policy": "off"})
    edited = app.contracts.update(
        contract["id"],
        replace(terms, title="Renamed", fee_bp=None, rounding_rule=None, snapshot_policy=None),
    )
    assert (edited["title"], edited["fee_bp"], edited["rounding_rule"]) == (
        "Renamed",
        300,
        "30m-up",
    )
    assert edited["snapshot_policy"] == "full"


def test_a_proposal_and_its_hire_take_the_fee_and_snapshot_settings(app: App) -> None:
    app.settings.set_many({"fees.upwork": 700, "snapshots.default_policy": "full"})
    job = app.jobs.create(
        JobPostInput(title="Data pipeline", client_name="Acme", budget_kind="hourly")
    )
    proposal = app.proposals.create(
        ProposalInput(
            job_post_id=job["id"], bid_kind="hourly", bid_minor=6000, cover_letter="Hello"
        )
    )
    assert proposal["fee_bp"] == 700
    app.proposals.submit(proposal["id"])
    app.proposals.receive_offer(proposal["id"])
    contract = app.proposals.hire(proposal["id"])
    assert (contract["fee_bp"], contract["snapshot_policy"], contract["rounding_rule"]) == (
        700,
        "full",
        "upwork",
    )


def test_a_bad_default_is_refused_with_the_field_named() -> None:
    from freelancer_desk.domain.platforms import UPWORK
    from freelancer_desk.services.contracts import contract_values

    data = ContractInput(
        client_id="x", title="T", kind="hourly", platform="upwork", hourly_rate_minor=100
    )
    with pytest.raises(RuleError) as caught:
        contract_values(data, NOW, UPWORK, NewWorkDefaults(snapshot_policy="sometimes"))
    assert caught.value.field == "snapshot_policy"
