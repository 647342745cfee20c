"""Larger than memory: a DSA statements-of-reasons dump scanned under a memory cap.

Writes a synthetic dump in the Commission's layout (``sor-global-<date>-light.zip``: a zip of
zipped CSV parts of ``--part-rows`` rows each, the light header, the database's codes; values
drawn at random, uuids repeated across parts, which a scan does not check), then runs, each in a
fresh subprocess:

- ``scan``: ``td.sources.scan("dsa-sor", zip)`` (the zip unpacked to ``TMPDIR``, a buffer at a
  time) and statements per month of application by platform, then terrorist-content keywords by
  platform: wall time of each and peak RSS;
- ``read``: ``td.sources.read("dsa-sor", ...)``, which loads every row.

With ``--cap-gb`` (root, cgroup v1 memory controller) both run inside a cgroup whose memory is
capped: the scan finishes under the cap, the read is killed by it. ``--read-rows`` times the read
uncapped on that many rows (its memory per row, to set beside the cap).

    python benches/dsa_scan.py --rows 20000000 --cap-gb 2 --read-rows 1000000
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import resource
import subprocess
import sys
import time
import zipfile

HEADER = (
    "uuid,decision_visibility,decision_visibility_other,end_date_visibility_restriction,decision_monetary,"
    "decision_monetary_other,end_date_monetary_restriction,decision_provision,end_date_service_restriction,"
    "decision_account,end_date_account_restriction,account_type,decision_ground,decision_ground_reference_url,"
    "illegal_content_legal_ground,incompatible_content_ground,incompatible_content_illegal,category,"
    "category_addition,category_specification,category_specification_other,content_type,content_type_other,"
    "content_language,content_date,content_id_ean,application_date,source_type,source_identity,"
    "automated_detection,automated_decision,platform_name,platform_uid,created_at"
)
PLATFORMS = ["TikTok", "Facebook", "Instagram", "X", "YouTube", "Google Shopping", "Pinterest", "Snapchat"]
CATEGORIES = [
    "STATEMENT_CATEGORY_SCAMS_AND_FRAUD",
    "STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH",
    "STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY",
    "STATEMENT_CATEGORY_PROTECTION_OF_MINORS",
    "STATEMENT_CATEGORY_OTHER_VIOLATION_TC",
]
VISIBILITY = [
    "DECISION_VISIBILITY_CONTENT_REMOVED",
    "DECISION_VISIBILITY_CONTENT_DISABLED",
    "DECISION_VISIBILITY_CONTENT_DEMOTED",
    "DECISION_VISIBILITY_CONTENT_LABELLED",
]
SOURCES = ["SOURCE_VOLUNTARY", "SOURCE_ARTICLE_16", "SOURCE_TRUSTED_FLAGGER", "SOURCE_TYPE_OTHER_NOTIFICATION"]


def q(s: str) -> str:
    """PHP fputcsv quoting: fields with a quote, comma or space are quoted, quotes doubled."""
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in '", ') else s


def part(rows: int, seed: int) -> bytes:
    rnd = random.Random(seed)
    out = [HEADER]
    for i in range(rows):
        day = rnd.randrange(1, 29)
        content = f"2025-0{rnd.randrange(1, 7)}-{day:02d} 00:00:00"
        applied = f"2025-07-{day:02d} 00:00:00"
        account = "DECISION_ACCOUNT_SUSPENDED" if rnd.random() < 0.05 else ""
        vis = q(f'["{rnd.choice(VISIBILITY)}"]') if not account or rnd.random() < 0.5 else ""
        keywords = q('["KEYWORD_TERRORIST_CONTENT"]') if rnd.random() < 0.02 else ""
        out.append(
            ",".join(
                [
                    f"{seed:08x}-0000-4000-8000-{i:012x}",
                    vis, "", "", "", "", "", "", "", account, "", "",
                    "DECISION_GROUND_INCOMPATIBLE_CONTENT", "", "", "", "",
                    rnd.choice(CATEGORIES), "", keywords, "",
                    q('["CONTENT_TYPE_TEXT"]'), "", "EN", q(content), "", q(applied),
                    rnd.choice(SOURCES), "", rnd.choice(["Yes", "No"]), "AUTOMATED_DECISION_FULLY",
                    q(rnd.choice(PLATFORMS)), f"fake-{i}", q(f"2025-07-{day:02d} 10:00:00"),
                ]
            )
        )  # fmt: skip
    return ("\n".join(out)).encode()


def make(path: str, rows: int, part_rows: int) -> None:
    """The dump: inner zips of 10 parts each, stored in the outer zip, as the Commission nests them."""
    n_parts = -(-rows // part_rows)
    template = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as outer:
        for first in range(0, n_parts, 10):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1, allowZip64=True) as inner:
                for k in range(first, min(first + 10, n_parts)):
                    size = min(part_rows, rows - k * part_rows)
                    # One part generated per size and repeated: a scan reads every byte alike.
                    if size not in template:
                        template[size] = part(size, seed=k)
                    inner.writestr(f"sor-global-2025-07-01-light-{first // 10:05d}-{k % 10:05d}.csv", template[size])
            outer.writestr(f"sor-global-2025-07-01-light-{first // 10:05d}.csv.zip", buf.getvalue())


def child(work: str, path: str) -> None:
    import takedowns as td

    out: dict[str, object] = {}
    start = time.perf_counter()
    if work == "scan":
        scan = td.sources.scan("dsa-sor", path)
        out["unpack_s"] = time.perf_counter() - start
        t = time.perf_counter()
        monthly = scan.trend("month", by="platform", on="actioned_at")
        out["trend_s"] = time.perf_counter() - t
        t = time.perf_counter()
        terror = scan.trend("year", by=["platform", "terrorist_content"], on="actioned_at")
        out["keywords_s"] = time.perf_counter() - t
        rep = scan.last_report or {}
        out["rows_read"] = rep.get("rows_read")
        out["rows_rejected"] = rep.get("rows_rejected")
        out["statements"] = int(monthly["requests"].sum())
        out["terrorist"] = int(terror.filter(terror["terrorist_content"] == "yes")["requests"].sum())
    else:
        cases = td.sources.read("dsa-sor", path)
        out["read_s"] = time.perf_counter() - start
        out["rows_read"] = cases.load_report["rows_read"]
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def capped(cmd: list[str], cap_gb: float | None) -> subprocess.CompletedProcess[str]:
    if not cap_gb:
        return subprocess.run(cmd, capture_output=True, text=True)
    cg = "/sys/fs/cgroup/memory/takedowns-bench"
    # A fresh group each run: a limit cannot be raised above the last swap limit in place.
    if os.path.isdir(cg):
        os.rmdir(cg)
    os.makedirs(cg)
    with open(f"{cg}/memory.limit_in_bytes", "w") as f:
        f.write(str(int(cap_gb * 2**30)))
    if os.path.exists(f"{cg}/memory.memsw.limit_in_bytes"):
        with open(f"{cg}/memory.memsw.limit_in_bytes", "w") as f:
            f.write(str(int(cap_gb * 2**30)))
    shell = f"echo $$ > {cg}/cgroup.procs && exec " + " ".join(f"'{c}'" for c in cmd)
    return subprocess.run(["sh", "-c", shell], capture_output=True, text=True)


def run(work: str, path: str, cap_gb: float | None) -> dict[str, object]:
    r = capped([sys.executable, __file__, "--child", work, path], cap_gb)
    if r.returncode != 0:
        killed = r.returncode in (-9, 137)
        return {
            "failed": "killed by the memory cap" if killed else r.stderr.strip().splitlines()[-1:],
            "code": r.returncode,
        }
    return json.loads(r.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=20_000_000)
    ap.add_argument("--part-rows", type=int, default=1_000_000)
    ap.add_argument("--dir", default="/tmp/takedowns-dsa-bench")
    ap.add_argument("--cap-gb", type=float, default=None)
    ap.add_argument("--read-rows", type=int, default=0)
    ap.add_argument("--child", nargs=2)
    a = ap.parse_args()
    if a.child:
        child(*a.child)
        return
    os.makedirs(a.dir, exist_ok=True)
    dump = os.path.join(a.dir, f"sor-global-{a.rows}-light.zip")
    if not os.path.exists(dump):
        t = time.perf_counter()
        make(dump, a.rows, a.part_rows)
        print(f"wrote {dump}: {os.path.getsize(dump) / 2**30:.2f} GiB zipped, {time.perf_counter() - t:.0f} s")
    print(f"{a.rows:,} statements; cap {a.cap_gb} GiB" if a.cap_gb else f"{a.rows:,} statements; no cap")
    print("scan:", json.dumps(run("scan", dump, a.cap_gb)))
    print("read:", json.dumps(run("read", dump, a.cap_gb)))
    if a.read_rows:
        small = os.path.join(a.dir, f"sor-global-{a.read_rows}-light.zip")
        if not os.path.exists(small):
            make(small, a.read_rows, a.part_rows)
        print(f"read of {a.read_rows:,}, no cap:", json.dumps(run("read", small, None)))
        print(f"scan of {a.read_rows:,}, no cap:", json.dumps(run("scan", small, None)))


if __name__ == "__main__":
    main()
