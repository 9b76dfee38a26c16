"""The hash chain that makes snapshots and evidence packs tamper-evident.

Each stored file gets a link: sha256 of the previous link followed by the file's own
sha256 (both lowercase hex; the first link follows ""). Changing, dropping or
reordering any file breaks every link after it. The tracker writes the chain as it
stores snapshots; an evidence pack's manifest carries it and `verify` recomputes it.
"""

from __future__ import annotations

import hashlib


def chain_link(prev_chain: str, sha256: str) -> str:
    """The chain value after a file whose hash is `sha256`: sha256(prev_chain + sha256)."""
    return hashlib.sha256((prev_chain + sha256).encode("ascii")).hexdigest()
