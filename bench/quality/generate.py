#!/usr/bin/env python3
"""Write a churn-like CSV for the quality benchmark and the DuckDB cross-check test.

    generate.py OUT.csv --rows N [--seed S]     (or --bytes B: stop after about B bytes)

Standard library only; the same seed and size give the same bytes. Columns follow
examples/data/churn-*.csv, with deliberate faults at small rates: null spellings (empty, NA,
N/A, NULL, null), duplicate and malformed ids, unknown plans, out-of-range and non-numeric
numbers, malformed emails (some quoted, with commas), bad dates, timestamps and booleans.
"""
import argparse
import random

HEADER = "customer_id,signup_date,plan,tenure_months,monthly_spend,email,updated_at,churned\n"
NULLS = ["", "NA", "N/A", "NULL", "null"]
FIRST = ["ana", "ben", "chen", "dara", "eli", "femi", "gita", "hiro", "ines", "jon", "kai", "lena", "maya", "noor", "omar",
         "pia", "quinn", "rosa", "sven", "tara", "uma", "vera", "wei", "xena", "yuki", "zoe"]
LAST = ["weber", "eriksen", "ito", "xu", "fischer", "silva", "okafor", "novak", "garcia", "kim", "smith", "rossi"]
DOMAINS = ["example.org", "corp.example.io", "mail.example.com"]
PLANS = ["free", "free", "free", "pro", "pro", "enterprise"]


def rows(rng, count, limit_bytes):
    r = rng.random
    written = len(HEADER)
    ids = []
    i = 0
    while (count is None or i < count) and (limit_bytes is None or written < limit_bytes):
        i += 1
        x = r()
        if x < 0.001 and ids:
            cid = rng.choice(ids)  # duplicate
        elif x < 0.0015:
            cid = "X%08d" % i  # bad format
        elif x < 0.002:
            cid = rng.choice(NULLS)
        else:
            cid = "C%08d" % i
        if len(ids) < 10000:
            ids.append(cid or "C00000000")
        signup = "%04d-%02d-%02d" % (rng.randint(2015, 2026), rng.randint(1, 12), rng.randint(1, 28))
        if r() < 0.0002:
            signup = "2026-02-30"
        x = r()
        plan = "trial" if x < 0.001 else (rng.choice(NULLS) if x < 0.0015 else rng.choice(PLANS))
        x = r()
        tenure = "-1" if x < 0.0005 else ("700" if x < 0.001 else ("abc" if x < 0.0012 else str(rng.randint(0, 120))))
        x = r()
        spend = "9999.50" if x < 0.0005 else ("n/a" if x < 0.0007 else "%.2f" % (r() * 3000))
        x = r()
        name = "%s.%s%d" % (rng.choice(FIRST), rng.choice(LAST), rng.randint(1, 99))
        if x < 0.02:
            email = rng.choice(NULLS)
        elif x < 0.025:
            email = name + " at " + rng.choice(DOMAINS)
        elif x < 0.027:
            email = '"%s, jr@%s"' % (name, rng.choice(DOMAINS))  # quoted, with a comma: still matches
        else:
            email = name + "@" + rng.choice(DOMAINS)
        updated = "2026-%02d-%02dT%02d:%02d:%02dZ" % (rng.randint(9, 10), rng.randint(1, 30), rng.randint(0, 23),
                                                       rng.randint(0, 59), rng.randint(0, 59))
        if r() < 0.0002:
            updated = "yesterday"
        x = r()
        churned = "maybe" if x < 0.0002 else ("true" if x < 0.2 else "false")
        line = ",".join((cid, signup, plan, tenure, spend, email, updated, churned)) + "\n"
        written += len(line)
        yield line


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--rows", type=int)
    parser.add_argument("--bytes", type=int)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.rows is None and args.bytes is None:
        parser.error("give --rows or --bytes")
    rng = random.Random(args.seed)
    with open(args.out, "w", newline="", buffering=1 << 20) as out:
        out.write(HEADER)
        batch = []
        for line in rows(rng, args.rows, args.bytes):
            batch.append(line)
            if len(batch) >= 10000:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))


if __name__ == "__main__":
    main()
