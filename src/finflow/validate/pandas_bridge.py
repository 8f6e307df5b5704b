"""polars -> pandas for the columns a great-expectations suite reads.

GX validates pandas, not polars. polars' own ``to_pandas()`` needs pyarrow, which finflow does
not depend on, so the conversion goes column by column through numpy: the result is the same
whether or not pyarrow happens to be installed, which keeps validation results reproducible.
Nulls stay nulls (NaN/NaT/None or pandas' masked Int/boolean arrays); timezone-aware datetimes
stay timezone-aware.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import pandas as pd
import polars as pl

log = logging.getLogger(__name__)

__all__ = ["to_pandas"]


def to_pandas(df: pl.DataFrame, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Return `columns` of `df` (all when None) as a pandas DataFrame with `df.height` rows.

    Columns missing from `df` are skipped, not an error: the suite that asked for them reports
    them as failed expectations, which is where an engineer will look for the reason.
    """
    names = list(df.columns) if columns is None else [c for c in columns if c in df.columns]
    data = {name: _column(df.get_column(name)) for name in names}
    # The explicit index keeps the row count when no column is selected (table-level suites).
    return pd.DataFrame(data, index=pd.RangeIndex(df.height))


def _column(series: pl.Series) -> pd.Series | pd.api.extensions.ExtensionArray | object:
    """One polars Series as something pandas takes as a column, nulls preserved."""
    dtype = series.dtype
    if isinstance(dtype, pl.Datetime):
        naive = series
        if dtype.time_zone is not None:
            naive = series.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        values = pd.Series(naive.to_numpy())
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
