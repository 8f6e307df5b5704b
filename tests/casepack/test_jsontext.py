"""jsontext: finflow's JSON text form, written fast, byte for byte as json.dumps writes it."""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime
from typing import Any

import pytest
from casepack_sample import HOSTILE_NAME, build_case

from finflow.casepack import jsontext

SAMPLES: list[Any] = [
    {},
    [],
    "",
    None,
    0,
    -0.0,
    1e16,
    {"b": [1, 2.5, True, False, None, "x"], "a": {"z": [], "y": {}, "x": [[], [{}]]}},
    {"names": [HOSTILE_NAME, "João Haddad", "\u2028\x00\ud7ff", 'quote " and \\']},
    {"n": [10**30, -(2**63), 0.1 + 0.2, 5e-324, 1.7976931348623157e308]},
    {"mixed": ["a", 1, ["nested", {"k": "v"}], ("tuple", 2)]},
    {"1": 1, "10": 2, "2": 3, "B": 4, "a": 5, "é": 6},
]


@pytest.mark.parametrize("data", SAMPLES)
def test_encode_writes_what_json_dumps_writes(data: Any) -> None:
    expected = json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False)
    assert jsontext.encode(data) == expected
    assert jsontext.encode(data, coerce=True) == expected


def test_encode_leaves_other_keys_and_errors_to_json_dumps() -> None:
    assert jsontext.encode({1: "a", 2: "b"}) == jsontext.dumps({1: "a", 2: "b"})
    for bad in (math.nan, math.inf, [1.0, -math.inf], {"x": [math.nan]}):
        with pytest.raises(ValueError, match="JSON compliant"):
            jsontext.encode(bad)
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.encode({"when": date(2022, 9, 1)})
    with pytest.raises(TypeError, match="not JSON serializable"):
        jsontext.encode({"x": [object()]}, coerce=True)


def test_coerce_writes_dates_sets_tuples_and_keys_as_coerced_copy() -> None:
    data = {
        1: {"when": datetime(2022, 9, 1, 8, 30, tzinfo=UTC), "day": date(2022, 9, 2)},
        "ids": {"t3", "t1", "t2"},
        "frozen": frozenset({3, 1, 2}),
        "pairs": (("a", 1), ("b", {2: "x"})),
        "deep": [[{"s": {"z", "y"}}]],
    }
    assert jsontext.encode(data, coerce=True) == jsontext.dumps(jsontext.coerced(data))
    assert json.loads(jsontext.encode(data, coerce=True))["ids"] == ["t1", "t2", "t3"]


def test_a_whole_case_is_written_as_json_dumps_writes_it() -> None:
    case, _ = build_case()
    assert jsontext.encode(case, coerce=True) == jsontext.dumps(jsontext.coerced(case))
