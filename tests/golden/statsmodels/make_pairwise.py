"""Makes tests/golden/statsmodels/pairwise_*.csv: pairwise comparisons of compliance computed by statsmodels
(an independent implementation), from fixed counts.

    pip install statsmodels==0.14.5 && python tests/golden/statsmodels/make_pairwise.py

The counts are the embedded sample's compliance by platform (successes and requests, pending
counted against: takedowns' default) and a small table with a zero, a one-hundred-percent group
and a small group. For each pair (every pair, in the order of the rows) statsmodels gives the
difference with Newcombe's interval, the ratio with Katz's log interval, the pooled z-test and its
Holm adjustment over the pairs with a p-value.
"""

from __future__ import annotations

import itertools
import math
import pathlib

import numpy as np
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

HERE = pathlib.Path(__file__).parent

TABLES = {
    # platform, successes, requests: td.sample().compliance(by="platform")
    "pairwise_platform": [
        ("facebook", 196, 212),
        ("instagram", 92, 117),
        ("telegram", 57, 95),
        ("tiktok", 182, 199),
        ("whatsapp", 18, 63),
        ("x", 62, 210),
    ],
    # A zero, a hundred percent and a small group (the edges).
    "pairwise_edges": [
        ("a", 0, 12),
        ("b", 40, 40),
        ("c", 3, 7),
        ("d", 25, 60),
    ],
}


def fmt(v: float | None) -> str:
    return "" if v is None or not math.isfinite(v) else repr(float(v))


def main() -> None:
    for name, rows in TABLES.items():
        out = [
            "a,b,x_a,n_a,x_b,n_b,difference,difference_low,difference_high,ratio,ratio_low,ratio_high,p_value,p_holm"
        ]
        pairs = list(itertools.combinations(rows, 2))
        pvals: list[float | None] = []
        lines = []
        for (a, xa, na), (b, xb, nb) in pairs:
            d = xa / na - xb / nb
            dl, dh = confint_proportions_2indep(xa, na, xb, nb, method="newcomb", compare="diff", alpha=0.05)
            if xa > 0 and xb > 0:
                rl, rh = confint_proportions_2indep(xa, na, xb, nb, method="log", compare="ratio", alpha=0.05)
            else:
                rl = rh = None
            r = (xa / na) / (xb / nb) if xb > 0 else None
            pooled = (xa + xb) / (na + nb)
            p = float(proportions_ztest([xa, xb], [na, nb])[1]) if 0 < pooled < 1 else None
            pvals.append(p)
            lines.append([a, b, xa, na, xb, nb, d, dl, dh, r, rl, rh, p])
        present = [p for p in pvals if p is not None]
        holm = iter(multipletests(np.array(present), method="holm")[1]) if present else iter(())
        for line, p in zip(lines, pvals):
            adj = next(holm) if p is not None else None
            a, b, xa, na, xb, nb, *nums = line
            out.append(",".join([a, b, str(xa), str(na), str(xb), str(nb), *(fmt(v) for v in nums), fmt(adj)]))
        (HERE / f"{name}.csv").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
