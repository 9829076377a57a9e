#!/usr/bin/env python3
"""Generate the synthetic example data files in this folder.

Standard library only, fixed seed: running it again rewrites byte-identical
files. The outputs are committed next to this script so that the manifests in
examples/ validate (and can be evaluated and trained on) without running it.

    python3 examples/data/generate.py            # writes into examples/data/
    python3 examples/data/generate.py --out DIR  # writes somewhere else

Files:
  churn-2026-09.csv            monthly churn snapshot (end of September 2026)
  churn-2026-10.csv            monthly churn snapshot (end of October 2026)
  support-tickets-2026-10.jsonl  support tickets opened in October 2026

The churn label is drawn from a logistic model of plan, tenure, spend and
recent support load, so a model trained on one month scores clearly above
chance on the next.
"""

import argparse
import csv
import datetime as dt
import json
import math
import os
import random

SEED = 20261001

FIRST = ["ada", "ben", "carla", "dev", "elena", "farid", "grace", "hiro", "ines",
         "jonas", "kemi", "lars", "maya", "nikhil", "olga", "pablo", "quinn",
         "rosa", "sven", "tara", "umar", "vera", "wen", "ximena", "yusuf", "zoe"]
LAST = ["adams", "brandt", "costa", "dubois", "eriksen", "fischer", "garcia",
        "haddad", "ito", "jensen", "kowalski", "lopez", "moreau", "nakamura",
        "okafor", "petrov", "quintero", "rossi", "silva", "tanaka", "usman",
        "varga", "weber", "xu", "yilmaz", "zimmer"]
DOMAINS = ["example.com", "example.org", "mail.example.net", "corp.example.io"]

PLANS = [("free", 0.45), ("pro", 0.40), ("enterprise", 0.15)]

SNAPSHOTS = [
    # (file, snapshot date: the last day of the month)
    ("churn-2026-09.csv", dt.date(2026, 9, 30)),
    ("churn-2026-10.csv", dt.date(2026, 10, 31)),
]


def pick_weighted(rng, items):
    r = rng.random()
    acc = 0.0
    for value, weight in items:
        acc += weight
        if r < acc:
            return value
    return items[-1][0]


def months_between(start, end):
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def make_customers(rng, count):
    """A customer population signed up between 2021-01 and 2026-10."""
    first_day = dt.date(2021, 1, 1)
    last_day = dt.date(2026, 10, 28)
    span = (last_day - first_day).days
    customers = []
    for i in range(1, count + 1):
        # more recent sign-ups are more common (the product is growing)
        offset = int(span * (rng.random() ** 0.6))
        signup = first_day + dt.timedelta(days=offset)
        plan = pick_weighted(rng, PLANS)
        if plan == "free":
            base_spend = rng.choice([0.0, 0.0, 0.0, 4.99, 9.99])
        elif plan == "pro":
            base_spend = round(rng.uniform(29.0, 140.0), 2)
        else:
            base_spend = round(rng.uniform(400.0, 2400.0), 2)
        email = "%s.%s%d@%s" % (rng.choice(FIRST), rng.choice(LAST),
                                rng.randint(1, 99), rng.choice(DOMAINS))
        customers.append({
            "customer_id": "C%06d" % (100000 + i * 7),
            "signup_date": signup,
            "plan": plan,
            "base_spend": base_spend,
            "email": email,
            # a latent "engagement" the model can only see through its effects
            "engagement": rng.gauss(0.0, 1.0),
        })
    return customers


def churn_probability(plan, tenure, spend, tickets, engagement):
    z = -0.9
    z += {"free": 0.9, "pro": 0.0, "enterprise": -1.2}[plan]
    z -= 0.045 * tenure
    if plan == "pro":
        z -= 0.012 * (spend - 80.0)
    z += 0.45 * tickets
    z -= 0.8 * engagement
    return 1.0 / (1.0 + math.exp(-z))


def write_churn(rng, customers, tickets_by_customer, out_dir):
    gone = set()
    written = []
    for filename, snap in SNAPSHOTS:
        rows = []
        for c in customers:
            if c["signup_date"] > snap or c["customer_id"] in gone:
                continue
            tenure = months_between(c["signup_date"], snap)
            spend = c["base_spend"]
            if spend > 0:
                spend = round(spend * rng.uniform(0.85, 1.15), 2)
            tickets = tickets_by_customer.get((c["customer_id"], snap.month), 0)
            p = churn_probability(c["plan"], tenure, spend, tickets, c["engagement"])
            churned = rng.random() < p
            # about 2% of customers have no email on file
            email = "" if rng.random() < 0.02 else c["email"]
            updated = dt.datetime(snap.year, snap.month, 1, tzinfo=dt.timezone.utc) + dt.timedelta(
                seconds=rng.randint(0, (snap.day - 1) * 86400 + 86399))
            rows.append([
                c["customer_id"],
                c["signup_date"].isoformat(),
                c["plan"],
                str(tenure),
                "%.2f" % spend,
                email,
                updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "true" if churned else "false",
            ])
            if churned:
                gone.add(c["customer_id"])
        path = os.path.join(out_dir, filename)
        with open(path, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["customer_id", "signup_date", "plan", "tenure_months",
                        "monthly_spend", "email", "updated_at", "churned"])
            w.writerows(rows)
        written.append((path, len(rows)))
    return written


SUBJECTS = {
    "billing": ["Charged twice this month", "Invoice shows the wrong VAT number",
                "Cannot update credit card", "Refund for unused seats"],
    "bug": ["Export to CSV times out", "Dashboard does not load in Safari",
            "Webhook retries never stop", "Search returns stale results"],
    "how-to": ["How do I invite a teammate?", "Set up SSO with Okta",
               "Schedule a weekly report", "Connect the API from Python"],
    "account": ["Change the account owner", "Close my account",
                "Downgrade to the free plan", "Merge two workspaces"],
    "feature-request": ["Dark mode please", "Audit log export",
                        "More granular roles", "Slack notifications for alerts"],
}


def make_tickets(rng, customers, count):
    """Tickets opened in October 2026, plus per-customer counts for Sep/Oct."""
    active = [c for c in customers if c["signup_date"] <= dt.date(2026, 10, 31)]
    tickets = []
    counts = {}
    # September load only feeds the churn model; October load is written out too.
    for c in active:
        if c["signup_date"] <= dt.date(2026, 9, 30):
            k = 0
            while rng.random() < 0.18 + 0.08 * max(-c["engagement"], 0):
                k += 1
            counts[(c["customer_id"], 9)] = k
    start = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
    for i in range(1, count + 1):
        # customers with low engagement write more tickets
        c = max((rng.choice(active) for _ in range(2)), key=lambda x: -x["engagement"])
        key = (c["customer_id"], 10)
        counts[key] = counts.get(key, 0) + 1
        created = start + dt.timedelta(seconds=rng.randint(0, 30 * 86400 + 86399))
        category = pick_weighted(rng, [("billing", 0.25), ("bug", 0.3), ("how-to", 0.2),
                                       ("account", 0.15), ("feature-request", 0.1)])
        priority = pick_weighted(rng, [("low", 0.3), ("normal", 0.45), ("high", 0.2), ("urgent", 0.05)])
        channel = pick_weighted(rng, [("email", 0.45), ("chat", 0.35), ("phone", 0.1), ("web", 0.1)])
        messages = 1 + int(rng.expovariate(1 / 3.0))
        resolved = rng.random() < 0.88
        hours = round(rng.lognormvariate(2.0, 1.0), 1) if resolved else None
        satisfaction = None
        if resolved and rng.random() < 0.55:
            satisfaction = max(1, min(5, int(round(rng.gauss(4.1 - 0.03 * (hours or 0), 0.9)))))
        tickets.append({
            "ticket_id": None,  # numbered below, in order of creation
            "customer_id": c["customer_id"],
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "channel": channel,
            "priority": priority,
            "category": category,
            "subject": rng.choice(SUBJECTS[category]),
            "message_count": messages,
            "resolved": resolved,
            "resolution_hours": hours,
            "satisfaction": satisfaction,
        })
    tickets.sort(key=lambda t: t["created_at"])
    for i, t in enumerate(tickets, 1):
        t["ticket_id"] = "T-2026-10-%05d" % i
    return tickets, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default=os.path.dirname(os.path.abspath(__file__)),
                    help="output folder (default: the folder of this script)")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rng = random.Random(SEED)
    customers = make_customers(rng, 480)
    tickets, counts = make_tickets(rng, customers, 260)

    written = write_churn(rng, customers, counts, args.out)

    path = os.path.join(args.out, "support-tickets-2026-10.jsonl")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for t in tickets:
            f.write(json.dumps(t, separators=(",", ":")) + "\n")
    written.append((path, len(tickets)))

    for p, n in written:
        print("%-40s %4d rows %7d bytes" % (os.path.basename(p), n, os.path.getsize(p)))


if __name__ == "__main__":
    main()
