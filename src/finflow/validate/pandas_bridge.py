r"""polars -> pandas for the columns a great-expectations suite reads.

GX validates pandas, not polars. polars' own ``to_pandas()`` would hand over every text value
as a Python string, so the conversion goes column by column: numbers and datetimes through
numpy, text as categoricals (below). Nulls stay nulls (NaN/NaT/None or pandas' masked
Int/boolean arrays); timezone-aware datetimes stay timezone-aware.

finflow depends on pyarrow (pinned). With pyarrow installed, pandas 3 runs string methods on
pyarrow compute: GX's regex expectations (``column.astype(str).str.contains``) use RE2 instead
of Python's ``re``, and pandas falls back to ``re`` for whatever RE2 would answer differently
(``$`` before a trailing newline, ``\s``, Unicode ``\d``/``\w``, lookarounds). The validation
results are the same as before finflow had pyarrow, byte for byte (checked on the benchmark
files, and in tests on failing batches).

Text columns become pandas ``Categorical`` columns (codes plus each distinct value once) unless
asked otherwise. Canonical transactions repeat a few values over millions of rows (file, hash,
format, currency, channel, bank): as categories they take a few bytes a row instead of a Python
string each, and GX's batch fingerprint (``hash_pandas_object``) hashes each distinct value
once. The codes come from pyarrow's dictionary encoding of polars' Arrow buffers (distinct
values in order of first appearance, no Python object per row); a column without any repeat
(``txn_id``, ``source_locator``) gets codes ``0..n-1`` without encoding. Every value is still
there and every expectation still sees every row; the validation result is the same as with
plain string columns (tested on passing and failing batches of every shipped suite), the
fingerprint included.

Why not hand GX pandas' Arrow-backed strings instead (no conversion at all)? Measured on 1M-row
AMLworld batches, CPU of conversion plus GX run: GX's fingerprint then dictionary-encodes such
a column itself and still makes the Python strings it hashes, and its uniqueness check
factorizes it: ``txn_id`` 0.46 s as Arrow strings against 0.35 s as codes ``0..n-1``; an
account column (0.35 distinct values per row) about even (0.13-0.16 s either way). Whole
batches with Arrow strings for the account columns measured the same as all-categorical within
noise (2.13-2.28 s against 2.14-2.29 s), so text has one form.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any, cast

import numpy as np
import pandas as pd
import polars as pl
import pyarrow.compute as pc

log = logging.getLogger(__name__)

__all__ = ["to_pandas"]

DISTINCT_CHECK_FROM = 0.9
"""Estimated distinct values per row from which a text column is checked for having no repeat
at all (an exact count, ~0.1 s per million rows); below, it is dictionary-encoded directly."""


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
    rows = series.len()
    if rows and not series.null_count():
        if (series == series[0]).all():  # one value in every row (file, hash, format)
            return _from_codes(series[:1].to_numpy(), np.zeros(rows, dtype=np.int64))
        estimate = cast(int, series.approx_n_unique())  # typed as any scalar by polars
        if estimate >= rows * DISTINCT_CHECK_FROM and series.n_unique() == rows:
            return _from_codes(series.to_numpy(), np.arange(rows, dtype=np.int64))  # txn_id
    encoded = pc.dictionary_encode(series.to_arrow(compat_level=pl.CompatLevel.oldest()))
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return _from_codes(encoded.dictionary.to_numpy(zero_copy_only=False), codes)


def _from_codes(
    distinct: np.ndarray[Any, np.dtype[np.object_]], codes: np.ndarray[Any, np.dtype[np.int64]]
) -> pd.Categorical:
    """The Categorical of `codes` into `distinct`: distinct values, none of them null."""
    categories = pd.Index(distinct, dtype=object)
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
