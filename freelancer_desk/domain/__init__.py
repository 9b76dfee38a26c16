"""Pure rules: money, clock, platform facts, state machines, billing, ledger. Stdlib only."""
