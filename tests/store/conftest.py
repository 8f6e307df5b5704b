"""Fixtures for store tests: a store migrated to head on each backend."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from finflow.store import open_store


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A store migrated to head on the parametrised backend."""
    store = open_store(db_url)
    yield store
    store.dispose()
