"""Independent computation of the trading figures over the source, written
from SPEC §3 without the daemon's SQL, and the comparison with the daemon's
series API."""
from decimal import Decimal
import urllib.parse

TZ = "Asia/Shanghai"
COUNTS = ["deals_count", "fully_electronic_count", "opened_count", "remote_opening_count",
          "cancelled_count"]
AMOUNTS = ["deal_amount", "budget_amount", "savings_amount", "reserve_amount", "premium_amount",
           "service_fee_amount"]
RATES = {"savings_rate": ("savings_amount", "budget_amount"),
         "premium_rate": ("premium_amount", "reserve_amount"),
         "e_bid_rate": ("fully_electronic_count", "deals_count"),
         "remote_opening_rate": ("remote_opening_count", "opened_count")}
CATEGORIES = ["engineering", "gov_procurement", "land_mineral", "state_property", "medical", "other"]

EXPECT_SQL = """
WITH RECURSIVE closure(anc, des) AS (
    SELECT center_code, center_code FROM centers
    UNION
    SELECT cl.anc, c.center_code FROM closure cl JOIN centers c ON c.parent_code = cl.des
),
d AS (
    SELECT deals.*, to_char(deal_at AT TIME ZONE '{tz}', '{fmt}') AS period,
           status = 'awarded' AS aw
      FROM deals
),
x AS (
    SELECT cl.anc AS root, d.* FROM d JOIN closure cl ON cl.des = d.center_code
    UNION ALL
    SELECT '*', d.* FROM d
)
SELECT root, coalesce(category, '*'), period,
       count(*) FILTER (WHERE aw),
       count(*) FILTER (WHERE aw AND fully_electronic),
       count(*) FILTER (WHERE aw AND opened_at IS NOT NULL),
       count(*) FILTER (WHERE aw AND opened_at IS NOT NULL AND remote_opening),
       count(*) FILTER (WHERE status = 'cancelled'),
       coalesce(sum(deal_amount) FILTER (WHERE aw), 0),
       coalesce(sum(budget_amount) FILTER (WHERE aw), 0),
       coalesce(sum(budget_amount - deal_amount) FILTER (WHERE aw AND budget_amount IS NOT NULL), 0),
       coalesce(sum(reserve_price) FILTER (WHERE aw), 0),
       coalesce(sum(deal_amount - reserve_price) FILTER (WHERE aw AND reserve_price IS NOT NULL), 0),
       coalesce(sum(service_fee) FILTER (WHERE aw), 0)
  FROM x
 GROUP BY GROUPING SETS ((root, category, period), (root, period))
"""


def expected(pg, db, fmt="YYYY"):
    """{(root, category, period): {metric: Decimal}}; root '*' is every
    centre, category '*' every category."""
    out = {}
    for row in pg.rows(db, EXPECT_SQL.format(tz=TZ, fmt=fmt)):
        key = (row[0], row[1], row[2])
        vals = {}
        for i, m in enumerate(COUNTS + AMOUNTS):
            vals[m] = Decimal(row[3 + i])
        out[key] = vals
    return out


def centers(pg, db):
    return [r[0] for r in pg.rows(db, "SELECT center_code FROM centers ORDER BY 1")]


def fmt_amount(d):
    return str(d.quantize(Decimal("0.01")))


def series(daemon, metric, frm, to, step, center=None, category=None, cumulative=False):
    q = {"metric": metric, "from": frm, "to": to, "step": step}
    if center:
        q["center"] = center
    if category:
        q["category"] = category
    if cumulative:
        q["cumulative"] = "1"
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    if status != 200:
        raise RuntimeError("series %s: %s %s" % (q, status, body))
    return body


def compare_years(ck, daemon, pg, db, years, label=""):
    """Every trading metric and rate, per centre subtree (and all), per
    category (and all), per year, against the independent computation."""
    exp = expected(pg, db)
    roots = ["*"] + centers(pg, db)
    frm, to = "%d-01-01" % years[0], "%d-12-31" % years[-1]
    for root in roots:
        for cat in ["*"] + CATEGORIES:
            per_year = {}
            for m in COUNTS + AMOUNTS + list(RATES):
                body = series(daemon, m, frm, to, "year", None if root == "*" else root,
                              None if cat == "*" else cat)
                per_year[m] = {p["start"][:4]: p["value"] for p in body["points"]}
            for y in years:
                e = exp.get((root, cat, str(y)))
                zero = {m: Decimal(0) for m in COUNTS + AMOUNTS}
                e = e or zero
                where = "%s %s/%s/%d" % (label, root, cat, y)
                for m in COUNTS:
                    ck.eq(per_year[m].get(str(y)), int(e[m]), "%s %s" % (where, m))
                for m in AMOUNTS:
                    ck.eq(per_year[m].get(str(y)), fmt_amount(e[m]), "%s %s" % (where, m))
                for rate, (num, den) in RATES.items():
                    got = per_year[rate].get(str(y))
                    want = None if e[den] == 0 else float(e[num] / e[den])
                    if want is None or got is None:
                        ck.eq(got, want, "%s %s" % (where, rate))
                    else:
                        ck.true(abs(got - want) <= 1e-12 * max(1.0, abs(want)),
                                "%s %s: got %r, want %r" % (where, rate, got, want))
    return exp


def mismatches(daemon, pg, db, years):
    """How many (centre, year) deal_amount/deals_count figures differ; used to
    show that a change really needs reconciliation."""
    exp = expected(pg, db)
    n = 0
    for root in ["*"] + centers(pg, db):
        for m in ("deals_count", "deal_amount"):
            body = series(daemon, m, "%d-01-01" % years[0], "%d-12-31" % years[-1], "year",
                          None if root == "*" else root)
            got = {p["start"][:4]: p["value"] for p in body["points"]}
            for y in years:
                e = exp.get((root, "*", str(y)), {}).get(m, Decimal(0))
                want = int(e) if m == "deals_count" else fmt_amount(e)
                n += got.get(str(y)) != want
    return n
