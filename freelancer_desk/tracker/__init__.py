"""Time tracking engine: segments, activity and snapshot sources, scheduler (Qt-free)."""
