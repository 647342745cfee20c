"""Time to action against lifelines (a test-only dependency) to 1e-9."""

from __future__ import annotations

import datetime as dt
import warnings

import numpy as np
import polars as pl
import pytest

import takedowns as td

lifelines = pytest.importorskip("lifelines")
from lifelines import AalenJohansenFitter, KaplanMeierFitter  # noqa: E402
from lifelines.utils import restricted_mean_survival_time  # noqa: E402

BASE = dt.datetime(2025, 1, 1)
DAY_US = 86_400_000_000


def random_cases(seed: int, n: int = 300) -> tuple[pl.DataFrame, dt.datetime]:
    """Continuous times (microsecond resolution, no ties, no zero durations)."""
    rng = np.random.default_rng(seed)
    rep_us = rng.integers(0, 60 * DAY_US, n)
    dur_us = (rng.exponential(6.0, n) * DAY_US).astype(np.int64) + 1
    kind = rng.choice([0, 1, 2], n, p=[0.3, 0.5, 0.2])
    as_of = BASE + dt.timedelta(days=90)
    status = np.where(kind == 1, "removed", np.where(kind == 2, "rejected", "pending"))
    rep = [BASE + dt.timedelta(microseconds=int(u)) for u in rep_us]
    act = [None if k == 0 else r + dt.timedelta(microseconds=int(d)) for r, d, k in zip(rep, dur_us, kind)]
    # Decisions after the as-of time are pending then; make the data consistent with that.
    act = [a if a is None or a <= as_of else None for a in act]
    status = ["pending" if a is None else s for a, s in zip(act, status)]
    df = pl.DataFrame(
        {
            "case_id": [str(i) for i in range(n)],
            "platform": "x",
            "account": [f"@r{i}" for i in range(n)],
            "group": "TTP",
            "reported_at": rep,
            "actioned_at": act,
            "status": status,
        },
        schema_overrides={"reported_at": pl.Datetime("us"), "actioned_at": pl.Datetime("us")},
    )
    return df, as_of


def durations(df: pl.DataFrame, as_of: dt.datetime) -> tuple[np.ndarray, np.ndarray]:
    end = df["actioned_at"].fill_null(as_of)
    t = ((end - df["reported_at"]).dt.total_microseconds() / DAY_US).to_numpy()
    k = df["status"].replace_strict({"removed": 1, "restricted": 1, "rejected": 2, "pending": 0}).to_numpy()
    return t, k


def check_km(steps: pl.DataFrame, t: np.ndarray, k: np.ndarray) -> None:
    kmf = KaplanMeierFitter().fit(t, event_observed=(k > 0))
    sf = kmf.survival_function_.iloc[:, 0]
    np.testing.assert_allclose(steps["time"].to_numpy(), sf.index.to_numpy(), rtol=0, atol=1e-9)
    np.testing.assert_allclose(steps["survival"].to_numpy(), sf.to_numpy(), rtol=0, atol=1e-9)
    ci = kmf.confidence_interval_.to_numpy()
    np.testing.assert_allclose(steps["survival_low"].to_numpy(), ci.min(axis=1), rtol=0, atol=1e-9)
    np.testing.assert_allclose(steps["survival_high"].to_numpy(), ci.max(axis=1), rtol=0, atol=1e-9)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_data_matches_lifelines(seed: int) -> None:
    df, as_of = random_cases(seed)
    cases = td.from_frame(df)
    steps = cases.survival(as_of=as_of)
    t, k = durations(df, as_of)
    check_km(steps, t, k)

    kmf = KaplanMeierFitter().fit(t, event_observed=(k > 0))
    summary = cases.time_to_action(as_of=as_of, horizon="20d")
    assert summary["median_days"][0] == pytest.approx(kmf.median_survival_time_, abs=1e-9)
    rmst = restricted_mean_survival_time(kmf, t=20.0)
    assert summary["rmst_20d"][0] == pytest.approx(rmst, abs=1e-9)

    for cause, col in ((1, "cif_action"), (2, "cif_rejection")):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no ties: lifelines must not jitter
            aj = AalenJohansenFitter().fit(t, k, event_of_interest=cause)
        cif = aj.cumulative_density_.iloc[:, 0]
        np.testing.assert_allclose(steps[col].to_numpy(), cif.to_numpy(), rtol=0, atol=1e-9)
        ci = aj.confidence_interval_.to_numpy()
        ok = ~np.isnan(ci).any(axis=1)
        np.testing.assert_allclose(steps[f"{col}_low"].to_numpy()[ok], ci.min(axis=1)[ok], rtol=0, atol=1e-9)
        np.testing.assert_allclose(steps[f"{col}_high"].to_numpy()[ok], ci.max(axis=1)[ok], rtol=0, atol=1e-9)


def test_sample_matches_lifelines(sample) -> None:  # type: ignore[no-untyped-def]
    df = sample.to_polars()
    as_of = max(df["reported_at"].max(), df["actioned_at"].max())
    steps = sample.survival()
    t, k = durations(df, as_of)
    check_km(steps, t, k)
    by = sample.time_to_action(by="platform")
    for platform in by["platform"]:
        sub = df.filter(pl.col("platform") == platform)
        tt, kk = durations(sub, as_of)
        kmf = KaplanMeierFitter().fit(tt, event_observed=(kk > 0))
        got = by.filter(pl.col("platform") == platform)["median_days"][0]
        want = kmf.median_survival_time_
        assert (got is None and np.isinf(want)) or got == pytest.approx(want, abs=1e-9)


def test_naive_statistics_equal_numpy_over_actioned_only(sample) -> None:  # type: ignore[no-untyped-def]
    df = sample.to_polars()
    as_of = max(df["reported_at"].max(), df["actioned_at"].max())
    got = sample.time_to_action(by="platform")
    for row in got.iter_rows(named=True):
        sub = df.filter(pl.col("platform") == row["platform"])
        t, k = durations(sub, as_of)
        acted = t[k == 1]
        assert row["naive_mean_days"] == pytest.approx(acted.mean(), abs=1e-9)
        assert row["naive_median_days"] == pytest.approx(np.median(acted), abs=1e-9)
        assert row["requests"] == len(sub) and row["actioned"] == int((k == 1).sum())


def test_deadlines_in_hours(sample) -> None:  # type: ignore[no-untyped-def]
    t = sample.time_to_action(deadlines=["1h", "24h"])
    assert {"actioned_within_1h", "actioned_within_1d"} <= set(t.columns)
    assert 0 <= t["actioned_within_1h"][0] <= t["actioned_within_1d"][0] <= 1
    with pytest.raises(td.InvalidArgumentError):
        sample.time_to_action(deadlines=["soon"])
