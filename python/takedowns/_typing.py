"""The types of every option, defined once for Python.

Each closed vocabulary is a ``Literal`` (the Rust core defines the same names once, with its
``vocabulary!`` macro; ``tests/python/test_typing.py`` checks the two agree through
``_core.vocabularies()``). The keyword options of each definition are a ``TypedDict``: methods
take them as ``**options: Unpack[...]`` (PEP 692), so a misspelled name or value fails mypy, and
at run time the option classes (:class:`takedowns.ComplianceSpec` ...) refuse it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal, TypedDict, Union

if TYPE_CHECKING:
    from takedowns._core import ComplianceSpec

#: The outcomes a request can have: what status labels, outcome columns and success sets name.
Status = Literal["removed", "restricted", "rejected", "pending"]
#: Every value of ``status``: the outcomes, and ``unknown``, which only a published source that
#: publishes no outcome has (``load_report["outcomes_unpublished"]``).
StatusValue = Literal["removed", "restricted", "rejected", "pending", "unknown"]
Pending = Literal["against", "exclude"]
Unit = Literal["request", "account"]
Weight = Literal["requests", "followers"]
Method = Literal["wilson", "jeffreys", "clopper-pearson"]
FollowersRule = Literal["max", "latest"]
GroupRule = Literal["each", "latest"]
Every = Literal["day", "week", "month", "quarter", "half-year", "year"]
DateOn = Literal["reported_at", "actioned_at"]
CrossValue = Literal["cases", "accounts", "followers", "rate"]
#: How pairwise p-values are adjusted for the number of comparisons.
Adjust = Literal["holm", "bonferroni", "none"]
#: Which later requests count as an actioned account returning.
ReturnMatch = Literal["platform", "handle"]
DateOrder = Literal["auto", "day-first", "month-first"]
OnInvalid = Literal["raise", "quarantine"]
Format = Literal["parquet", "csv"]
#: The public sources :func:`takedowns.sources.read` knows.
SourceName = Literal[
    "google-removals-historical",
    "google-removals-requestor",
    "google-removals-detailed",
    "tiktok-government",
    "x-removals",
    "meta-local-law",
    "dsa-sor",
    "dsa-report",
]
#: How a figure shows groups or cells whose denominator is below ``min_n``.
LowN = Literal["mark", "fade", "drop"]
Rule = Literal[
    "required",
    "invalid_date",
    "impossible_date",
    "ambiguous_date",
    "invalid_integer",
    "censored_value",
    "unknown_status",
    "negative_followers",
    "invalid_count",
    "actioned_before_reported",
    "pending_with_actioned_at",
    "duplicate_case_id",
    "malformed_row",
    "invalid_utf8",
    "field_too_long",
    "date_out_of_range",
    "invalid_account",
    "value_too_large",
    "invalid_code",
]

#: Each vocabulary by the option that takes it (as the core names it in errors).
VOCABULARIES: dict[str, object] = {
    "status": StatusValue,
    "pending": Pending,
    "unit": Unit,
    "weight": Weight,
    "method": Method,
    "followers": FollowersRule,
    "groups": GroupRule,
    "every": Every,
    "on": DateOn,
    "value": CrossValue,
    "adjust": Adjust,
    "match": ReturnMatch,
    "date_order": DateOrder,
    "on_invalid": OnInvalid,
    "format": Format,
    "rule": Rule,
    "source": SourceName,
}

PathLike = Union[str, "os.PathLike[str]"]
#: A duration: ``"36h"``, ``"7d"``, or a number of days.
Duration = Union[str, float]


class ComplianceOptions(TypedDict, total=False):
    """The options of :class:`takedowns.ComplianceSpec` (see it for their meaning and defaults)."""

    success: Sequence[Status] | Status
    pending: Pending
    unit: Unit
    weight: Weight
    ci: float
    method: Method
    min_n: int


class ReachOptions(TypedDict, total=False):
    """The options of :class:`takedowns.ReachSpec`."""

    followers: FollowersRule
    groups: GroupRule


class TrendOptions(ComplianceOptions, total=False):
    """The options of :class:`takedowns.TrendSpec` (with each period's compliance options)."""

    on: DateOn
    year_start: int
    start: date | None
    end: date | None


class TrendSpecOptions(TrendOptions, total=False):
    """The keywords of :class:`takedowns.TrendSpec`: the trend options, ``every``, and
    ``compliance`` (a whole :class:`takedowns.ComplianceSpec`)."""

    every: Every
    compliance: ComplianceSpec


class SurvivalOptions(TypedDict, total=False):
    """The options of :class:`takedowns.SurvivalSpec`."""

    as_of: date | datetime | None
    success: Sequence[Status] | Status
    ci: float
    deadlines: Sequence[Duration] | str
    horizon: Duration


class ScanOptions(TypedDict, total=False):
    """The options of :class:`takedowns.LoadOptions` a scan takes (it always quarantines)."""

    columns: Mapping[str, str] | None
    status_labels: Mapping[str, Status] | None
    platform_aliases: Mapping[str, str] | None
    group_aliases: Mapping[str, str] | PathLike | None
    date_order: DateOrder
    required: Sequence[str] | None
    max_problems: int
    max_field_bytes: int
    max_columns: int
    null_values: Sequence[str] | None
    thousands: str | None
    outcome_columns: Mapping[str, Status] | None
    delimiter: str


class LoadKeywords(ScanOptions, total=False):
    """The options of :class:`takedowns.LoadOptions`."""

    on_invalid: OnInvalid
