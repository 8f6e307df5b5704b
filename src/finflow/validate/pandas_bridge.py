r"""polars -> pandas for the columns a great-expectations suite reads.

GX validates pandas, not polars. polars' own ``to_pandas()`` would hand over every text value
as a Python string, so the conversion goes column by column: numbers and datetimes through
numpy, text in the cheapest of three forms that GX gives the same result for. Nulls stay nulls
(NaN/NaT/None or pandas' masked Int/boolean arrays); timezone-aware datetimes stay
timezone-aware.

finflow depends on pyarrow (pinned) for pandas' Arrow-backed strings. With pyarrow installed,
pandas 3 also runs string methods on pyarrow compute: GX's regex expectations
(``column.astype(str).str.contains``) use RE2 instead of Python's ``re``, and pandas falls back
to ``re`` for whatever RE2 would answer differently (``$`` before a trailing newline, ``\s``,
Unicode ``\d``/``\w``, lookarounds). The validation results are the same as before finflow
had pyarrow, byte for byte (checked on the benchmark files and in tests on failing batches).

Text columns (``text="auto"``, the default) become, by what the column holds:

- **a pandas ``Categorical``** (codes plus each distinct value once) for columns that repeat
  a few values over millions of rows (file, hash, format, currency, channel, bank): a few bytes
  a row instead of a string each, and GX's batch fingerprint (``hash_pandas_object``) hashes
  each distinct value once; also for columns with no repeat at all (``txn_id``,
  ``source_locator``), whose codes are ``0..n-1`` without any lookup, and for which GX's
  uniqueness check and fingerprint are cheaper on codes than on Arrow strings;
- **Arrow-backed strings** (``pd.StringDtype("pyarrow", na_value=nan)``, pandas' own ``str``
  dtype) for columns with many values that repeat (the account columns): polars' Arrow buffers
  handed over as they are, where a categorical would need a lookup of every row for codes that
  save GX little.

Every value is still there and every expectation still sees every row; the validation result
is the same in every form (``text="categorical"``, ``"arrow"`` and ``"plain"`` force one form
for every text column; tested on passing and failing batches of every shipped suite), the
fingerprint included.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
import polars as pl

log = logging.getLogger(__name__)

__all__ = ["ARROW_FROM", "TextForm", "to_pandas"]

TextForm = Literal["auto", "categorical", "arrow", "plain"]
"""How text columns are handed to GX: chosen per column, or one form for all (see above)."""

ARROW_FROM = 0.1
"""Distinct values per row from which `text="auto"` gives a repeating column as Arrow strings.
Measured on 1M-row AMLworld batches (CPU of conversion plus GX run): an account column (0.35
distinct per row) costs ~0.22 s as a categorical (0.19 s of it the lookup for its codes) and
~0.16 s as Arrow strings (GX's fingerprint then encodes it itself); a bank column (0.01) is
cheaper as a categorical. A column with no repeat stays categorical: as Arrow strings GX's
fingerprint and uniqueness check would encode it again (txn_id: 0.46 s against 0.35 s)."""


def to_pandas(
    df: pl.DataFrame, columns: Sequence[str] | None = None, *, text: TextForm = "auto"
) -> pd.DataFrame:
    """Return `columns` of `df` (all when None) as a pandas DataFrame with `df.height` rows.

    Columns missing from `df` are skipped, not an error: the suite that asked for them reports
    them as failed expectations, which is where an engineer will look for the reason.
    `text` says how text columns are given (see the module docstring); ``"plain"`` is pandas'
    own conversion of Python strings, the slowest form, which the others are tested against.
    """
    names = list(df.columns) if columns is None else [c for c in columns if c in df.columns]
    data = {name: _column(df.get_column(name), text) for name in names}
    # The explicit index keeps the row count when no column is selected (table-level suites);
    # copy=False keeps each column's own array (no consolidation copy of the whole batch).
    return pd.DataFrame(data, index=pd.RangeIndex(df.height), copy=False)


def _column(
    series: pl.Series, text: TextForm
) -> pd.Series | pd.api.extensions.ExtensionArray | object:
    """One polars Series as something pandas takes as a column, nulls preserved."""
    dtype = series.dtype
    if dtype == pl.String and text != "plain":
        return _text(series, text)
    if isinstance(dtype, pl.Datetime):
        naive = series
        if dtype.time_zone is not None:
            naive = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        values = pd.Series(naive.to_numpy(), copy=False)
        if dtype.time_zone is not None:
            values = values.dt.tz_localize("UTC").dt.tz_convert(dtype.time_zone)
        return values
    if dtype.is_integer() and series.null_count():
        mask = series.is_null().to_numpy()
        return pd.arrays.IntegerArray(series.fill_null(0).to_numpy(), mask)
    if dtype == pl.Boolean and series.null_count():
        mask = series.is_null().to_numpy()
        return pd.arrays.BooleanArray(series.fill_null(False).to_numpy(), mask)
    if dtype.is_nested():
        return pd.Series(series.to_list(), dtype=object)
    return series.to_numpy()


def _text(series: pl.Series, text: TextForm) -> pd.Categorical | pd.api.extensions.ExtensionArray:
    """A text column in the form `text` asks for, or for ``"auto"`` the one this column is
    cheapest in (see the module docstring)."""
    if text == "arrow":
        return _arrow(series)
    rows = series.len()
    if rows and not series.null_count() and (series == series[0]).all():
        # one value in every row (file, hash, format): codes are all 0
        return _from_codes(series[:1], np.zeros(rows, dtype=np.int64))
    if text == "auto":
        distinct = series.n_unique()  # a null counts as one value
        if distinct == rows and not series.null_count():  # no repeat (txn_id): codes 0..n-1
            return _from_codes(series, np.arange(rows, dtype=np.int64))
        if distinct > rows * ARROW_FROM:
            return _arrow(series)
    return _categorical(series)


def _categorical(series: pl.Series) -> pd.Categorical:
    """A text column as a pandas Categorical: its distinct values in order of first appearance
    as the categories, null as code -1."""
    distinct = series.drop_nulls().unique(maintain_order=True)
    if distinct.len() == series.len():  # no null and no repeat (txn_id): codes are 0..n-1
        return _from_codes(distinct, np.arange(series.len(), dtype=np.int64))
    enum = series.cast(pl.Enum(distinct))
    return _from_codes(distinct, enum.to_physical().cast(pl.Int64).fill_null(-1).to_numpy())


def _from_codes(distinct: pl.Series, codes: np.ndarray[Any, np.dtype[np.int64]]) -> pd.Categorical:
    """The Categorical of `codes` into `distinct`, which holds distinct values and no null."""
    categories = pd.Index(distinct.to_numpy(), dtype=object)
    return pd.Categorical.from_codes(codes, dtype=_dtype(categories), validate=False)


def _arrow(series: pl.Series) -> pd.api.extensions.ExtensionArray:
    """A text column as pandas' ``str`` dtype backed by pyarrow, from polars' Arrow buffers
    (``large_string``, the layout pandas keeps) without a Python object per value."""
    values = series.to_arrow(compat_level=pl.CompatLevel.oldest())
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.arrays.ArrowStringArray(values, dtype=dtype)


def _dtype(categories: pd.Index) -> pd.CategoricalDtype:
    """The categorical dtype of `categories`, which are distinct and not null (the distinct
    values of a column without its nulls), made without pandas' check that they are: a hash
    table of every category (0.1 s per million, as in ``txn_id``). The check is made where
    pandas lacks its internal shortcut."""
    shortcut = getattr(pd.CategoricalDtype, "_from_fastpath", None)
    if shortcut is None:
        return pd.CategoricalDtype(categories)
    dtype: pd.CategoricalDtype = shortcut(categories, False)
    return dtype
