"""Validate landed API pages against the appointments contract: good records, and quarantine with reasons."""

from __future__ import annotations


def guard_pages(bodies: list[bytes]) -> tuple[list[dict], list[tuple[object, str]]]:
    """``(good records, [(record or raw page, reason), ...])``; every record received ends up in one of them."""
    raise NotImplementedError
