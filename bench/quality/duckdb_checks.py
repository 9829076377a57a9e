#!/usr/bin/env python3
"""The checks of bench/quality/rules.yaml computed by DuckDB in one query over a CSV.

    duckdb_checks.py FILE.csv [--threads N]

Prints a JSON object: rows and, per check name, the unexpected count (freshness: the newest
timestamp). Values are read as text; the null spellings are those of the quality engine
(empty, NA, N/A, NULL, null).
"""
import json
import sys

import duckdb

QUERY = r"""
WITH t AS (
  SELECT * FROM read_csv(?, header = true, all_varchar = true, nullstr = ['', 'NA', 'N/A', 'NULL', 'null'])
)
SELECT
  count(*) AS "rows",
  count(*) FILTER (WHERE email IS NULL) AS "email-present",
  count(customer_id) - count(DISTINCT customer_id) AS "id-unique",
  count(*) FILTER (WHERE customer_id IS NOT NULL AND NOT regexp_matches(customer_id, '^C[0-9]{8}$')) AS "id-format",
  count(*) FILTER (WHERE email IS NOT NULL AND NOT regexp_matches(email, '^[^@ ]+@[^@ ]+\.[a-z]+$')) AS "email-shape",
  count(*) FILTER (WHERE plan IS NOT NULL AND plan NOT IN ('free', 'pro', 'enterprise')) AS "plans",
  count(*) FILTER (WHERE tenure_months IS NOT NULL AND coalesce(TRY_CAST(tenure_months AS DOUBLE) NOT BETWEEN 0 AND 600, true)) AS "tenure",
  count(*) FILTER (WHERE monthly_spend IS NOT NULL AND coalesce(TRY_CAST(monthly_spend AS DOUBLE) NOT BETWEEN 0 AND 5000, true)) AS "spend",
  sum((signup_date IS NOT NULL AND TRY_CAST(signup_date AS DATE) IS NULL)::INT
    + (tenure_months IS NOT NULL AND TRY_CAST(tenure_months AS BIGINT) IS NULL)::INT
    + (monthly_spend IS NOT NULL AND TRY_CAST(monthly_spend AS DOUBLE) IS NULL)::INT
    + (updated_at IS NOT NULL AND TRY_CAST(updated_at AS TIMESTAMPTZ) IS NULL)::INT
    + (churned IS NOT NULL AND lower(churned) NOT IN ('true', 'false'))::INT) AS "types",
  strftime(max(TRY_CAST(updated_at AS TIMESTAMPTZ)) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS "fresh"
FROM t
"""


def main():
    path = sys.argv[1]
    con = duckdb.connect()
    if "--threads" in sys.argv:
        con.execute("SET threads = %d" % int(sys.argv[sys.argv.index("--threads") + 1]))
    con.execute("SET TimeZone = 'UTC'")
    cursor = con.execute(QUERY, [path])
    names = [d[0] for d in cursor.description]
    values = cursor.fetchone()
    print(json.dumps({n: (int(v) if isinstance(v, (int, float)) else v) for n, v in zip(names, values)}))


if __name__ == "__main__":
    main()
