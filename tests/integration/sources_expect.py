"""Independent computation of the deposit and expert metrics, written from
SPEC §3 (not from the daemon's SQL): each metric is a table, an event time,
a row filter and a value, and a centre figure includes its descendants
(the hierarchy is the trading source's, copied into a test-only table)."""
from decimal import Decimal
import urllib.parse

TZ = "Asia/Shanghai"
# metric: (table, event time, rows, value, labels (name -> column), kind)
METRICS = {
    "evaluations_count": ("evaluations", "started_at", "status = 'done'", "count(*)",
                          {"category": "category"}, "count"),
    "remote_evaluations_count": ("evaluations", "started_at", "status = 'done' AND remote", "count(*)",
                                 {"category": "category", "scope": "remote_scope", "role": "venue_role"},
                                 "count"),
    "expert_draws_count": ("assignments", "drawn_at", "true", "count(*)", {}, "count"),
    "expert_attended_count": ("assignments", "drawn_at", "attended", "count(*)", {}, "count"),
    "expert_fee_amount": ("assignments", "drawn_at", "true", "sum(fee_amount)", {}, "amount"),
    "expert_fee_online_amount": ("assignments", "drawn_at", "fee_paid_online", "sum(fee_amount)", {},
                                 "amount"),
    "expert_reviews_count": ("assignments", "drawn_at", "rating IS NOT NULL", "count(*)", {}, "count"),
    "expert_violations_count": ("assignments", "drawn_at", "violation", "count(*)", {}, "count"),
    "deposits_count": ("deposits", "received_at", "true", "count(*)",
                       {"category": "category", "kind": "kind"}, "count"),
    "deposit_amount": ("deposits", "received_at", "true", "sum(amount)",
                       {"category": "category", "kind": "kind"}, "amount"),
    "refunds_count": ("deposits", "refunded_at", "refunded_at IS NOT NULL", "count(*)",
                      {"category": "category", "kind": "kind"}, "count"),
    "refund_amount": ("deposits", "refunded_at", "refunded_at IS NOT NULL", "sum(refund_amount)",
                      {"category": "category", "kind": "kind"}, "amount"),
    "liquidity_released_amount": ("deposits", "received_at", "kind <> 'cash'", "sum(amount)",
                                  {"category": "category"}, "amount"),
}
RATES = {
    "remote_evaluation_rate": ("remote_evaluations_count", "evaluations_count", ["category"]),
    "expert_attendance_rate": ("expert_attended_count", "expert_draws_count", []),
}
LABEL_VALUES = {
    "category": ["engineering", "gov_procurement", "land_mineral", "state_property", "medical", "other"],
    "kind": ["cash", "e_guarantee", "e_commitment", "insurance"],
    "scope": ["intra_province", "cross_province"],
    "role": ["host", "guest"],
}

CLOSURE = """
WITH RECURSIVE closure(anc, des) AS (
    SELECT center_code, center_code FROM test_centers
    UNION
    SELECT cl.anc, c.center_code FROM closure cl JOIN test_centers c ON c.parent_code = cl.des
)"""


def expected(pg, db, metric, label=None, value=None):
    """{(root, year): Decimal}; root '*' is every centre."""
    table, at, rows, val, labels, _ = METRICS[metric]
    cond = rows
    if label:
        cond += " AND %s = '%s'" % (labels[label], value)
    sql = CLOSURE + """
    SELECT root, to_char(t.{at} AT TIME ZONE '{tz}', 'YYYY'), coalesce({val}, 0)
      FROM (SELECT cl.anc AS root, x.* FROM {table} x JOIN closure cl ON cl.des = x.center_code
            UNION ALL SELECT '*', x.* FROM {table} x) t
     WHERE {cond}
     GROUP BY 1, 2""".format(at=at, tz=TZ, val=val, table=table, cond=cond)
    return {(r[0], r[1]): Decimal(r[2]) for r in pg.rows(db, sql)}


def roots(pg, db):
    return ["*"] + [r[0] for r in pg.rows(db, "SELECT center_code FROM test_centers ORDER BY 1")]


def api_years(daemon, metric, years, root, label=None, value=None):
    q = {"metric": metric, "from": "%d-01-01" % years[0], "to": "%d-12-31" % years[-1], "step": "year"}
    if root != "*":
        q["center"] = root
    if label:
        q[label] = value
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    if status != 200:
        raise RuntimeError("series %s: %s %s" % (q, status, body))
    return {p["start"][:4]: p["value"] for p in body["points"]}


def fmt(kind, d):
    return int(d) if kind == "count" else str(d.quantize(Decimal("0.01")))


def compare(ck, daemon, pg, dbs, years, what):
    """dbs: metric table -> database. Every metric, every centre subtree,
    unfiltered and filtered by each value of each of its labels."""
    db_of = lambda m: dbs[METRICS[m][0]]
    for metric, (_, _, _, _, labels, kind) in METRICS.items():
        db = db_of(metric)
        filters = [(None, None)] + [(l, v) for l in labels for v in LABEL_VALUES[l]]
        rs = roots(pg, db)
        for label, value in filters:
            exp = expected(pg, db, metric, label, value)
            for root in rs:
                got = api_years(daemon, metric, years, root, label, value)
                for y in years:
                    ck.eq(got.get(str(y)), fmt(kind, exp.get((root, str(y)), Decimal(0))),
                          "%s %s %s=%s %s %d" % (what, metric, label, value, root, y))
    for rate, (num, den, labels) in RATES.items():
        db = db_of(num)
        for label, value in [(None, None)] + [(l, v) for l in labels for v in LABEL_VALUES[l]]:
            en = expected(pg, db, num, label, value)
            ed = expected(pg, db, den, label, value)
            for root in roots(pg, db):
                got = api_years(daemon, rate, years, root, label, value)
                for y in years:
                    n, d = en.get((root, str(y)), Decimal(0)), ed.get((root, str(y)), Decimal(0))
                    want = None if d == 0 else float(n / d)
                    g = got.get(str(y))
                    ck.true((g is None and want is None) or
                            (g is not None and want is not None and abs(g - want) <= 1e-12),
                            "%s %s %s=%s %s %d: got %r want %r" % (what, rate, label, value, root, y, g, want))
