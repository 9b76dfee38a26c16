"""Freelancer Desk: a local-first desktop workstation for freelancers."""

__version__ = "0.1.0"
