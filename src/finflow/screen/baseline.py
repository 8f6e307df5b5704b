"""The reference matchers: OpenSanctions' nomenklatura ``logic-v1`` and ``logic-v2``.

Queries and designations become followthemoney entities the way yente builds them (query:
``Person``/``Organization``/``LegalEntity`` with ``name`` and ``birthDate``; designation:
``Person``/``Organization``/``Vessel`` with ``name``, ``alias``, ``weakAlias``, ``birthDate``)
and are compared with ``algorithm.compare(query, candidate, algorithm.default_config())``, the
configuration yente uses when a request sets no weights. nomenklatura is a development
dependency: without it this module raises `ConfigError`.
"""

from __future__ import annotations

import logging
from typing import Any

from finflow.errors import ConfigError
from finflow.screen.dob import parse_list_dob
from finflow.screen.model import NON_LATIN, Designation

log = logging.getLogger(__name__)

BASELINES = ("logic-v1", "logic-v2")
YENTE_THRESHOLD = 0.7
SCHEMA = {"Individual": "Person", "Entity": "Organization", "Ship": "Vessel"}
QUERY_SCHEMA = {"person": "Person", "organization": "Organization"}


class Baseline:
    """One nomenklatura algorithm, with the designations converted once."""

    def __init__(self, name: str) -> None:
        try:
            from followthemoney import model
            from nomenklatura.matching import get_algorithm
        except ImportError as exc:  # pragma: no cover - dev dependency
            raise ConfigError(
                "the comparison needs nomenklatura and followthemoney (pip install -e .[dev])"
            ) from exc
        algorithm = get_algorithm(name)
        if algorithm is None:
            raise ConfigError(f"nomenklatura has no matching algorithm {name!r}")
        self.name = name
        self.model = model
        self.algorithm = algorithm
        self.config = algorithm.default_config()
        self._entities: dict[str, Any] = {}

    def _entity(self, designation: Designation) -> Any:
        entity = self._entities.get(designation.unique_id)
        if entity is None:
            entity = self.model.make_entity(SCHEMA[designation.kind])
            entity.id = designation.unique_id
            for row in designation.names:
                if row.name_type == NON_LATIN:
                    entity.add("alias", row.name)
                elif row.weak:
                    entity.add("weakAlias", row.name)
                elif row.name.strip() == designation.primary_name.strip():
                    entity.add("name", row.name)
                else:
                    entity.add("alias", row.name)
            if designation.kind == "Individual":
                for text in designation.dobs:
                    dob = parse_list_dob(text)
                    if dob is not None:
                        entity.add("birthDate", str(dob))
            self._entities[designation.unique_id] = entity
        return entity

    def query(self, query_id: str, name: str, dob: str | None, kind: str | None) -> Any:
        """A query entity; its id must be unique (nomenklatura caches names by entity id)."""
        schema = QUERY_SCHEMA.get((kind or "").lower(), "LegalEntity")
        if dob and schema == "LegalEntity":
            schema = "Person"  # yente's matching API treats a birth date as a person's
        entity = self.model.make_entity(schema)
        entity.id = f"query-{query_id}"
        entity.add("name", name)
        if dob and schema == "Person":
            entity.add("birthDate", dob)
        return entity

    def score(self, query: Any, designation: Designation) -> float:
        result = self.algorithm.compare(query, self._entity(designation), self.config)
        return float(result.score)
