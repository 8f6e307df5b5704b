"""polars -> pandas for the columns a great-expectations suite reads.

GX validates pandas, not polars. polars' own ``to_pandas()`` needs pyarrow, which finflow does
not depend on, so the conversion goes column by column through numpy: the result is the same
whether or not pyarrow happens to be installed, which keeps validation results reproducible.
Nulls stay nulls (NaN/NaT/None or pandas' masked Int/boolean arrays); timezone-aware datetimes
stay timezone-aware.

Text columns become pandas ``Categorical`` columns (codes plus each distinct value once) unless
asked otherwise. Canonical transactions repeat a few values over millions of rows (file, hash,
format, currency, channel, bank): as categories they take a few bytes a row instead of a Python
string each, and GX's batch fingerprint (``hash_pandas_object``) hashes each distinct value
once. Every value is still there and every expectation still sees every row; the validation
result is the same as with plain string columns (tested on passing and failing batches of every
shipped suite), the fingerprint included.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import pandas as pd
import polars as pl

log = logging.getLogger(__name__)

__all__ = ["to_pandas"]


def to_pandas(
    df: pl.DataFrame, columns: Sequence[str] | None = None, *, categorical_text: bool = True
) -> pd.DataFrame:
    """Return `columns` of `df` (all when None) as a pandas DataFrame with `df.height` rows.

    Columns missing from `df` are skipped, not an error: the suite that asked for them reports
    them as failed expectations, which is where an engineer will look for the reason.
    `categorical_text` False gives text columns as plain strings (the slower, larger form that
    the categorical one is tested against).
    """
    names = list(df.columns) if columns is None else [c for c in columns if c in df.columns]
    data = {name: _column(df.get_column(name), categorical_text) for name in names}
    # The explicit index keeps the row count when no column is selected (table-level suites);
    # copy=False keeps each column's own array (no consolidation copy of the whole batch).
    return pd.DataFrame(data, index=pd.RangeIndex(df.height), copy=False)


def _column(
    series: pl.Series, categorical_text: bool
) -> pd.Series | pd.api.extensions.ExtensionArray | object:
    """One polars Series as something pandas takes as a column, nulls preserved."""
    dtype = series.dtype
    if dtype == pl.String and categorical_text:
        return _categorical(series)
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


def _categorical(series: pl.Series) -> pd.Categorical:
    """A text column as a pandas Categorical: its distinct values in order of first appearance
    as the categories, null as code -1."""
    if series.len() and not series.null_count() and (series == series[0]).all():
        distinct = series[:1]  # one value in every row (file, hash, format): codes are all 0
        codes = np.zeros(series.len(), dtype=np.int64)
    else:
        distinct = series.drop_nulls().unique(maintain_order=True)
        if distinct.len() == series.len():  # no null and no repeat (txn_id): codes are 0..n-1
            codes = np.arange(series.len(), dtype=np.int64)
        else:
            enum = series.cast(pl.Enum(distinct))
            codes = enum.to_physical().cast(pl.Int64).fill_null(-1).to_numpy()
    categories = pd.Index(distinct.to_numpy(), dtype=object)
    return pd.Categorical.from_codes(codes, dtype=_dtype(categories), validate=False)


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
