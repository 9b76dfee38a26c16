"""The evidence chain's one rule, and that the tracker and the export use it."""

from __future__ import annotations

import hashlib

from freelancer_desk.domain.evidence import chain_link
from freelancer_desk.services import exports
from freelancer_desk.tracker import screen


def test_chain_link_is_sha256_of_previous_link_and_file_hash():
    a = hashlib.sha256(b"first").hexdigest()
    b = hashlib.sha256(b"second").hexdigest()
    first = chain_link("", a)
    assert first == hashlib.sha256(a.encode()).hexdigest()
    assert chain_link(first, b) == hashlib.sha256((first + b).encode()).hexdigest()
    assert chain_link(first, b) != chain_link(chain_link("", b), a)  # order matters


def test_one_definition():
    assert screen.chain_link is chain_link and exports.chain_link is chain_link
