"""Independent computation of the deposit and expert metrics, written from
SPEC §3 (not from the daemon's SQL): each metric is a table, an event time,
a row filter and a value, and a centre figure includes its descendants
(the hierarchy is the trading source's, copied into a test-only table)."""
from decimal import Decimal
import urllib.parse

import spec_metrics as sm

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
    "refunds_count": sm.DEPOSIT_SUMS["refunds_count"],
    "refund_amount": sm.DEPOSIT_SUMS["refund_amount"],
    "remitted_count": sm.DEPOSIT_SUMS["remitted_count"],
    "remitted_amount": sm.DEPOSIT_SUMS["remitted_amount"],
    "liquidity_released_amount": ("deposits", "received_at", "kind <> 'cash'", "sum(amount)",
                                  {"category": "category"}, "amount"),
}
RATES = {
    "remote_evaluation_rate": ("remote_evaluations_count", "evaluations_count", ["category"]),
    "expert_attendance_rate": ("expert_attended_count", "expert_draws_count", []),
    "expert_fee_online_rate": ("expert_fee_online_amount", "expert_fee_amount", []),
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


def closure(table):
    return CLOSURE.replace("test_centers", table)


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


def subtrees(pg, db, table="test_centers"):
    """{root: [codes of its subtree]} over TABLE's hierarchy, '*' -> None."""
    out = {"*": None}
    for anc, des in pg.rows(db, closure(table) + " SELECT anc, des FROM closure"):
        out.setdefault(anc, []).append(des)
    return out


def compare_extra(ck, daemon, rows, subtree, years, what, pool=True, trading=True):
    """The stocks (on each year's last day), the people counted once over
    each year and over each quarter of the first (not the sum of its
    months), and the remotely evaluated deals, per centre subtree, against
    spec_metrics; rows(db, sql) reaches the sources by kind. A metric whose
    relation or source is missing must be a 409, never 0."""
    deals = sm.remote_deals(rows) if trading else None
    for metric, kind in sm.KINDS.items():
        missing = (metric == "expert_pool_count" and not pool) or (metric in sm.REMOTE and not trading)
        for root, centers in subtree.items():
            q = {"metric": metric, "from": "%d-01-01" % years[0], "to": "%d-12-31" % years[-1],
                 "step": "year"}
            if root != "*":
                q["center"] = root
            status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
            if missing:
                ck.true(status == 409 and body["error"]["code"] == "metric_unavailable",
                        "%s %s %s: unavailable, not 0 (%s %s)" % (what, metric, root, status, body))
                break
            got = {p["start"][:4]: p["value"] for p in body["points"]} if status == 200 else {}
            for y in years:
                want = sm.value(rows, metric, "%d-01-01" % y, "%d-12-31" % y, centers, deals=deals)
                ck.eq(got.get(str(y)), fmt(kind, want), "%s %s %s %d" % (what, metric, root, y))
    # A distinct count over a quarter is its people, not its months' sum.
    y = years[0]
    q = {"metric": "experts_participating_count", "from": "%d-01-01" % y, "to": "%d-03-31" % y}
    _, quarter = daemon.get("/api/v1/series?" + urllib.parse.urlencode(dict(q, step="quarter")))
    _, months = daemon.get("/api/v1/series?" + urllib.parse.urlencode(dict(q, step="month")))
    want = sm.distinct(rows, "experts_participating_count", q["from"], q["to"])
    ck.eq(quarter["points"][0]["value"], int(want), "%s people of %d-Q1" % (what, y))
    ck.true(sum(p["value"] for p in months["points"]) > want,
            "%s the months of %d-Q1 add up to more people than the quarter has (%s > %s)"
            % (what, y, [p["value"] for p in months["points"]], want))


# ---- the whole store, day by day, against the sources ----

# The trading metrics in the same form as METRICS (SPEC §3's table).
AWARDED = "status = 'awarded'"
TRADING_METRICS = {
    "deals_count": ("deals", "deal_at", AWARDED, "count(*)", {"category": "category"}, "count"),
    "deal_amount": ("deals", "deal_at", AWARDED, "sum(deal_amount)", {"category": "category"}, "amount"),
    "budget_amount": ("deals", "deal_at", AWARDED + " AND budget_amount IS NOT NULL", "sum(budget_amount)",
                      {"category": "category"}, "amount"),
    "savings_amount": ("deals", "deal_at", AWARDED + " AND budget_amount IS NOT NULL",
                       "sum(budget_amount - deal_amount)", {"category": "category"}, "amount"),
    "reserve_amount": ("deals", "deal_at", AWARDED + " AND reserve_price IS NOT NULL", "sum(reserve_price)",
                       {"category": "category"}, "amount"),
    "premium_amount": ("deals", "deal_at", AWARDED + " AND reserve_price IS NOT NULL",
                       "sum(deal_amount - reserve_price)", {"category": "category"}, "amount"),
    "fully_electronic_count": ("deals", "deal_at", AWARDED + " AND fully_electronic", "count(*)",
                               {"category": "category"}, "count"),
    "opened_count": ("deals", "deal_at", AWARDED + " AND opened_at IS NOT NULL", "count(*)",
                     {"category": "category"}, "count"),
    "remote_opening_count": ("deals", "deal_at", AWARDED + " AND opened_at IS NOT NULL AND remote_opening",
                             "count(*)", {"category": "category"}, "count"),
    "service_fee_amount": ("deals", "deal_at", AWARDED, "sum(service_fee)", {"category": "category"},
                           "amount"),
    "cancelled_count": ("deals", "deal_at", "status = 'cancelled'", "count(*)", {"category": "category"},
                        "count"),
}
# Base metrics only: liquidity_released_amount is derived at query time.
BASE_METRICS = dict(TRADING_METRICS, **{m: s for m, s in METRICS.items()
                                        if m != "liquidity_released_amount"})
STORE_LABELS = ("category", "kind", "scope", "role")


def tables_of(pg, db):
    return {r[0] for r in pg.rows(db, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}


def expected_buckets(pg, db, metrics=None):
    """{(metric, day, center, category, kind, scope, role): Decimal} over the
    tables of DB, for every base metric whose table is there, and the daily
    flows of the stocks whose table is there; zero figures left out (the
    store may or may not keep a zero row)."""
    out = {}
    tables = tables_of(pg, db)
    for metric, (_, table, *_rest) in ({} if metrics else sm.STOCKS).items():
        if table in tables:
            for (day, center, category, kind), v in sm.flows(lambda _db, sql: pg.rows(db, sql),
                                                            metric).items():
                out[(metric, day, center, category, kind, "", "")] = v
    for metric, (table, at, rows, val, labels, _) in (metrics or BASE_METRICS).items():
        if table not in tables:
            continue
        cols = ", ".join("coalesce(%s, '')" % labels[l] if l in labels else "''" for l in STORE_LABELS)
        sql = """SELECT to_char(({at} AT TIME ZONE '{tz}')::date, 'YYYY-MM-DD'), center_code, {cols},
                        coalesce({val}, 0)
                   FROM {table} WHERE {rows} GROUP BY 1, 2, 3, 4, 5, 6""".format(
            at=at, tz=TZ, cols=cols, val=val, table=table, rows=rows)
        for r in pg.rows(db, sql):
            v = Decimal(r[6])
            if v != 0:
                out[(metric,) + tuple(r[:6])] = v
    return out


def store_buckets(store_pg, store_db):
    """The same from the store, through its stable view ggzy_api.daily_values
    (whatever the tables under it), zero figures left out."""
    return {tuple(r[:7]): Decimal(r[7]) for r in store_pg.rows(
        store_db, "SELECT metric, to_char(day, 'YYYY-MM-DD'), center, category, kind, scope, role, value "
                  "FROM ggzy_api.daily_values WHERE value <> 0")}


def expected_remote(sources):
    """The remotely evaluated deals' figures per day and label set when the
    sources hold both deals and evaluations, else nothing."""
    where = {}
    for pg, db in sources:
        for t in tables_of(pg, db):
            where[t] = (pg, db)
    if "deals" not in where or "evaluations" not in where:
        return {}
    route = {"trading": where["deals"], "expert": where["evaluations"]}
    out = {}
    for day, center, category, scope, amount in sm.remote_deals(
            lambda db, sql: route[db][0].rows(route[db][1], sql)):
        for metric, v in (("remote_evaluated_deals_count", Decimal(1)),
                          ("remote_evaluated_deal_amount", amount)):
            key = (metric, day, center, category, "", scope, "")
            out[key] = out.get(key, Decimal(0)) + v
    return {k: v for k, v in out.items() if v != 0}


def compare_store(ck, store_pg, store_db, sources, what):
    """Every metric, day and label set of the store against the sources.
    sources: [(pg, db), ...]. Returns the number of figures compared."""
    want = {}
    for pg, db in sources:
        want.update(expected_buckets(pg, db))
    want.update(expected_remote(sources))
    got = store_buckets(store_pg, store_db)
    # One check per figure, so that a failure names it.
    for key in sorted(set(want) | set(got)):
        ck.eq(got.get(key), want.get(key), "%s: store %s" % (what, "/".join(key)))
    ck.true(len(want) > 100, "%s: the sources hold figures (%d)" % (what, len(want)))
    # The monthly totals (what reports read for whole months) are the
    # months of the same figures.
    want_months = {}
    for (metric, day, *labels), v in want.items():
        key = (metric, day[:7] + "-01", *labels)
        want_months[key] = want_months.get(key, Decimal(0)) + v
    got_months = {tuple(r[:7]): Decimal(r[7]) for r in store_pg.rows(
        store_db, "SELECT metric, to_char(month, 'YYYY-MM-DD'), center, category, kind, scope, role, "
                  "value FROM ggzy_api.monthly_values WHERE value <> 0")}
    for key in sorted(set(want_months) | set(got_months)):
        if want_months.get(key) != got_months.get(key):  # sums of a month may cancel to 0
            ck.eq(got_months.get(key), want_months.get(key) or None, "%s: monthly total %s"
                  % (what, "/".join(key)))
    ck.true(len(got_months) > 10, "%s: the store holds monthly totals (%d)" % (what, len(got_months)))
    return len(want)
