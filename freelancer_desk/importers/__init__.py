"""Readers for Upwork, Fiverr, Toggl, Clockify and other exports."""
