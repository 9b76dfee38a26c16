"""Use cases: one module per area, each a small class constructed in app.py."""
