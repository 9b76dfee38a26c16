"""Pure rules: money, clock, platform rules, state machines, billing. Imports nothing else."""
