"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import freelancer_desk.storage.types


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('company', sa.String(length=200), nullable=True),
    sa.Column('country', sa.String(length=80), nullable=True),
    sa.Column('timezone', sa.String(length=64), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payment_terms_days', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_clients_platform_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients'))
    )
    op.create_table('exchange_rates',
    sa.Column('base', sa.String(length=3), nullable=False),
    sa.Column('quote', sa.String(length=3), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('rate_micro', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rate_micro > 0', name=op.f('ck_exchange_rates_rate_positive')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_rates')),
    sa.UniqueConstraint('base', 'quote', 'on', name='uq_exchange_rates_pair_day')
    )
    op.create_table('gigs',
    sa.Column('title', sa.String(length=80), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('category', sa.String(length=120), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fee_bp', sa.Integer(), nullable=False),
    sa.Column('clearance_days', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_gigs_platform_allowed')),
    sa.CheckConstraint("state IN ('draft', 'active', 'paused', 'archived')", name=op.f('ck_gigs_state_allowed')),
    sa.CheckConstraint('clearance_days >= 0', name=op.f('ck_gigs_clearance_nonnegative')),
    sa.CheckConstraint('fee_bp BETWEEN 0 AND 10000', name=op.f('ck_gigs_fee_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gigs'))
    )
    op.create_table('proposal_templates',
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('template', 'snippet')", name=op.f('ck_proposal_templates_kind_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_templates'))
    )
    op.create_table('reminders',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('due_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('source_kind', sa.String(length=24), nullable=True),
    sa.Column('source_id', sa.String(length=64), nullable=True),
    sa.Column('snoozed_until', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('diary_lock', 'milestone_auto_release', 'refund_window', 'order_due', 'invoice_due', 'funds_available', 'custom')", name=op.f('ck_reminders_kind_allowed')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders'))
    )
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.create_index('ix_reminders_due_at', ['due_at'], unique=False)

    op.create_table('settings',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_settings')),
    sa.UniqueConstraint('key', name=op.f('uq_settings_key'))
    )
    op.create_table('contracts',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=True),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('hourly_rate_minor', sa.Integer(), nullable=True),
    sa.Column('fee_bp', sa.Integer(), nullable=False),
    sa.Column('weekly_limit_minutes', sa.Integer(), nullable=True),
    sa.Column('rounding_rule', sa.String(length=16), nullable=False),
    sa.Column('snapshot_policy', sa.String(length=8), nullable=False),
    sa.Column('manual_time_allowed', sa.Boolean(), nullable=False),
    sa.Column('started_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('paused_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind <> 'hourly' OR (hourly_rate_minor IS NOT NULL AND hourly_rate_minor >= 0)", name=op.f('ck_contracts_hourly_rate_required')),
    sa.CheckConstraint("kind IN ('hourly', 'fixed')", name=op.f('ck_contracts_kind_allowed')),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_contracts_platform_allowed')),
    sa.CheckConstraint("snapshot_policy IN ('off', 'blurred', 'full')", name=op.f('ck_contracts_snapshot_policy_allowed')),
    sa.CheckConstraint("state IN ('active', 'paused', 'ended')", name=op.f('ck_contracts_state_allowed')),
    sa.CheckConstraint('fee_bp BETWEEN 0 AND 10000', name=op.f('ck_contracts_fee_range')),
    sa.CheckConstraint('weekly_limit_minutes IS NULL OR weekly_limit_minutes >= 0', name=op.f('ck_contracts_weekly_limit_range')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_contracts_client_id_clients')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contracts')),
    sa.UniqueConstraint('reference', name=op.f('uq_contracts_reference'))
    )
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contracts_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contracts_state'), ['state'], unique=False)

    op.create_table('gig_extras',
    sa.Column('gig_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('extra_days', sa.Integer(), nullable=False),
    sa.Column('days_saved', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('extra', 'fast_delivery')", name=op.f('ck_gig_extras_kind_allowed')),
    sa.CheckConstraint('extra_days >= 0', name=op.f('ck_gig_extras_extra_days_nonnegative')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_gig_extras_price_nonnegative')),
    sa.ForeignKeyConstraint(['gig_id'], ['gigs.id'], name=op.f('fk_gig_extras_gig_id_gigs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gig_extras'))
    )
    with op.batch_alter_table('gig_extras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gig_extras_gig_id'), ['gig_id'], unique=False)

    op.create_table('gig_faqs',
    sa.Column('gig_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['gig_id'], ['gigs.id'], name=op.f('fk_gig_faqs_gig_id_gigs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gig_faqs'))
    )
    with op.batch_alter_table('gig_faqs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gig_faqs_gig_id'), ['gig_id'], unique=False)

    op.create_table('gig_packages',
    sa.Column('gig_id', sa.Uuid(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('delivery_days', sa.Integer(), nullable=False),
    sa.Column('revisions', sa.Integer(), nullable=True),
    sa.Column('features', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("tier IN ('basic', 'standard', 'premium')", name=op.f('ck_gig_packages_tier_allowed')),
    sa.CheckConstraint('delivery_days >= 1', name=op.f('ck_gig_packages_delivery_days_positive')),
    sa.CheckConstraint('position BETWEEN 0 AND 2', name=op.f('ck_gig_packages_position_range')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_gig_packages_price_nonnegative')),
    sa.CheckConstraint('revisions IS NULL OR revisions >= 0', name=op.f('ck_gig_packages_revisions_nonnegative')),
    sa.ForeignKeyConstraint(['gig_id'], ['gigs.id'], name=op.f('fk_gig_packages_gig_id_gigs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gig_packages')),
    sa.UniqueConstraint('gig_id', 'tier', name='uq_gig_packages_gig_tier')
    )
    with op.batch_alter_table('gig_packages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gig_packages_gig_id'), ['gig_id'], unique=False)

    op.create_table('gig_requirements',
    sa.Column('gig_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('choices', sa.JSON(), nullable=False),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('text', 'choice', 'file')", name=op.f('ck_gig_requirements_kind_allowed')),
    sa.ForeignKeyConstraint(['gig_id'], ['gigs.id'], name=op.f('fk_gig_requirements_gig_id_gigs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gig_requirements'))
    )
    with op.batch_alter_table('gig_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gig_requirements_gig_id'), ['gig_id'], unique=False)

    op.create_table('job_posts',
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('client_name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('budget_kind', sa.String(length=8), nullable=False),
    sa.Column('budget_min_minor', sa.Integer(), nullable=True),
    sa.Column('budget_max_minor', sa.Integer(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('skills', sa.JSON(), nullable=False),
    sa.Column('screening_questions', sa.JSON(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('posted_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('connects_required', sa.Integer(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("budget_kind IN ('hourly', 'fixed')", name=op.f('ck_job_posts_budget_kind_allowed')),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_job_posts_platform_allowed')),
    sa.CheckConstraint('budget_max_minor IS NULL OR budget_min_minor IS NULL OR budget_max_minor >= budget_min_minor', name=op.f('ck_job_posts_budget_range')),
    sa.CheckConstraint('budget_min_minor IS NULL OR budget_min_minor >= 0', name=op.f('ck_job_posts_budget_min_nonnegative')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_job_posts_client_id_clients'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_posts'))
    )
    with op.batch_alter_table('job_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_posts_client_id'), ['client_id'], unique=False)

    op.create_table('ledger_transactions',
    sa.Column('occurred_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('source_kind', sa.String(length=24), nullable=False),
    sa.Column('source_id', sa.String(length=64), nullable=False),
    sa.Column('external_ref', sa.String(length=120), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_ledger_transactions_platform_allowed')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_ledger_transactions_client_id_clients'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transactions')),
    sa.UniqueConstraint('external_ref', name=op.f('uq_ledger_transactions_external_ref'))
    )
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_transactions_client_id'), ['client_id'], unique=False)
        batch_op.create_index('ix_ledger_transactions_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_ledger_transactions_source', ['source_kind', 'source_id'], unique=False)

    op.create_table('invoices',
    sa.Column('number', sa.String(length=40), nullable=False),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('terms_days', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('paid_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('period_start', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('period_end', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('draft', 'issued', 'paid', 'void')", name=op.f('ck_invoices_state_allowed')),
    sa.CheckConstraint('terms_days >= 0', name=op.f('ck_invoices_terms_nonnegative')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_invoices_client_id_clients')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_invoices_contract_id_contracts'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoices')),
    sa.UniqueConstraint('number', name=op.f('uq_invoices_number'))
    )
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoices_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoices_contract_id'), ['contract_id'], unique=False)

    op.create_table('ledger_postings',
    sa.Column('transaction_id', sa.Uuid(), nullable=False),
    sa.Column('account_kind', sa.String(length=16), nullable=False),
    sa.Column('scope_kind', sa.String(length=16), nullable=False),
    sa.Column('scope_id', sa.Uuid(), nullable=True),
    sa.Column('client_id', sa.Uuid(), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('available_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("account_kind IN ('client_funds', 'escrow', 'pending', 'available', 'withdrawn', 'fees', 'refunds', 'receivable')", name=op.f('ck_ledger_postings_account_kind_allowed')),
    sa.CheckConstraint('amount_minor <> 0', name=op.f('ck_ledger_postings_amount_nonzero')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_ledger_postings_client_id_clients'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transactions.id'], name=op.f('fk_ledger_postings_transaction_id_ledger_transactions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_postings'))
    )
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_postings_account', ['account_kind', 'currency', 'scope_id'], unique=False)
        batch_op.create_index('ix_ledger_postings_available_at', ['available_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_postings_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_postings_transaction_id'), ['transaction_id'], unique=False)

    op.create_table('milestones',
    sa.Column('contract_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('funded_minor', sa.Integer(), nullable=False),
    sa.Column('released_minor', sa.Integer(), nullable=False),
    sa.Column('refunded_minor', sa.Integer(), nullable=False),
    sa.Column('funded_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('approved_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('refunded_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disputed_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submission_note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('planned', 'funded', 'submitted', 'changes_requested', 'released', 'refunded', 'disputed')", name=op.f('ck_milestones_state_allowed')),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_milestones_amount_positive')),
    sa.CheckConstraint('funded_minor >= 0 AND released_minor >= 0 AND refunded_minor >= 0', name=op.f('ck_milestones_amounts_nonnegative')),
    sa.CheckConstraint('released_minor + refunded_minor <= funded_minor', name=op.f('ck_milestones_escrow_covers')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_milestones_contract_id_contracts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestones'))
    )
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestones_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestones_state'), ['state'], unique=False)

    op.create_table('orders',
    sa.Column('number', sa.String(length=40), nullable=True),
    sa.Column('gig_id', sa.Uuid(), nullable=True),
    sa.Column('package_id', sa.Uuid(), nullable=True),
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('package_tier', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fee_bp', sa.Integer(), nullable=False),
    sa.Column('clearance_days', sa.Integer(), nullable=False),
    sa.Column('revisions_allowed', sa.Integer(), nullable=True),
    sa.Column('revisions_used', sa.Integer(), nullable=False),
    sa.Column('requirements', sa.JSON(), nullable=False),
    sa.Column('ordered_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('due_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('delivered_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("state IN ('awaiting_requirements', 'in_progress', 'delivered', 'revision_requested', 'completed', 'cancelled')", name=op.f('ck_orders_state_allowed')),
    sa.CheckConstraint('fee_bp BETWEEN 0 AND 10000', name=op.f('ck_orders_fee_range')),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_orders_price_nonnegative')),
    sa.CheckConstraint('revisions_allowed IS NULL OR revisions_allowed >= 0', name=op.f('ck_orders_revisions_allowed_range')),
    sa.CheckConstraint('revisions_used >= 0', name=op.f('ck_orders_revisions_used_nonnegative')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_orders_client_id_clients')),
    sa.ForeignKeyConstraint(['gig_id'], ['gigs.id'], name=op.f('fk_orders_gig_id_gigs'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['package_id'], ['gig_packages.id'], name=op.f('fk_orders_package_id_gig_packages'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_orders')),
    sa.UniqueConstraint('number', name=op.f('uq_orders_number'))
    )
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_orders_client_id'), ['client_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_gig_id'), ['gig_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_orders_state'), ['state'], unique=False)

    op.create_table('proposals',
    sa.Column('job_post_id', sa.Uuid(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('cover_letter', sa.Text(), nullable=False),
    sa.Column('bid_kind', sa.String(length=8), nullable=False),
    sa.Column('bid_minor', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('fee_bp', sa.Integer(), nullable=False),
    sa.Column('duration_estimate', sa.String(length=80), nullable=False),
    sa.Column('connects_spent', sa.Integer(), nullable=False),
    sa.Column('submitted_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('viewed_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('decided_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('template_id', sa.Uuid(), nullable=True),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("bid_kind IN ('hourly', 'fixed')", name=op.f('ck_proposals_bid_kind_allowed')),
    sa.CheckConstraint("state IN ('draft', 'submitted', 'viewed', 'interviewing', 'offer', 'hired', 'declined', 'withdrawn', 'archived')", name=op.f('ck_proposals_state_allowed')),
    sa.CheckConstraint('bid_minor >= 0', name=op.f('ck_proposals_bid_nonnegative')),
    sa.CheckConstraint('connects_spent >= 0', name=op.f('ck_proposals_connects_nonnegative')),
    sa.CheckConstraint('fee_bp BETWEEN 0 AND 10000', name=op.f('ck_proposals_fee_range')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_proposals_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_post_id'], ['job_posts.id'], name=op.f('fk_proposals_job_post_id_job_posts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['template_id'], ['proposal_templates.id'], name=op.f('fk_proposals_template_id_proposal_templates'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals')),
    sa.UniqueConstraint('contract_id', name=op.f('uq_proposals_contract_id'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposals_job_post_id'), ['job_post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_state'), ['state'], unique=False)

    op.create_table('invoice_lines',
    sa.Column('invoice_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('quantity_milli', sa.Integer(), nullable=False),
    sa.Column('unit_price_minor', sa.Integer(), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('rounding_rule', sa.String(length=16), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity_milli >= 0', name=op.f('ck_invoice_lines_quantity_nonnegative')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_invoice_lines_invoice_id_invoices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_lines'))
    )
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_lines_invoice_id'), ['invoice_id'], unique=False)

    op.create_table('order_deliveries',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('delivered_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_deliveries_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_deliveries'))
    )
    with op.batch_alter_table('order_deliveries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_deliveries_order_id'), ['order_id'], unique=False)

    op.create_table('order_extras',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('extra_id', sa.Uuid(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('price_minor', sa.Integer(), nullable=False),
    sa.Column('days_delta', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('price_minor >= 0', name=op.f('ck_order_extras_price_nonnegative')),
    sa.CheckConstraint('quantity >= 1', name=op.f('ck_order_extras_quantity_positive')),
    sa.ForeignKeyConstraint(['extra_id'], ['gig_extras.id'], name=op.f('fk_order_extras_extra_id_gig_extras'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_extras_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_extras'))
    )
    with op.batch_alter_table('order_extras', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_extras_order_id'), ['order_id'], unique=False)

    op.create_table('order_revisions',
    sa.Column('order_id', sa.Uuid(), nullable=False),
    sa.Column('requested_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_revisions_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_revisions'))
    )
    with op.batch_alter_table('order_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_revisions_order_id'), ['order_id'], unique=False)

    op.create_table('proposal_milestones',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('amount_minor', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_minor > 0', name=op.f('ck_proposal_milestones_amount_positive')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_milestones_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_milestones'))
    )
    with op.batch_alter_table('proposal_milestones', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_milestones_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('reviews',
    sa.Column('client_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('rating', sa.Integer(), nullable=False),
    sa.Column('sub_ratings', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("direction IN ('received', 'given')", name=op.f('ck_reviews_direction_allowed')),
    sa.CheckConstraint("platform IN ('upwork', 'fiverr', 'direct')", name=op.f('ck_reviews_platform_allowed')),
    sa.CheckConstraint('rating BETWEEN 1 AND 5', name=op.f('ck_reviews_rating_range')),
    sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_reviews_client_id_clients')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_reviews_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_reviews_order_id_orders'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_client_id'), ['client_id'], unique=False)

    op.create_table('screening_answers',
    sa.Column('proposal_id', sa.Uuid(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_screening_answers_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_answers'))
    )
    with op.batch_alter_table('screening_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_answers_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('time_sessions',
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('started_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('last_seen_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=True),
    sa.Column('end_reason', sa.String(length=16), nullable=True),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("end_reason IS NULL OR end_reason IN ('stopped', 'orphaned', 'switched', 'idle', 'suspended', 'manual')", name=op.f('ck_time_sessions_end_reason_allowed')),
    sa.CheckConstraint('(contract_id IS NULL) <> (order_id IS NULL)', name=op.f('ck_time_sessions_one_target')),
    sa.CheckConstraint('ended_at IS NULL OR ended_at >= started_at', name=op.f('ck_time_sessions_ends_after_start')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_time_sessions_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_time_sessions_order_id_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_time_sessions'))
    )
    with op.batch_alter_table('time_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_time_sessions_contract_id'), ['contract_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_time_sessions_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_time_sessions_started_at', ['started_at'], unique=False)
        batch_op.create_index('uq_time_sessions_running_per_device', ['device_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('segments',
    sa.Column('session_id', sa.Uuid(), nullable=False),
    sa.Column('contract_id', sa.Uuid(), nullable=True),
    sa.Column('order_id', sa.Uuid(), nullable=True),
    sa.Column('slot_start', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('tracked_seconds', sa.Integer(), nullable=False),
    sa.Column('activity', sa.JSON(), nullable=False),
    sa.Column('active_minutes', sa.Integer(), nullable=False),
    sa.Column('memo', sa.Text(), nullable=False),
    sa.Column('manual', sa.Boolean(), nullable=False),
    sa.Column('idle', sa.Boolean(), nullable=False),
    sa.Column('over_limit', sa.Boolean(), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('snapshot_missing', sa.Boolean(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('active_minutes BETWEEN 0 AND 10', name=op.f('ck_segments_active_minutes_range')),
    sa.CheckConstraint('tracked_seconds BETWEEN 0 AND 600', name=op.f('ck_segments_tracked_seconds_range')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_segments_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_segments_order_id_orders'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['time_sessions.id'], name=op.f('fk_segments_session_id_time_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_segments')),
    sa.UniqueConstraint('session_id', 'slot_start', name='uq_segments_session_slot')
    )
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.create_index('ix_segments_contract_slot', ['contract_id', 'slot_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_segments_order_id'), ['order_id'], unique=False)
        batch_op.create_index('ix_segments_slot_start', ['slot_start'], unique=False)

    op.create_table('snapshots',
    sa.Column('segment_id', sa.Uuid(), nullable=False),
    sa.Column('taken_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('device_id', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.String(length=8), nullable=False),
    sa.Column('path', sa.String(length=500), nullable=False),
    sa.Column('thumb_path', sa.String(length=500), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('prev_chain', sa.String(length=64), nullable=False),
    sa.Column('chain', sa.String(length=64), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('created_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', freelancer_desk.storage.types.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("policy IN ('off', 'blurred', 'full')", name=op.f('ck_snapshots_policy_allowed')),
    sa.ForeignKeyConstraint(['segment_id'], ['segments.id'], name=op.f('fk_snapshots_segment_id_segments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_snapshots')),
    sa.UniqueConstraint('segment_id', name='uq_snapshots_segment_id')
    )


def downgrade() -> None:
    op.drop_table('snapshots')
    with op.batch_alter_table('segments', schema=None) as batch_op:
        batch_op.drop_index('ix_segments_slot_start')
        batch_op.drop_index(batch_op.f('ix_segments_order_id'))
        batch_op.drop_index('ix_segments_contract_slot')

    op.drop_table('segments')
    with op.batch_alter_table('time_sessions', schema=None) as batch_op:
        batch_op.drop_index('uq_time_sessions_running_per_device', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_time_sessions_started_at')
        batch_op.drop_index(batch_op.f('ix_time_sessions_order_id'))
        batch_op.drop_index(batch_op.f('ix_time_sessions_contract_id'))

    op.drop_table('time_sessions')
    with op.batch_alter_table('screening_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_answers_proposal_id'))

    op.drop_table('screening_answers')
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_client_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('proposal_milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_milestones_proposal_id'))

    op.drop_table('proposal_milestones')
    with op.batch_alter_table('order_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_revisions_order_id'))

    op.drop_table('order_revisions')
    with op.batch_alter_table('order_extras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_extras_order_id'))

    op.drop_table('order_extras')
    with op.batch_alter_table('order_deliveries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_deliveries_order_id'))

    op.drop_table('order_deliveries')
    with op.batch_alter_table('invoice_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_lines_invoice_id'))

    op.drop_table('invoice_lines')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_state'))
        batch_op.drop_index(batch_op.f('ix_proposals_job_post_id'))

    op.drop_table('proposals')
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_orders_state'))
        batch_op.drop_index(batch_op.f('ix_orders_gig_id'))
        batch_op.drop_index(batch_op.f('ix_orders_client_id'))

    op.drop_table('orders')
    with op.batch_alter_table('milestones', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestones_state'))
        batch_op.drop_index(batch_op.f('ix_milestones_contract_id'))

    op.drop_table('milestones')
    with op.batch_alter_table('ledger_postings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_postings_transaction_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_postings_client_id'))
        batch_op.drop_index('ix_ledger_postings_available_at')
        batch_op.drop_index('ix_ledger_postings_account')

    op.drop_table('ledger_postings')
    with op.batch_alter_table('invoices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoices_contract_id'))
        batch_op.drop_index(batch_op.f('ix_invoices_client_id'))

    op.drop_table('invoices')
    with op.batch_alter_table('ledger_transactions', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_transactions_source')
        batch_op.drop_index('ix_ledger_transactions_occurred_at')
        batch_op.drop_index(batch_op.f('ix_ledger_transactions_client_id'))

    op.drop_table('ledger_transactions')
    with op.batch_alter_table('job_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_posts_client_id'))

    op.drop_table('job_posts')
    with op.batch_alter_table('gig_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gig_requirements_gig_id'))

    op.drop_table('gig_requirements')
    with op.batch_alter_table('gig_packages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gig_packages_gig_id'))

    op.drop_table('gig_packages')
    with op.batch_alter_table('gig_faqs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gig_faqs_gig_id'))

    op.drop_table('gig_faqs')
    with op.batch_alter_table('gig_extras', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gig_extras_gig_id'))

    op.drop_table('gig_extras')
    with op.batch_alter_table('contracts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contracts_state'))
        batch_op.drop_index(batch_op.f('ix_contracts_client_id'))

    op.drop_table('contracts')
    op.drop_table('settings')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_index('ix_reminders_due_at')

    op.drop_table('reminders')
    op.drop_table('proposal_templates')
    op.drop_table('gigs')
    op.drop_table('exchange_rates')
    op.drop_table('clients')
