"""Shared by the benefits pages."""

from __future__ import annotations

PAGE_SIZE = 30
