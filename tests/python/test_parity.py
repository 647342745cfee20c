"""Every aggregation gives the same numbers through Python as through Rust (tests/golden, written
by the Rust test suite from the same sample)."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from conftest import GOLDEN

CALLS = {
    "compliance_platform": lambda c: c.compliance(by="platform"),
    "compliance_group_platform_decided_jeffreys90": lambda c: c.compliance(
        by=["group", "platform"], pending="exclude", method="jeffreys", ci=0.9
    ),
    "compliance_platform_accounts_followers_cp": lambda c: c.compliance(
        by="platform", unit="account", weight="followers", method="clopper-pearson"
    ),
    "compliance_language": lambda c: c.compliance(by="language"),
    "reach_group": lambda c: c.reach(),
    "reach_platform_latest": lambda c: c.reach(by="platform", followers="latest"),
    "trend_month": lambda c: c.trend(),
    "trend_halfyear_actioned_platform": lambda c: c.trend("half-year", on="actioned_at", by="platform"),
    "crosstab_group_platform_cases": lambda c: c.crosstab("group", "platform"),
    "crosstab_group_platform_rate": lambda c: c.crosstab("group", "platform", value="rate"),
    "summary": lambda c: c.summary(),
}


def test_every_golden_table_is_covered() -> None:
    assert sorted(p.stem for p in GOLDEN.glob("*.csv")) == sorted(CALLS)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_same_numbers_as_rust(sample, name: str) -> None:  # type: ignore[no-untyped-def]
    got = CALLS[name](sample)
    want = pl.read_csv(GOLDEN / f"{name}.csv", schema=got.schema, try_parse_dates=True)
    assert_frame_equal(got, want, check_exact=False, rel_tol=1e-12, abs_tol=1e-12)
