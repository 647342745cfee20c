"""Makes tests/golden/statsmodels/change_platform.csv: compliance before and after 2025-05-01 per
platform, compared by statsmodels (an independent implementation), from fixed counts.

    pip install statsmodels==0.14.5 && python tests/golden/statsmodels/make_change.py

The counts are the embedded sample's requests per platform reported before 2025-05-01 and on or
after it, and their successes (removed or restricted; pending counted against: takedowns'
default), counted with polars from ``td.sample().to_polars()``. For each platform statsmodels
gives rate_after - rate_before with Newcombe's interval, the ratio with Katz's log interval, the
pooled z-test and its Holm adjustment over the platforms.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

HERE = pathlib.Path(__file__).parent

# platform, successes before, requests before, successes after, requests after
ROWS = [
    ("facebook", 91, 99, 105, 113),
    ("instagram", 38, 48, 54, 69),
    ("telegram", 21, 36, 36, 59),
    ("tiktok", 78, 84, 104, 115),
    ("whatsapp", 5, 28, 13, 35),
    ("x", 21, 93, 41, 117),
]


def fmt(v: float | None) -> str:
    return "" if v is None or not math.isfinite(v) else repr(float(v))


def main() -> None:
    out = [
        "platform,x_before,n_before,x_after,n_after,difference,difference_low,difference_high,ratio,ratio_low,ratio_high,p_value,p_holm"
    ]
    lines, pvals = [], []
    for p, xb, nb, xa, na in ROWS:
        d = xa / na - xb / nb
        dl, dh = confint_proportions_2indep(xa, na, xb, nb, method="newcomb", compare="diff", alpha=0.05)
        rl, rh = confint_proportions_2indep(xa, na, xb, nb, method="log", compare="ratio", alpha=0.05)
        pv = float(proportions_ztest([xa, xb], [na, nb])[1])
        pvals.append(pv)
        lines.append([p, xb, nb, xa, na, d, dl, dh, (xa / na) / (xb / nb), rl, rh, pv])
    holm = multipletests(np.array(pvals), method="holm")[1]
    for line, adj in zip(lines, holm):
        p, xb, nb, xa, na, *nums = line
        out.append(",".join([p, str(xb), str(nb), str(xa), str(na), *(fmt(v) for v in nums), fmt(adj)]))
    (HERE / "change_platform.csv").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
