"""Score a pandas column into new columns (pandas is imported only when this module is).

    import pandas as pd
    from medtone.pandas import score

    df = pd.DataFrame({"text": ["great care!", "the wait was awful", None]})
    out = score(df, "text", flags=["aspect.wait", "crisis"])
    out[["compound", "label", "aspect_wait", "aspect_wait_fired"]]

Missing texts (None, NaN, pd.NA) give missing scores rather than an error, as pandas users
expect; anything else that is not ``str`` or ``bytes`` raises TypeError.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Union

try:
    import pandas as _pd
except ImportError as e:  # pragma: no cover - exercised only without pandas
    raise ImportError("medtone.pandas needs pandas (Debian: apt-get install python3-pandas)") from e

from ._analyzer import Analyzer, flags as _all_flags

__all__ = ["score", "score_series", "SCORE_COLUMNS", "column_names"]

#: The columns every scoring adds (after the prefix).
SCORE_COLUMNS = ("compound", "positive", "neutral", "negative", "label")


def _flag_list(flags: Union[bool, Iterable[str]]) -> List[str]:
    if flags is True:
        return [f.name for f in _all_flags()]
    if flags is False or flags is None:
        return []
    if isinstance(flags, str):
        return [flags]
    names = list(flags)
    known = {f.name for f in _all_flags()}
    for n in names:
        if n not in known:
            raise ValueError(f"unknown flag {n!r}; flags: {', '.join(sorted(known))}")
    return names


def _col(flag: str) -> str:
    return flag.replace(".", "_")


def column_names(flags: Union[bool, Iterable[str]] = (), prefix: str = "") -> List[str]:
    """The names of the columns :func:`score_series` makes: the scores, then per flag its
    score (``aspect.wait`` -> ``aspect_wait``) and ``<flag>_fired``."""
    cols = [prefix + c for c in SCORE_COLUMNS]
    for f in _flag_list(flags):
        cols += [prefix + _col(f), prefix + _col(f) + "_fired"]
    return cols


def score_series(texts: "_pd.Series", *, analyzer: Optional[Analyzer] = None,
                 flags: Union[bool, Iterable[str]] = (), prefix: str = "",
                 threads: int = 1) -> "_pd.DataFrame":
    """Scores every text of a Series; returns a DataFrame with the Series' index and the
    columns of :func:`column_names`.

    Args:
        analyzer: the analyzer to use (default: a new one with the built-in lexicons, closed
            afterwards).
        flags: flag names to add as columns, or True for all of them.
        prefix: put before every new column's name.
        threads: passed to :meth:`~medtone.Analyzer.analyze_many`.
    """
    if not isinstance(texts, _pd.Series):
        raise TypeError(f"texts must be a pandas Series, not {type(texts).__name__}")
    names = _flag_list(flags)
    own = analyzer is None
    an = Analyzer(flags=bool(names)) if own else analyzer
    assert an is not None
    if names and not an.flags_enabled:
        raise ValueError("flag columns asked for, but the analyzer was made with flags=False")
    try:
        missing = texts.isna().to_numpy()
        values = texts.to_numpy(dtype=object)
        present = [v for v, m in zip(values, missing) if not m]
        n = len(values)
        nan = float("nan")
        cols: Dict[str, List[Any]] = {c: [nan] * n for c in ("compound", "positive", "neutral",
                                                             "negative")}
        cols["label"] = [None] * n
        for f in names:
            cols[_col(f)] = [nan] * n
            cols[_col(f) + "_fired"] = [None] * n
        rows = (i for i in range(n) if not missing[i])
        for i, r in zip(rows, an.analyze_many(present, threads=threads)):
            cols["compound"][i] = r.compound
            cols["positive"][i] = r.positive
            cols["neutral"][i] = r.neutral
            cols["negative"][i] = r.negative
            cols["label"][i] = r.label
            for f in names:
                flag = r.flags[f]
                cols[_col(f)][i] = flag.score
                cols[_col(f) + "_fired"][i] = flag.fired
    finally:
        if own:
            an.close()
    out = _pd.DataFrame(index=texts.index)
    for c, v in cols.items():
        if c.endswith("_fired"):
            out[prefix + c] = _pd.array(v, dtype="boolean")
        elif c == "label":
            out[prefix + c] = _pd.Series(v, index=texts.index, dtype=object)
        else:
            out[prefix + c] = _pd.array(v, dtype="float64")
    return out


def score(df: "_pd.DataFrame", column: str = "text", *, analyzer: Optional[Analyzer] = None,
          flags: Union[bool, Iterable[str]] = (), prefix: str = "",
          threads: int = 1) -> "_pd.DataFrame":
    """A copy of ``df`` with the scores of ``df[column]`` in new columns (see
    :func:`score_series` for the arguments and :func:`column_names` for the columns).

    Raises:
        KeyError: ``df`` has no such column.
        ValueError: a new column's name is already taken (pick a ``prefix``).
    """
    if not isinstance(df, _pd.DataFrame):
        raise TypeError(f"df must be a pandas DataFrame, not {type(df).__name__}")
    if column not in df.columns:
        raise KeyError(f"no column {column!r} in the DataFrame")
    new = score_series(df[column], analyzer=analyzer, flags=flags, prefix=prefix,
                       threads=threads)
    taken = [c for c in new.columns if c in df.columns]
    if taken:
        raise ValueError(f"columns already present: {', '.join(map(str, taken))}; "
                         "pass a prefix")
    return df.join(new)


def _empty_frame(flags: Sequence[str], prefix: str) -> "_pd.DataFrame":
    """The zero-row frame with the columns and types score_series makes (Dask's meta)."""
    out = _pd.DataFrame()
    for c in column_names(flags, prefix):
        if c.endswith("_fired"):
            out[c] = _pd.array([], dtype="boolean")
        elif c == prefix + "label":
            out[c] = _pd.Series([], dtype=object)
        else:
            out[c] = _pd.array([], dtype="float64")
    return out
