"""State machines, one per aggregate: the one place each transition is decided."""
