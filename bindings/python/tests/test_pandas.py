"""medtone.pandas: scoring a DataFrame column into new columns."""
from __future__ import annotations

import math
from typing import List

import pandas as pd
import pytest

import medtone
from medtone import Analyzer
from medtone.pandas import SCORE_COLUMNS, column_names, score, score_series


def test_score_adds_columns_equal_to_analyze(analyzer: Analyzer, corpus: List[str]) -> None:
    sample = corpus[::5][:200]  # every probe table, crisis included
    df = pd.DataFrame({"id": range(200), "text": sample}, index=range(1000, 1200))
    out = score(df, "text", analyzer=analyzer, flags=["crisis", "aspect.wait"], threads=2)
    assert list(out.columns) == ["id", "text", *SCORE_COLUMNS, "crisis", "crisis_fired",
                                 "aspect_wait", "aspect_wait_fired"]
    assert out.index.equals(df.index)
    assert list(df.columns) == ["id", "text"]  # the input is not changed
    for (_, row), r in zip(out.iterrows(), analyzer.analyze_many(sample)):
        assert row["compound"] == r.compound and row["label"] == r.label
        assert row["negative"] == r.negative
        assert row["crisis"] == r.flags["crisis"].score
        assert bool(row["aspect_wait_fired"]) == r.flags["aspect.wait"].fired
    assert out["crisis_fired"].dtype == "boolean" and out["compound"].dtype == "float64"
    assert out["crisis_fired"].any()


def test_missing_texts_give_missing_scores() -> None:
    df = pd.DataFrame({"text": ["great care!", None, float("nan"), pd.NA, b"awful wait"]})
    out = score(df, flags=True, prefix="mt_")
    assert out["mt_label"].tolist() == ["positive", None, None, None, "negative"]
    assert math.isnan(out["mt_compound"][1]) and out["mt_compound"][0] > 0
    assert out["mt_crisis_fired"].isna().tolist() == [False, True, True, True, False]
    assert set(column_names(True, "mt_")) <= set(out.columns)
    assert len(column_names(True)) == 5 + 2 * len(medtone.flags())


def test_errors() -> None:
    df = pd.DataFrame({"text": ["a", 3]})
    with pytest.raises(TypeError):
        score(df)
    with pytest.raises(KeyError):
        score(pd.DataFrame({"body": ["x"]}))
    with pytest.raises(ValueError):
        score(pd.DataFrame({"text": ["x"], "label": ["y"]}))  # the column is taken
    assert "mt_label" in score(pd.DataFrame({"text": ["x"], "label": ["y"]}), prefix="mt_")
    with pytest.raises(ValueError):
        score(pd.DataFrame({"text": ["x"]}), flags=["no-such-flag"])
    with Analyzer(flags=False) as an, pytest.raises(ValueError):
        score(pd.DataFrame({"text": ["x"]}), analyzer=an, flags=["crisis"])
    with pytest.raises(TypeError):
        score(["not", "a", "frame"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        score_series(["x"])  # type: ignore[arg-type]


def test_score_series() -> None:
    s = pd.Series(["great care!", "rude staff"], index=["a", "b"], name="posts")
    out = score_series(s)
    assert list(out.index) == ["a", "b"] and list(out.columns) == list(SCORE_COLUMNS)
    assert out.loc["a", "label"] == "positive" and out.loc["b", "label"] == "negative"
