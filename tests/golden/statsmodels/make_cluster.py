"""Makes tests/golden/statsmodels/cluster_platform.csv: cluster-robust standard errors of each
platform's compliance rate, by statsmodels (an independent implementation).

    pip install statsmodels==0.14.5 && python tests/golden/statsmodels/make_cluster.py

The requests are the embedded sample's (platform, the folded account, status, agency): y = 1 for
removed or restricted (pending counted against: takedowns' default). For each platform,
statsmodels fits ``OLS(y, 1)`` with ``cov_type="cluster"`` (groups: the account, then the
agency); the intercept is the rate and its standard error the cluster-robust one (CR1).
"""

from __future__ import annotations

import pathlib

import numpy as np
import polars as pl
import statsmodels.api as sm

import takedowns as td

HERE = pathlib.Path(__file__).parent


def main() -> None:
    f = td.sample().to_polars()
    assert f["count"].max() == 1
    f = f.with_columns(pl.col("status").is_in(["removed", "restricted"]).cast(pl.Float64).alias("y"))
    out = ["platform,n,rate,clusters_account,se_account,clusters_agency,se_agency"]
    for platform in sorted(f["platform"].unique().to_list()):
        sub = f.filter(pl.col("platform") == platform)
        y = sub["y"].to_numpy()
        x = np.ones((len(y), 1))
        row = [platform, str(len(y))]
        rate = None
        for col in ("account_key", "agency"):
            groups = sub[col].cast(pl.Categorical).to_physical().to_numpy()
            fit = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": groups})
            rate = float(fit.params[0])
            if col == "account_key":
                row.append(repr(rate))
            row += [str(len(np.unique(groups))), repr(float(fit.bse[0]))]
        out.append(",".join(row))
    (HERE / "cluster_platform.csv").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
