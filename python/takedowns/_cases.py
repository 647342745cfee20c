"""The :class:`Cases` collection and its analytics."""

from __future__ import annotations

import datetime as dt
import html
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar, Union, cast

import polars as pl

from takedowns import _core
from takedowns._core import ComplianceSpec, LoadOptions, ReachSpec, SurvivalSpec, TrendSpec
from takedowns._typing import Adjust, CrossValue, Every, FollowersRule, ReturnMatch, StatusValue
from takedowns.errors import InvalidArgumentError, RejectedRowsWarning

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from takedowns._typing import ComplianceOptions, ReachOptions, SurvivalOptions, TrendOptions

By = Union[str, Sequence[str], None]

_Spec = TypeVar("_Spec", ComplianceSpec, ReachSpec, TrendSpec, SurvivalSpec, LoadOptions)


def _by(by: By) -> list[str]:
    if by is None:
        return []
    if isinstance(by, str):
        return [by]
    return list(by)


def _spec(cls: type[_Spec], spec: _Spec | None, options: Mapping[str, Any]) -> _Spec:
    """``spec`` with ``options`` changed, or the default of ``cls`` with them."""
    if "cluster" in options:
        # Only compliance takes it (it is not a definition of the rate, so not in the spec).
        raise InvalidArgumentError(
            "invalid argument `cluster`: cluster-robust intervals are taken by Cases.compliance only; pairwise, change, trend, "
            "crosstab, scans and tables give the binomial interval",
            "cluster",
        )
    if spec is None:
        return cls(**options)
    if not isinstance(spec, cls):
        raise TypeError(f"spec must be a {cls.__name__}, got {type(spec).__name__}")
    return spec.replace(**options) if options else spec


_EPOCH = datetime(1970, 1, 1)


def _as_days(d: date | None) -> int | None:
    """A date as days since 1970-01-01."""
    if d is None:
        return None
    if isinstance(d, datetime):
        d = d.date()
    return (d - _EPOCH.date()).days


def last_period_end(df: pl.DataFrame) -> dt.datetime | None:
    """The last day of a published source's last period (its ``period_end``), or ``None`` for
    rows that are not of periods."""
    if "period_end" not in df.columns:
        return None
    end = df.get_column("period_end").cast(pl.String).str.to_date("%Y-%m-%d", strict=False).max()
    return dt.datetime(end.year, end.month, end.day) if isinstance(end, dt.date) else None


def rejects_sentence(report: dict[str, Any], quote: Callable[[str], str] = lambda v: f'"{v}"') -> str | None:
    """What a load rejected, in one sentence for wherever a number is shown; ``None`` when nothing
    was rejected. ``quote`` writes a label from the data (for Markdown, a code span).

    >>> rejects_sentence({"rows_read": 896, "rows_rejected": 115, "lost": [("status", "Awaiting", 115)],
    ...                   "problems_by_rule": {"unknown_status": 115}})
    '115 of 896 rows read (12.8%) were rejected at load and are left out of every number (unknown_status: 115); every row with status "Awaiting" was rejected.'
    >>> rejects_sentence({"rows_read": 1_500_000, "rows_rejected": 12, "problems_by_rule": {"unknown_status": 12}})
    '12 of 1,500,000 rows read (<0.1%) were rejected at load and are left out of every number (unknown_status: 12).'
    """
    if not report["rows_rejected"]:
        return None
    rejected, read, what = report["rows_rejected"], report["rows_read"], "rows read"
    if report.get("published_lines"):
        # A published source's line makes several rows; a withheld line is one line.
        read, rejected = report["published_lines"]
        what = "published lines"
    rules = ", ".join(f"{r}: {n:,}" for r, n in sorted(report["problems_by_rule"].items()))
    share = 100 * rejected / read
    text = (
        f"{rejected:,} of {read:,} {what} ({'<0.1' if share < 0.05 else f'{share:.1f}'}%) were rejected at load "
        f"and are left out of every number ({rules})"
    )
    lost = report.get("lost") or []
    if lost:
        text += "; every row with " + ", ".join(f"{c} {quote(v)}" for c, v, _ in lost) + " was rejected"
    return text + "."


def _list(v: str | Sequence[str] | None) -> list[str] | None:
    if v is None:
        return None
    return [v] if isinstance(v, str) else list(v)


class Table:
    """One table of :meth:`Cases.tables` or :meth:`takedowns.Scan.tables`: an analytic, its ``by``
    and its definition, given as the analytic's own method takes them.

    On a scan, :meth:`takedowns.Scan.tables` reads and validates the data once for all of them
    (each analytic of a scan is otherwise its own pass); in memory the tables are the same as the
    methods' and the data is already validated.

    >>> import takedowns as td
    >>> compliance, reach = td.sample().tables([td.Table.compliance("platform"), td.Table.reach("group")])
    >>> compliance.equals(td.sample().compliance(by="platform"))
    True
    """

    __slots__ = ("_inner",)
    _inner: _core.Table

    def __init__(self) -> None:
        raise TypeError("use Table.compliance, Table.reach, Table.trend or Table.crosstab")

    @classmethod
    def _wrap(cls, inner: _core.Table) -> Table:
        obj = object.__new__(cls)
        object.__setattr__(obj, "_inner", inner)
        return obj

    @classmethod
    def compliance(
        cls, by: By = "platform", *, spec: ComplianceSpec | None = None, **options: Unpack[ComplianceOptions]
    ) -> Table:
        """Compliance per group, as :meth:`Cases.compliance`."""
        return cls._wrap(_core.Table.compliance(_by(by), _spec(ComplianceSpec, spec, options)))

    @classmethod
    def reach(cls, by: By = "group", *, spec: ReachSpec | None = None, **options: Unpack[ReachOptions]) -> Table:
        """Reach per group, as :meth:`Cases.reach`."""
        return cls._wrap(_core.Table.reach(_by(by), _spec(ReachSpec, spec, options)))

    @classmethod
    def trend(
        cls,
        every: Every | None = None,
        *,
        by: By = None,
        spec: TrendSpec | None = None,
        **options: Unpack[TrendOptions],
    ) -> Table:
        """Cases per period, as :meth:`Cases.trend`."""
        spec = _spec(TrendSpec, spec, options)
        if every is not None:
            spec = spec.replace(every=every)
        return cls._wrap(_core.Table.trend(_by(by), spec))

    @classmethod
    def crosstab(
        cls,
        rows: str = "group",
        columns: str = "platform",
        *,
        value: CrossValue = "cases",
        followers: FollowersRule = "max",
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> Table:
        """A crosstab, as :meth:`Cases.crosstab`."""
        return cls._wrap(_core.Table.crosstab(rows, columns, value, followers, _spec(ComplianceSpec, spec, options)))

    @property
    def kind(self) -> str:
        """``"compliance"``, ``"reach"``, ``"trend"`` or ``"crosstab"``."""
        return self._inner.kind()

    @property
    def by(self) -> list[str]:
        """The columns the table groups by (a crosstab's rows and columns)."""
        return self._inner.by()

    def __repr__(self) -> str:
        return f"<takedowns.Table: {self.kind} by {self.by}>"


def _tables_arg(tables: Sequence[Table]) -> list[_core.Table]:
    if isinstance(tables, Table):
        raise TypeError("tables must be a list of takedowns.Table; wrap one table in a list")
    out = []
    for t in tables:
        if not isinstance(t, Table):
            raise TypeError(
                f"tables must hold takedowns.Table (Table.compliance(...) and so on), got {type(t).__name__}"
            )
        out.append(t._inner)
    return out


class Cases:
    """Validated case records: one row per request about one account or item.

    Make one with :func:`takedowns.read_csv` (or another reader), :func:`takedowns.from_frame` or
    :func:`takedowns.sample`. Every analytic returns a polars DataFrame whose ``definition`` column
    states exactly what was computed.
    """

    __slots__ = ("_inner", "_warned")
    _inner: _core.Cases
    _warned: bool

    def __init__(self) -> None:
        raise TypeError("use takedowns.read_csv, takedowns.from_frame or takedowns.sample")

    @classmethod
    def _wrap(cls, inner: _core.Cases) -> Cases:
        obj = object.__new__(cls)
        object.__setattr__(obj, "_inner", inner)
        object.__setattr__(obj, "_warned", False)
        return obj

    def _analysed(self) -> _core.Cases:
        """The native cases, after warning (once per ``Cases``) when the load rejected rows."""
        if not self._warned:
            object.__setattr__(self, "_warned", True)
            sentence = rejects_sentence(self.load_report)
            if sentence:
                warnings.warn(
                    f"{sentence} See .rejects; each result's definition says so too.", RejectedRowsWarning, stacklevel=3
                )
        return self._inner

    # --- data -------------------------------------------------------------------------------
    def to_polars(self) -> pl.DataFrame:
        """The cases in the canonical schema (extra columns after), as a polars DataFrame.

        ``platform``, ``group``, ``status`` and ``agency`` are ``pl.Categorical`` (global
        categories): filters take text; a join with a text column needs a cast on one side."""
        return self._inner.frame()

    def to_pandas(self) -> Any:
        """The cases as a pandas DataFrame (needs pandas and pyarrow installed)."""
        try:
            return self._inner.frame().to_pandas()
        except ModuleNotFoundError as e:
            raise ModuleNotFoundError(f"to_pandas needs pandas and pyarrow ({e}); pip install pandas pyarrow") from e

    @property
    def rejects(self) -> pl.DataFrame:
        """Rejected rows, one row per problem: file, row (the data row, from 1: in a spreadsheet
        with one header line, line row + 1), case_id (as read, when the row has one), column,
        value, rule, message."""
        return self._inner.rejects()

    @property
    def load_report(self) -> dict[str, Any]:
        """What the load did: ``rows_read == rows_accepted + rows_rejected``, problems by rule,
        the columns matched or filled, the extra columns kept, the status labels mapped."""
        return self._inner.load_report()

    def __len__(self) -> int:
        return len(self._inner)

    # --- selection --------------------------------------------------------------------------
    def filter(
        self,
        *predicates: pl.Expr,
        platform: str | Sequence[str] | None = None,
        group: str | Sequence[str] | None = None,
        status: StatusValue | Sequence[StatusValue] | None = None,
        start: date | None = None,
        end: date | None = None,
        **equals: str | Sequence[str],
    ) -> Cases:
        """Keep the cases that match every condition given.

        Parameters
        ----------
        *predicates
            polars expressions on the canonical or extra columns.
        platform, group
            Values to keep; labels are mapped with the built-in aliases (``"Twitter"`` is ``x``).
        status
            Outcomes to keep.
        start, end
            First and last day of ``reported_at`` to keep, both inclusive.
        **equals
            Any other column equal to one of the values, compared as text
            (``agency="PTA"``).

        Examples
        --------
        >>> import takedowns as td
        >>> len(td.sample().filter(platform="Twitter", agency="PTA"))
        86
        """
        inner = self._inner.filter(
            _list(platform),
            _list(group),
            cast("list[StatusValue] | None", _list(status)),
            _as_days(start),
            _as_days(end),
            [(k, _list(v) or []) for k, v in equals.items()],
        )
        if predicates:
            frame = inner.frame().filter(*predicates)
            inner = inner.with_frame(frame)
        return Cases._wrap(inner)

    def pseudonymise(self, key: bytes | str, *, keep: Sequence[str] = ()) -> Cases:
        """The same cases with every account and case id replaced by a keyed pseudonym.

        ``acct_`` or ``case_`` and 24 hex digits of HMAC-SHA256 under ``key``: the same key maps
        the same account to the same pseudonym in every file (accounts are hashed folded, so
        ``@Fake`` and ``https://x.com/fake`` are one), and without the key a pseudonym cannot be
        reversed or checked against a guessed handle. Followers, dates, outcomes, platforms and
        groups are kept, so every analytic gives the same numbers. Extra columns can hold handles
        or URLs and are dropped unless named in ``keep``. In ``rejects``, account and case-id
        values are pseudonymised and malformed records withheld. The key is never stored.

        Parameters
        ----------
        key
            At least 16 bytes (a ``str`` is taken as UTF-8). Keep it secret and keep it: the same
            key is needed to pseudonymise the next file consistently.
        keep
            Extra columns to keep.

        Examples
        --------
        >>> import takedowns as td
        >>> shared = td.sample().pseudonymise(b"a secret of 16+ bytes")
        >>> shared.to_polars().get_column("account").str.starts_with("acct_").all()
        True
        >>> shared.compliance().equals(td.sample().compliance())
        True
        """
        raw = key.encode() if isinstance(key, str) else bytes(key)
        return Cases._wrap(self._inner.pseudonymise(raw, list(keep)))

    # --- analytics --------------------------------------------------------------------------
    def compliance(
        self,
        by: By = "platform",
        *,
        cluster: str | None = None,
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> pl.DataFrame:
        """Compliance rate per group, with its interval and a small-n flag.

        rate = successes / denominator, null when the denominator is 0.

        Parameters
        ----------
        by
            Column(s) to group by: canonical or your own; ``None`` for one overall row.
        spec
            The whole definition as a :class:`~takedowns.ComplianceSpec` (default: PTA's); the
            keywords below, given beside it, change it.
        success
            Outcomes that count as complied with (default removed and restricted).
        pending
            ``"against"`` (default, PTA's rule): pending requests stay in the denominator as not
            complied; ``"exclude"``: decided requests only.
        unit
            ``"request"`` (default; a row with ``count`` k is k requests) or ``"account"``: each
            distinct account on a platform once, with the outcome of its latest request.
        weight
            ``"requests"`` (default) or ``"followers"``: each unit weighs its followers; the
            interval then uses Kish's effective sample size.
        ci
            Confidence level, in (0, 1).
        method
            ``"wilson"`` (default), ``"jeffreys"`` or ``"clopper-pearson"``.
        min_n
            ``low_n`` is true when fewer units than this are in the denominator.
        cluster
            ``"account"``, or a column (a batch id, the date sent): requests in one cluster are
            not independent, and the interval is widened by their design effect. The variance
            is the cluster-robust one (CR1; statsmodels' ``OLS(y, 1)`` with
            ``cov_type="cluster"``), the design effect that variance over the binomial one (at
            least 1), and the interval the ``method``'s on ``n_effective`` = n / design effect.
            Adds ``clusters``, ``se_cluster``, ``design_effect`` and ``n_effective``; the rate
            is unchanged. With ``unit="request"`` and ``weight="requests"`` only.

        Returns
        -------
        polars.DataFrame
            by columns, requests (or accounts), removed, restricted, rejected, pending,
            successes, denominator, n, rate, ci_low, ci_high, low_n, definition.

        Examples
        --------
        >>> import takedowns as td
        >>> td.sample().compliance(by="platform").select("platform", "requests", "rate", "ci_low", "ci_high")
        shape: (6, 5)
        ┌───────────┬──────────┬──────────┬──────────┬──────────┐
        │ platform  ┆ requests ┆ rate     ┆ ci_low   ┆ ci_high  │
        │ ---       ┆ ---      ┆ ---      ┆ ---      ┆ ---      │
        │ str       ┆ i64      ┆ f64      ┆ f64      ┆ f64      │
        ╞═══════════╪══════════╪══════════╪══════════╪══════════╡
        │ facebook  ┆ 212      ┆ 0.924528 ┆ 0.880932 ┆ 0.953013 │
        │ instagram ┆ 117      ┆ 0.786325 ┆ 0.703575 ┆ 0.850871 │
        │ telegram  ┆ 95       ┆ 0.6      ┆ 0.499456 ┆ 0.692771 │
        │ tiktok    ┆ 199      ┆ 0.914573 ┆ 0.867463 ┆ 0.945981 │
        │ whatsapp  ┆ 63       ┆ 0.285714 ┆ 0.189032 ┆ 0.407027 │
        │ x         ┆ 210      ┆ 0.295238 ┆ 0.237668 ┆ 0.360165 │
        └───────────┴──────────┴──────────┴──────────┴──────────┘
        """
        if cluster is not None:
            return self._analysed().compliance_clustered(_by(by), cluster, _spec(ComplianceSpec, spec, options))
        return self._analysed().compliance(_by(by), _spec(ComplianceSpec, spec, options))

    def returning(self, by: By = "group", *, match: ReturnMatch = "platform") -> pl.DataFrame:
        """Returning accounts: of the accounts a platform acted on, how many were reported again
        later, and how soon.

        An actioned account is a platform + account with a request removed or restricted; it was
        acted on at the earliest such request's ``actioned_at`` (its ``reported_at`` when the
        decision has no date), and counts under that request's ``by`` values. It returned when a
        request about the same account is reported strictly after that time: on the same platform
        (``match="platform"``, default) or on any platform (``match="handle"``: the handle
        re-created elsewhere). A new request about a handle says nothing of who is behind it.

        Returns
        -------
        polars.DataFrame
            by columns, accounts_actioned, returned, share_returned (null when none was
            actioned), ci_low, ci_high (95% Wilson), low_n (under 30 actioned),
            median_days_to_return, p25_days_to_return, p75_days_to_return, definition.

        Examples
        --------
        >>> import takedowns as td
        >>> td.sample().returning(by="group").select("group", "accounts_actioned", "returned").rows()
        [('BLA', 168, 0), ('BLF', 132, 0), ('TTP', 286, 0)]
        """
        return self._analysed().returning(_by(by), match)

    def with_designation(self, authority: str) -> Cases:
        """These cases with a column saying whether each request's group was designated by
        ``authority`` when the request was made, for ``by`` in any analytic.

        ``authority`` is one of ``PK-ATA1997``, ``UN-1267``, ``US-FTO``, ``US-SDGT``,
        ``UK-proscribed``, ``EU-list`` (see :func:`takedowns.designations`). The column,
        ``designated_<authority>`` (``designated_us_fto``), holds ``"designated"`` (reported on or
        after the earliest sourced day of the group's designation), ``"not yet designated"``,
        ``"no designation found"`` (none in the registry) or ``"date unknown"`` (the sources give
        no day, or the request has no date); null without a group. Delistings are not modelled.

        Examples
        --------
        >>> import takedowns as td
        >>> c = td.sample().with_designation("US-FTO")
        >>> c.compliance(by="designated_us_fto").select("designated_us_fto", "requests").rows()
        [('designated', 449), ('no designation found', 186), ('not yet designated', 261)]
        """
        return Cases._wrap(self._inner.with_designation(authority))

    def change(
        self,
        at: date | str,
        *,
        by: By = None,
        adjust: Adjust = "holm",
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> pl.DataFrame:
        """Compliance before and after a date (a new law, a policy, a ban), and the change.

        Requests are split by ``reported_at``: before ``at``, and on or after it (requests
        without the date are on neither side; the definition counts them). For each ``by`` group:
        each side's rate and interval as :meth:`compliance` gives them (``spec`` and the keywords
        as there), then ``difference`` = rate_after - rate_before with Newcombe's hybrid score
        interval, ``ratio`` with Katz's log interval and the pooled z-test's ``p_value``
        (``p_adjusted`` over the groups by ``adjust``): the comparison :meth:`pairwise` makes of
        the two sides. A difference is not by itself an effect of what happened at ``at``.

        Returns
        -------
        polars.DataFrame
            by columns, n_before, rate_before, ci_low_before, ci_high_before, n_after, rate_after,
            ci_low_after, ci_high_after, difference, difference_low, difference_high, ratio,
            ratio_low, ratio_high, z, p_value, p_adjusted, low_n, definition.

        Examples
        --------
        >>> import datetime, takedowns as td
        >>> t = td.sample().change(datetime.date(2025, 5, 1))
        >>> t.select("n_before", "rate_before", "n_after", "rate_after").rows()
        [(388, 0.654639175257732, 508, 0.6948818897637795)]
        """
        if isinstance(at, str):
            try:
                at = date.fromisoformat(at)
            except ValueError:
                raise InvalidArgumentError(f"at: {at!r} is not a date written YYYY-MM-DD", "at") from None
        if not isinstance(at, date):
            raise TypeError(f"at must be a date, got {type(at).__name__}")
        days = _as_days(at)
        assert days is not None
        return self._analysed().change(days, _by(by), adjust, _spec(ComplianceSpec, spec, options))

    def pairwise(
        self,
        by: str = "platform",
        *,
        reference: str | None = None,
        adjust: Adjust = "holm",
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> pl.DataFrame:
        """Compliance compared between groups: every pair, or each group against ``reference``.

        ``reference`` is a value of ``by`` as the table writes it, or written as a reader would
        (``"Facebook"``; for platforms any alias a load knows, ``"Twitter"``) when it matches
        exactly one group.

        The rates are those of :meth:`compliance` under the same definition (``spec`` and the
        keywords below as there; a rate weighted by followers is refused). For each pair:

        - ``difference`` = rate_a - rate_b, with Newcombe's hybrid score interval (from each
          rate's Wilson interval);
        - ``ratio`` = rate_a / rate_b, with Katz's log interval (null when a group has no success);
        - ``p_value``: the two-sided pooled z-test of equal rates (null when every request, or
          none, complied: nothing to test); ``p_adjusted`` for the comparisons made, by ``adjust``
          (``"holm"``, default; ``"bonferroni"``; ``"none"``).

        These equal statsmodels' ``confint_proportions_2indep`` (``method="newcomb"``, and
        ``"log"`` for the ratio), ``proportions_ztest`` and ``multipletests(method="holm")`` to
        1e-9 (``tests/golden/statsmodels/pairwise_platform.csv``). The intervals treat requests as
        independent; requests about one account, or sent in one batch, are not, and the
        intervals are then too narrow (the definition says so).

        Returns
        -------
        polars.DataFrame
            ``{by}_a``, ``{by}_b``, rate_a, n_a, rate_b, n_b, difference, difference_low,
            difference_high, ratio, ratio_low, ratio_high, z, p_value, p_adjusted, low_n,
            definition.

        Examples
        --------
        >>> import takedowns as td
        >>> t = td.sample().pairwise(by="platform", reference="facebook")
        >>> t.select("platform_a", "difference", "difference_low", "difference_high", "p_adjusted").head(3)
        shape: (3, 5)
        ┌────────────┬────────────┬────────────────┬─────────────────┬────────────┐
        │ platform_a ┆ difference ┆ difference_low ┆ difference_high ┆ p_adjusted │
        │ ---        ┆ ---        ┆ ---            ┆ ---             ┆ ---        │
        │ str        ┆ f64        ┆ f64            ┆ f64             ┆ f64        │
        ╞════════════╪════════════╪════════════════╪═════════════════╪════════════╡
        │ instagram  ┆ -0.138204  ┆ -0.225719      ┆ -0.060314       ┆ 0.00056    │
        │ telegram   ┆ -0.324528  ┆ -0.429029      ┆ -0.222024       ┆ 1.5178e-11 │
        │ tiktok     ┆ -0.009955  ┆ -0.065008      ┆ 0.043776        ┆ 0.710511   │
        └────────────┴────────────┴────────────────┴─────────────────┴────────────┘
        """
        if not isinstance(by, str):
            raise InvalidArgumentError(
                f"pairwise compares the values of one column; give by as one column name, not {by!r}", "by"
            )
        return self._analysed().pairwise(by, reference, adjust, _spec(ComplianceSpec, spec, options))

    def reach(
        self, by: By = "group", *, spec: ReachSpec | None = None, **options: Unpack[ReachOptions]
    ) -> pl.DataFrame:
        """Reach per group: accounts and followers, each account counted once.

        Raises :class:`~takedowns.errors.EmptySelectionError` when no case has a follower count.

        Parameters
        ----------
        by
            Column(s) to group by (default ``"group"``).
        spec
            The definition as a :class:`~takedowns.ReachSpec`; the keywords below change it.
        followers
            Which count an account reported more than once gets: ``"max"`` (default) or
            ``"latest"``.
        groups
            Where an account reported under more than one group counts when ``by`` includes
            ``group``: ``"each"`` (default: in every one of its groups, so group rows can sum to more
            than the accounts in all; the definition says how many such accounts there are) or
            ``"latest"`` (once, in the group of its latest request).

        Returns
        -------
        polars.DataFrame
            cases, accounts, followers, followers_actioned (latest request removed or
            restricted), followers_live (rejected or pending: still up), share_actioned,
            median_followers, top10_share, accounts_missing_followers, followers_undeduplicated,
            definition.

        Examples
        --------
        >>> import takedowns as td
        >>> td.sample().reach().select("group", "accounts", "followers", "share_actioned")
        shape: (3, 4)
        ┌───────┬──────────┬───────────┬────────────────┐
        │ group ┆ accounts ┆ followers ┆ share_actioned │
        │ ---   ┆ ---      ┆ ---       ┆ ---            │
        │ str   ┆ i64      ┆ i64       ┆ f64            │
        ╞═══════╪══════════╪═══════════╪════════════════╡
        │ BLA   ┆ 264      ┆ 692765    ┆ 0.487439       │
        │ BLF   ┆ 175      ┆ 619641    ┆ 0.90205        │
        │ TTP   ┆ 411      ┆ 767137    ┆ 0.763183       │
        └───────┴──────────┴───────────┴────────────────┘
        """
        return self._analysed().reach(_by(by), _spec(ReachSpec, spec, options))

    def trend(
        self,
        every: Every | None = None,
        *,
        by: By = None,
        spec: TrendSpec | None = None,
        **options: Unpack[TrendOptions],
    ) -> pl.DataFrame:
        """Cases per period, every period present and zero-filled.

        Parameters
        ----------
        every
            ``"day"``, ``"week"`` (ISO, Monday start), ``"month"`` (the default, unless ``spec``
            says otherwise), ``"quarter"``, ``"half-year"`` or ``"year"``.
        on
            ``"reported_at"`` (default: each period's cases with their current outcome) or
            ``"actioned_at"`` (decisions per period; pending cases drop out).
        by
            Column(s) to split by; every combination gets every period.
        spec
            The definition as a :class:`~takedowns.TrendSpec`; ``every`` and the keywords change it.
        year_start
            First month of quarters, half-years and years: 1 (default, calendar) or e.g. 12 for
            December-November years.
        start, end
            The range of periods (default: the data's range).
        success, pending, unit, weight, ci, method, min_n
            The compliance definition of each period's rate, as in :meth:`compliance`.

        Returns
        -------
        polars.DataFrame
            by columns, period (first day), period_label, requests, removed, restricted,
            rejected, pending, actioned, cum_requests, cum_actioned, successes, denominator, n,
            rate, ci_low, ci_high, low_n, definition.

        Examples
        --------
        >>> import takedowns as td
        >>> td.sample().trend("quarter").select("period_label", "requests", "cum_requests")
        shape: (3, 3)
        ┌──────────────┬──────────┬──────────────┐
        │ period_label ┆ requests ┆ cum_requests │
        │ ---          ┆ ---      ┆ ---          │
        │ str          ┆ i64      ┆ i64          │
        ╞══════════════╪══════════╪══════════════╡
        │ 2025-Q1      ┆ 250      ┆ 250          │
        │ 2025-Q2      ┆ 418      ┆ 668          │
        │ 2025-Q3      ┆ 228      ┆ 896          │
        └──────────────┴──────────┴──────────────┘
        """
        spec = _spec(TrendSpec, spec, options)
        if every is not None:
            spec = spec.replace(every=every)
        return self._analysed().trend(_by(by), spec)

    def tables(self, tables: Sequence[Table]) -> list[pl.DataFrame]:
        """Several tables in one call, in order: each equal to its method's (definition included).

        The same call on a :class:`takedowns.Scan` reads the files once for all of them.

        >>> import takedowns as td
        >>> [t.height for t in td.sample().tables([td.Table.compliance(), td.Table.trend("quarter")])]
        [6, 3]
        """
        return self._analysed().tables(_tables_arg(tables))

    def compare_with_published(
        self,
        published: Cases,
        *,
        by: By = "platform",
        every: Every | None = "half-year",
        spec: TrendSpec | None = None,
        **options: Unpack[TrendOptions],
    ) -> pl.DataFrame:
        """These cases' compliance beside the compliance a platform published, per group and period.

        ``published`` is usually a report read with :func:`takedowns.sources.read` and filtered to
        the requesting country; both sides are computed as :meth:`trend` computes rates, under one
        definition (``every`` half-years by default, the reporting period of most platforms).

        Returns
        -------
        polars.DataFrame
            by columns, period, period_label, observed_requests, observed_successes, observed_n,
            observed_rate, observed_ci_low, observed_ci_high, observed_low_n, published_requests,
            published_successes, published_rate, difference (published - observed),
            published_outside_interval, definition (both sides'). A period only one side has is
            kept, the other side null.
        """
        spec = _spec(TrendSpec, spec, options)
        if every is not None:
            spec = spec.replace(every=every)
        return self._analysed().compare_with_published(published._analysed(), _by(by), spec)

    def crosstab(
        self,
        rows: str = "group",
        columns: str = "platform",
        *,
        value: CrossValue = "cases",
        followers: FollowersRule = "max",
        spec: ComplianceSpec | None = None,
        **options: Unpack[ComplianceOptions],
    ) -> pl.DataFrame:
        """A table with ``rows`` down and ``columns`` across.

        Parameters
        ----------
        value
            ``"cases"`` (default), ``"accounts"``, ``"followers"`` (each account once) or
            ``"rate"`` (compliance as in :meth:`compliance`; its n and interval are in
            ``compliance(by=[rows, columns])``). Empty cells are 0, or null for rates.

        Examples
        --------
        >>> import takedowns as td
        >>> td.sample().crosstab("group", "platform").columns
        ['group', 'facebook', 'instagram', 'telegram', 'tiktok', 'whatsapp', 'x', 'definition']
        """
        return self._analysed().crosstab(rows, columns, value, followers, _spec(ComplianceSpec, spec, options))

    def time_to_action(
        self,
        by: By = None,
        *,
        spec: SurvivalSpec | None = None,
        **options: Unpack[SurvivalOptions],
    ) -> pl.DataFrame:
        """How fast platforms decide, with pending requests counted honestly.

        Kaplan-Meier time from ``reported_at`` to the decision, pending requests right-censored at
        ``as_of``; rejection is a competing outcome (Aalen-Johansen cumulative incidence).

        Parameters
        ----------
        by
            Column(s) to group by; ``None`` for one overall row.
        spec
            The definition as a :class:`~takedowns.SurvivalSpec`; the keywords below change it.
        as_of
            When pending requests are censored (default: the latest date in the data). A decision
            after ``as_of`` counts as pending then.
        success
            Outcomes that count as action (default removed and restricted).
        ci
            Level of the intervals.
        deadlines
            ``"1h"``, ``"24h"``, ``"7d"`` ... or numbers of days. Hour deadlines need timestamps
            with times.
        horizon
            Horizon of the restricted mean (``"30d"``).

        Returns
        -------
        polars.DataFrame
            requests, actioned, rejected, censored, median_days with median_ci_low/high (null:
            not reached), actioned_within_<d> (cumulative incidence of action), decided_within_<d>
            (1 - S), rejected_within_<d>, rmst_<h>d, and naive_mean_days / naive_median_days over
            actioned requests only (biased: they ignore pending requests), definition.

        Examples
        --------
        >>> import takedowns as td
        >>> t = td.sample().time_to_action(by="platform")
        >>> t.select("platform", "median_days", "actioned_within_1d").row(0)
        ('facebook', 1.50625, 0.3396226415094339)
        """
        return self._analysed().time_to_action(_by(by), _spec(SurvivalSpec, spec, options))

    def survival(
        self,
        by: By = None,
        *,
        spec: SurvivalSpec | None = None,
        thin: int | None = None,
        **options: Unpack[SurvivalOptions],
    ) -> pl.DataFrame:
        """The Kaplan-Meier and cumulative-incidence step table behind :meth:`time_to_action`.

        One row per distinct time (days, starting at 0) per group: at_risk, events, actioned,
        rejected, censored, survival (share still undecided) with survival_low/high, cif_action
        and cif_rejection with their bands, definition. ``spec`` and the options are those of
        :meth:`time_to_action` (deadlines and horizon aside).

        ``thin`` (for drawing millions of requests): a group of more than ``2 * thin`` steps keeps
        only its first and last step in each of ``thin`` equal bins of ``[0, T]`` (``T`` the
        table's last time); the curves are monotone, so the drawing at ``thin`` pixels across is
        the same. The definition says so when a group was thinned.
        """
        return self._analysed().survival(_by(by), _spec(SurvivalSpec, spec, options), thin)

    def summary(self) -> pl.DataFrame:
        """The headline numbers as a one-row DataFrame (definitions in the docs)."""
        return self._analysed().summary()

    def headline(self) -> str:
        """One plain-English sentence for a memo.

        Examples
        --------
        >>> import takedowns as td
        >>> print(td.sample().headline())
        Between 3 February and 29 August 2025, NCCIA and PTA reported 850 accounts linked to BLA, BLF and TTP (combined following 2.1 million) to Facebook, Instagram, Telegram, TikTok, WhatsApp and X in 896 requests; 586 of those accounts (68.9%, 95% CI 65.8%–72.0%) were removed or restricted.
        """
        return self._analysed().headline()

    # --- display ----------------------------------------------------------------------------
    @staticmethod
    def _range(df: pl.DataFrame, first: dt.datetime | None, last: dt.datetime | None) -> str:
        """The dates the cases cover: of a published source, its periods to the last one's end."""
        if first is None:
            return "no dates"
        end = last_period_end(df)
        if end is not None:
            return f"periods {first:%Y-%m-%d} to {end:%Y-%m-%d}"
        return f"reported {first:%Y-%m-%d} to {last:%Y-%m-%d}"

    def _facts(self) -> dict[str, Any]:
        df = self.to_polars()
        rep = df.get_column("reported_at")
        first, last = cast("dt.datetime | None", rep.min()), cast("dt.datetime | None", rep.max())
        accounts = (
            df.filter(pl.col("account_key").is_not_null())
            .select(pl.struct("platform", "account_key").n_unique())
            .item()
            if len(df)
            else 0
        )
        return {
            "requests": int(df.get_column("count").sum()) if len(df) else 0,
            "rows": len(df),
            "accounts": accounts,
            "platforms": df.get_column("platform").n_unique(),
            "groups": df.get_column("group").drop_nulls().n_unique(),
            "range": self._range(df, first, last),
            "rejected": self.load_report["rows_rejected"],
            # A published source that counts items named in requests (or statements) says so.
            "unit": str(self.load_report.get("unit") or "requests").split(" ")[0],
        }

    def __repr__(self) -> str:
        f = self._facts()
        return (
            f"<takedowns.Cases: {f['requests']} {f['unit']} ({f['rows']} rows), {f['accounts']} accounts, "
            f"{f['platforms']} platforms, {f['groups']} groups, {f['range']}, "
            f"{f['rejected']} row{'' if f['rejected'] == 1 else 's'} rejected>"
        )

    def _repr_html_(self) -> str:
        f = self._facts()
        rows = [
            (f["unit"], f"{f['requests']} ({f['rows']} rows)"),
            ("accounts", f["accounts"]),
            ("platforms", f["platforms"]),
            ("groups", f["groups"]),
            ("dates", f["range"]),
            ("rows rejected", f["rejected"]),
        ]
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows
        )
        return f"<div><strong>takedowns.Cases</strong><table>{body}</table></div>"
