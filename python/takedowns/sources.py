"""Public transparency data read as published (Rust: ``takedowns::sources``).

Each source's file, with its own headers and quirks, becomes :class:`~takedowns.Cases` in the
canonical schema: aggregate rows with a ``count``, ``platform``, ``jurisdiction``, the period
(``reported_at`` its first day, ``period_end`` its last), ``status`` where the source has an
outcome and ``source`` naming the report. A cell the publisher withheld or gave as a bound
(``<10``, ``?``) is never read as 0: its rows are ``censored_value`` rejects, listed in
``cases.rejects`` and counted in the load report. How the rows were derived (which columns, what
rounding) is ``load_report["derivation"]``, and every table's ``definition`` carries it.

=============================  =====================================================================
name                           file
=============================  =====================================================================
google-removals-historical     Google Transparency Report, government requests to remove content:
                               ``google-government-removal-requests-historical.csv`` (2009-H2 to
                               2019-H1): per country and half-year, requests fully or partially
                               complied with (``removed``) and not (``rejected``)
google-removals-requestor      Google, by requestor: ``google-government-removal-requests.csv``
                               (2019-H1 on): per country, requestor (``agency``) and half-year,
                               the items of each of Google's six outcomes, rebuilt from its whole
                               percents by largest remainders. Rows count items, not requests.
                               Outcomes as statuses: Removed-Legal ``restricted``, Removed-Policy
                               ``removed``, the other four ``rejected`` (``status_labels`` change it)
google-removals-detailed       Google, by product and reason: ``google-government-detailed-removal-
                               requests.csv`` (2011-H1 on): per country, half-year, product
                               (``product``) and reason (``reason``), its requests; or the
                               ``...-historical.csv`` companion (2009-H2 to 2019-H1), whose court
                               orders and executive requests become two rows (``agency``). Google
                               publishes no outcome at this level: every ``status`` is ``unknown``
                               and rates refuse (``load_report["outcomes_unpublished"]``); count
                               the requests (``trend``, ``crosstab``)
tiktok-government              TikTok, Government Removal Requests Report:
                               ``CLIGR_<release>_GovernmentRemovalsRequests.csv`` (cumulative): per
                               country and half-year, content and accounts actioned for community-
                               guidelines violations (``removed``), for local law (``restricted``)
                               and not (``rejected``). Its rows count items, not requests: the rate
                               over them is TikTok's "Removal rate"
x-removals                     X (Twitter) Transparency Center: ``Twitter_Transparency-Removal_
                               Requests_<period>.csv`` (cumulative; its first table, legal
                               demands): per country and half-year, requests complied with
                               (``removed``) and not (``rejected``); ``NULL`` rates are rejects.
                               Also one half-year's ``removal-requests-report-<jan-jun|jul-dec>-
                               <year>.csv`` (2012 to 2019-H1): requests = court orders + other
                               requests, ``removed`` = round(requests x percentage where some
                               content withheld); the TOTAL line is not read
meta-local-law                 Facebook's Government Requests Report for one half-year
                               (``Facebook-Government-Report-<year>-H<1|2>.csv``, 2013 to 2019-H1;
                               the half-year comes from the file's name): per country, pieces of
                               content restricted for local law (``restricted``; items, with no
                               requests or refusals published, so count them, do not rate them)
dsa-sor                        EU DSA Transparency Database, statements of reasons: a daily dump
                               ``sor-<platform|global>-<date>-<full|light>.zip`` (a zip of zipped
                               CSV parts), its CSV parts (a directory or ``parts/*.csv``) or
                               Parquet with the same columns. One case per statement (a platform's
                               own restriction); :func:`scan` for more than fits in memory
dsa-report                     A DSA harmonised transparency report (Implementing Regulation (EU)
                               2024/2835, Annex I), parts 3 to 6 (told apart by their headers).
                               Part 3: ``3_member_states_orders.csv``
                               (July-December 2025 on). Per Member State (``jurisdiction``), its
                               orders to act against illegal content (Art. 9) and to provide
                               information (Art. 10) (``order_type``), with ``items`` and the
                               published ``median_hours_to_inform`` and
                               ``median_hours_to_give_effect``. Orders of the platform's total that
                               no Member-State line gives are one more row (``EU (no Member State
                               given)``), so the rows add up to the published total. No outcome is
                               published: every ``status`` is ``unknown``. Part 4,
                               ``4_notices.csv``: notices per category (``reason``) or
                               sub-category (``subcategory``) where those account for it, the rest a
                               row of its own; status ``unknown`` (actions are counted per item:
                               ``actions_on_law``, ``actions_on_terms`` are columns). Parts 5 and
                               6 (own-initiative measures): the same rows, status ``unknown``,
                               actions only, with the kinds of restriction as columns
=============================  =====================================================================

A statement of reasons (``dsa-sor``) becomes a case: ``case_id`` its ``uuid``, ``platform`` its
``platform_name``, ``reported_at`` its ``content_date`` (when the content was posted: the database
has no notice date, so time to action runs from posting), ``actioned_at`` its
``application_date``, ``reason`` its ``category`` code, ``content_type`` its content types, and
``status`` from its strongest decision: account and total service decisions and the removal of
content are ``removed``; disabling access, partial service decisions, demotion, age and
interaction restrictions, labels and monetary decisions are ``restricted`` (``status_labels``
map any ``DECISION_...`` code otherwise). Beside them, for ``by``: ``decision``, ``decisions``,
``decision_ground``, ``source_type`` (notice, trusted flagger, own initiative, other),
``automated_detection``, ``automated_decision``, ``keywords``, ``terrorist_content`` (``yes``
when the keywords include ``KEYWORD_TERRORIST_CONTENT``: terrorist content is a keyword, not a
category, in the database), ``account_type``, ``content_language`` and, in full dumps,
``territorial_scope``. Every statement is a restriction the platform imposed: a compliance rate
would be 100% by construction, and ``compliance`` refuses them (``load_report["actions_only"]``):
count them (``trend``, with ``on="actioned_at"`` for the date the restriction applied), split them
(``crosstab``), time them (``time_to_action``: from posting to restriction).

>>> import takedowns as td
>>> td.sources.names()
['google-removals-historical', 'google-removals-requestor', 'google-removals-detailed', 'tiktok-government', 'x-removals', 'meta-local-law', 'dsa-sor', 'dsa-report']
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, get_args

from takedowns import _core
from takedowns._cases import By, Cases, _spec
from takedowns._scan import Scan, _quarantined
from takedowns._typing import Every, SourceName, TrendOptions
from takedowns.errors import InvalidArgumentError

if TYPE_CHECKING:
    import polars as pl
    from typing_extensions import Unpack

    from takedowns._core import LoadOptions, TrendSpec
    from takedowns._typing import LoadKeywords, PathLike, ScanOptions

__all__ = ["compare_with_published", "names", "read", "scan"]


def names() -> list[str]:
    """The source names :func:`read` takes."""
    return list(_core.source_names())


def read(
    name: SourceName,
    path: PathLike,
    *,
    options: LoadOptions | None = None,
    **keywords: Unpack[LoadKeywords],
) -> Cases:
    """Reads ``path``, a file of source ``name`` as its publisher writes it.

    Parameters
    ----------
    name
        One of :func:`names`.
    path
        The file as downloaded.
    options, keywords
        As for :func:`takedowns.read_csv`. ``on_invalid`` defaults to ``"quarantine"`` here:
        published tables withhold cells as a matter of course (``<10``), and those rows are
        listed in ``cases.rejects``; pass ``on_invalid="raise"`` to fail on them instead.
        ``required``, ``columns`` and ``outcome_columns`` are set by the source.

    Examples
    --------
    >>> import takedowns as td, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "google-government-removal-requests-historical.csv"
    >>> _ = p.write_text(
    ...     "Period Ending,Country/Region,CLDR Territory Code,All Requests: Number of Requests,"
    ...     "All Requests: % Fully Or Partially Complied With\\n"
    ...     "2018-12-31,Pakistan,PK,214,73\\n")
    >>> c = td.sources.read("google-removals-historical", p)
    >>> c.compliance(by="jurisdiction").select("jurisdiction", "requests", "successes").row(0)
    ('PK', 214, 156)
    """
    _check_name(name)
    kw: dict[str, Any] = dict(keywords)
    if options is None:
        kw.setdefault("on_invalid", "quarantine")
    opts = _spec(_core.LoadOptions, options, kw)
    return Cases._wrap(_core.read_source(name, os.fspath(path), opts))


def _check_name(name: str) -> None:
    if name not in get_args(SourceName):
        import difflib

        near = difflib.get_close_matches(str(name), get_args(SourceName), n=1)
        hint = f" (did you mean {near[0]!r}?)" if near else ""
        raise InvalidArgumentError(
            f"unknown source {name!r}{hint}; the sources are {', '.join(get_args(SourceName))}", "source"
        )


def scan(
    name: SourceName,
    path: PathLike,
    *,
    options: LoadOptions | None = None,
    **keywords: Unpack[ScanOptions],
) -> Scan:
    """Scans ``path``, a source too large to load (``dsa-sor``), as :func:`takedowns.scan_parquet` does.

    Nothing is read until an analytic runs; then each batch is mapped to the canonical columns
    and validated as it streams past, so memory stays bounded whatever the size (a zipped dump is
    first unpacked, a buffer at a time, into a directory under ``TMPDIR`` that is removed with
    the scan). Invalid rows are always left out and counted; ``scan.last_report`` and
    ``scan.last_rejects`` give them, each named by its CSV part and its row there.

    Examples
    --------
    >>> import takedowns as td, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "sor-x-2025-07-01-light-00000-00000.csv").write_text(
    ...     "uuid,decision_visibility,decision_monetary,decision_provision,decision_account,"
    ...     "decision_ground,category,category_specification,content_type,content_date,"
    ...     "application_date,source_type,automated_detection,automated_decision,platform_name\\n"
    ...     'a1,"[""DECISION_VISIBILITY_CONTENT_REMOVED""]",,,,DECISION_GROUND_ILLEGAL_CONTENT,'
    ...     'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY,"[""KEYWORD_TERRORIST_CONTENT""]",'
    ...     '"[""CONTENT_TYPE_VIDEO""]","2025-06-30 00:00:00","2025-07-01 00:00:00",'
    ...     "SOURCE_TRUSTED_FLAGGER,No,AUTOMATED_DECISION_NOT_AUTOMATED,X\\n")
    >>> s = td.sources.scan("dsa-sor", d)
    >>> s.trend("month", by=["platform", "terrorist_content"]).select("platform", "terrorist_content", "requests").row(0)
    ('x', 'yes', 1)
    """
    _check_name(name)
    kw = _quarantined(keywords)
    return Scan._wrap(_core.scan_source(name, os.fspath(path), _spec(_core.LoadOptions, options, kw)))


def compare_with_published(
    observed: Cases,
    published: Cases,
    *,
    by: By = "platform",
    every: Every | None = "half-year",
    spec: TrendSpec | None = None,
    **options: Unpack[TrendOptions],
) -> pl.DataFrame:
    """Your cases' compliance beside what the platform published: :meth:`Cases.compare_with_published`.

    "The platform says it complied with 94% of Pakistan's requests; what did we see?"

    >>> import takedowns as td, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cligr.csv"
    >>> _ = p.write_text(
    ...     "metric_name,period_value,location_value,result\\n"
    ...     "Accounts actioned due to community guidelines violations,Jul-Dec 2025,Pakistan,90.0\\n"
    ...     "Accounts not actioned,Jul-Dec 2025,Pakistan,10.0\\n")
    >>> tiktok = td.sources.read("tiktok-government", p)
    >>> mine = td.sample().filter(platform="tiktok")
    >>> t = td.compare_with_published(mine, tiktok, every="year")
    >>> t.select("platform", "observed_rate", "published_rate", "published_outside_interval").row(0)
    ('tiktok', 0.914572864321608, 0.9, False)
    """
    return observed.compare_with_published(published, by=by, every=every, spec=spec, **options)
