"""Choosing the database URL and failing cleanly when the database cannot be opened."""

from __future__ import annotations

from pathlib import Path

import pytest

from finflow.errors import StoreError
from finflow.store import database_url, open_store


def test_an_explicit_url_wins_over_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINFLOW_DATABASE_URL", "postgresql+psycopg://env/db")
    assert database_url("sqlite:///x.db", tmp_path / "d.db") == "sqlite:///x.db"


def test_the_environment_wins_over_the_default_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("FINFLOW_DATABASE_URL", "postgresql+psycopg://env/db")
    assert database_url(None, tmp_path / "d.db") == "postgresql+psycopg://env/db"


def test_the_default_is_an_absolute_sqlite_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("FINFLOW_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    assert database_url(None, Path("out/finflow.db")) == f"sqlite:///{tmp_path}/out/finflow.db"


@pytest.mark.postgres
def test_an_unreachable_postgres_gives_a_one_line_store_error() -> None:
    url = "postgresql+psycopg://investigator:s3cret-pw@127.0.0.1:1/casework"
    with pytest.raises(StoreError) as caught:
        open_store(url)
    message = str(caught.value)
    assert "\n" not in message
    assert "127.0.0.1:1" in message
    assert "casework" in message
    assert "s3cret-pw" not in message
    assert "***" in message


def test_an_unopenable_sqlite_file_gives_a_one_line_store_error(tmp_path: Path) -> None:
    (tmp_path / "a-folder.db").mkdir()
    with pytest.raises(StoreError) as caught:
        open_store(f"sqlite:///{tmp_path / 'a-folder.db'}")
    message = str(caught.value)
    assert "\n" not in message
    assert "a-folder.db" in message


def test_a_malformed_url_gives_a_store_error() -> None:
    with pytest.raises(StoreError, match="bad database URL"):
        open_store("nosuchdriver://somewhere/db")
