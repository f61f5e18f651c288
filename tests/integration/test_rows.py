"""GET /api/v1/rows (SPEC §11): the source rows behind a figure.

On demo data of the three sources (and the expert pool), for every metric
of /api/v1/metrics that is not a rate, over two periods (a year, and a
range that starts and ends inside months), unfiltered, for a centre with its
descendants, for a list of categories (category=a,b) and for both at once:

  * the rows of all pages add up exactly to the answer's value, the
    answer's count is the number of rows, and the value is the series
    API's figure and an independent computation over the source tables
    (spec_metrics, and the tables below written from SPEC §3);
  * for sums the ids are exactly the source rows the independent SQL
    selects; stocks and distinct counts list one row per deposit or person
    counted (their count is the figure);
  * no expert or bidder identity appears in any answer (only hashes).

Then: pages of 7 rows walked while a writer inserts, corrects and deletes
source rows and the daemon polls between pages — no row twice, every row
that exists throughout listed; CSV with its BOM adding up to the figure;
rates, limit=10001 and bad parameters refused with 400; a metric whose
relation the source lacks a 409, as in the series API."""
import csv
import io
import json
import os
import re
import sys
import tempfile
import urllib.parse
import urllib.request
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     SOURCE_DIR)
import sources_expect as se
import spec_metrics as sm

TZ = "Asia/Shanghai"
PERIODS = [("2021-01-01", "2021-12-31"), ("2022-02-11", "2022-09-30")]
CENTER = "433100"
CATEGORIES = ["engineering", "medical"]
KEYS = {"deals": "deal_id", "evaluations": "evaluation_id", "assignments": "assignment_id",
        "deposits": "deposit_id"}
DB_OF = {"deals": "trading", "evaluations": "expert", "assignments": "expert",
         "deposits": "deposit"}

# The trading sums of SPEC §3 as (table, event time, rows, value of a row,
# labels); the deposit and expert ones are sources_expect's.
AW = "status = 'awarded'"
SUMS = {
    "deals_count": ("deals", "deal_at", AW, "1", {"category": "category"}),
    "deal_amount": ("deals", "deal_at", AW, "deal_amount", {"category": "category"}),
    "budget_amount": ("deals", "deal_at", AW + " AND budget_amount IS NOT NULL", "budget_amount",
                      {"category": "category"}),
    "savings_amount": ("deals", "deal_at", AW + " AND budget_amount IS NOT NULL",
                       "budget_amount - deal_amount", {"category": "category"}),
    "reserve_amount": ("deals", "deal_at", AW + " AND reserve_price IS NOT NULL", "reserve_price",
                       {"category": "category"}),
    "premium_amount": ("deals", "deal_at", AW + " AND reserve_price IS NOT NULL",
                       "deal_amount - reserve_price", {"category": "category"}),
    "fully_electronic_count": ("deals", "deal_at", AW + " AND fully_electronic", "1",
                               {"category": "category"}),
    "opened_count": ("deals", "deal_at", AW + " AND opened_at IS NOT NULL", "1",
                     {"category": "category"}),
    "remote_opening_count": ("deals", "deal_at",
                             AW + " AND opened_at IS NOT NULL AND remote_opening", "1",
                             {"category": "category"}),
    "service_fee_amount": ("deals", "deal_at", AW, "service_fee", {"category": "category"}),
    "cancelled_count": ("deals", "deal_at", "status = 'cancelled'", "1", {"category": "category"}),
}
for _m, (_t, _at, _rows, _val, _labels, _k) in se.METRICS.items():
    _one = "1" if _val == "count(*)" else _val[len("sum("):-1]
    SUMS[_m] = (_t, _at, _rows, _one, _labels)


class Sources:
    def __init__(self, pg):
        self.pg = pg

    def rows(self, db, sql):
        return self.pg.rows(db, sql)


def walk(daemon, metric, frm, to, center=None, flt=None, limit=300, fmt=None):
    """Every page of the rows of a figure: (first answer, all rows)."""
    q = {"metric": metric, "from": frm, "to": to, "limit": str(limit)}
    if center:
        q["center"] = center
    q.update({k: ",".join(v) for k, v in (flt or {}).items()})
    first, rows, after = None, [], None
    for _ in range(10000):
        qq = dict(q, **({"after": after} if after else {}))
        status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(qq))
        if status != 200:
            raise RuntimeError("rows %s: %s %s" % (qq, status, body))
        first = first or body
        rows += body["rows"]
        after = body["next"]
        if not after:
            return first, rows
    raise RuntimeError("rows %s: no end of pages" % q)


def series_figure(daemon, metric, frm, to, center=None, flt=None):
    q = {"metric": metric, "from": frm, "to": to, "step": "year"}
    if center:
        q["center"] = center
    q.update({k: ",".join(v) for k, v in (flt or {}).items()})
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    if status != 200 or len(body["points"]) != 1:
        raise RuntimeError("series %s: %s %s" % (q, status, body))
    return body["points"][0]["value"]


def in_list(col, values):
    return "%s IN (%s)" % (col, ",".join("'%s'" % v for v in values))


def sum_rows(src, metric, frm, to, centers, flt):
    """{id: Decimal} of a sum's source rows with a value (SPEC §3)."""
    table, at, rows, one, labels = SUMS[metric]
    cond = [rows, "(%s AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'" % (at, TZ, frm, to),
            "(%s) <> 0" % one]
    if metric == "liquidity_released_amount":
        labels = dict(labels, kind="kind")
    if centers is not None:
        cond.append(in_list("center_code", centers))
    for k, v in (flt or {}).items():
        cond.append(in_list(labels[k], v))
    sql = "SELECT %s, %s FROM %s WHERE %s" % (KEYS[table], one, table, " AND ".join(cond))
    return {r[0]: Decimal(r[1]) for r in src.rows(DB_OF[table], sql)}


def held_ids(src, to, centers, flt):
    end = "('%s'::date + 1)::timestamp AT TIME ZONE '%s'" % (to, TZ)
    cond = ["received_at < %s" % end, "(refunded_at IS NULL OR refunded_at >= %s)" % end]
    if centers is not None:
        cond.append(in_list("center_code", centers))
    for k, v in (flt or {}).items():
        cond.append(in_list(k, v))
    return {r[0] for r in src.rows("deposit", "SELECT deposit_id FROM deposits WHERE %s"
                                   % " AND ".join(cond))}


def eq_set(ck, got, want, what):
    """Sets (or dicts) compared, the failure naming only what differs."""
    got, want = dict(got) if isinstance(got, dict) else {k: True for k in got}, \
        dict(want) if isinstance(want, dict) else {k: True for k in want}
    diff = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
    ck.eq(["%s: %s, want %s" % (k, got.get(k), want.get(k)) for k in diff[:5]], [],
          "%s (%d differ)" % (what, len(diff)))


def fmt(kind, d):
    return int(d) if kind == "count" else str(d.quantize(Decimal("0.01")))


def add(kind, rows):
    total = Decimal(0)
    for r in rows:
        total += Decimal(r["value"]) if kind == "amount" else r["value"]
    return fmt(kind, total)


def check_metric(ck, daemon, src, cat, m, subtree, deals):
    name, kind, labels = m["name"], m["kind"], [l for l in m["labels"]]
    filters = [(None, None), (CENTER, None)]
    if "category" in labels:
        filters += [(None, {"category": CATEGORIES}), (CENTER, {"category": CATEGORIES})]
    for frm, to in PERIODS:
        for center, flt in filters:
            what = "%s %s..%s center=%s %s" % (name, frm, to, center, flt)
            first, rows = walk(daemon, name, frm, to, center, flt)
            ck.eq((first["metric"], first["from"], first["to"]), (name, frm, to), what + " echo")
            ck.eq(first["count"], len(rows), what + ": count is the number of rows")
            ck.eq(add(kind, rows), first["value"], what + ": the rows add up to the value")
            ck.eq(first["value"], series_figure(daemon, name, frm, to, center, flt),
                  what + ": value is the series API's")
            ids = [(r["source"], r["id"]) for r in rows]
            ck.eq(len(set(ids)), len(ids), what + ": no row twice")
            for r in rows[:50]:
                ck.true(frm <= r["day"] <= to or m["total"] == "stock",
                        "%s: day %s outside the period" % (what, r["day"]))
                if center:
                    ck.true(r["center"] in subtree, "%s: centre %s" % (what, r["center"]))
                for k, v in (flt or {}).items():
                    ck.true(r[k] in v, "%s: %s %s" % (what, k, r[k]))
                ck.eq(sorted(r), sorted(["source", "id", "day", "value"] + labels),
                      what + ": row fields")
            centers = subtree if center else None
            if name in SUMS:
                want = sum_rows(src, name, frm, to, centers, flt)
                ck.eq(first["value"], fmt(kind, sum(want.values(), Decimal(0))),
                      what + ": value is the independent sum")
                eq_set(ck, {r["id"]: Decimal(str(r["value"])) for r in rows}, want,
                       what + ": the rows are the source rows")
            else:
                want = sm.value(src.rows, name, frm, to, centers, flt, deals)
                ck.eq(first["value"], fmt(kind, want), what + ": value is spec_metrics'")
            if name in ("deposit_held_count", "deposit_held_amount"):
                eq_set(ck, {r["id"] for r in rows}, held_ids(src, to, centers, flt),
                       what + ": the deposits held on 'to'")
            if name in ("deposit_held_count", "expert_pool_count", "experts_participating_count"):
                ck.eq(len(rows), first["value"], what + ": one row per one counted")
                ck.true(all(r["value"] == 1 for r in rows), what + ": each counts 1")
            if name == "experts_participating_count" or name == "expert_pool_count":
                ck.true(all(re.fullmatch(r"[0-9a-f]{64}", r["id"]) for r in rows),
                        what + ": people as hashes")
            cat.append(json.dumps(first, ensure_ascii=False))
            cat.append(json.dumps(rows, ensure_ascii=False))


def paginate_while_writing(ck, daemon, pg):
    """Pages of 7 while deposits are inserted, corrected and deleted between
    them, each change polled: no row twice, every row that exists throughout
    listed once."""
    q = {"metric": "deposit_amount", "from": "2021-03-01", "to": "2021-04-30", "center": CENTER,
         "limit": "7"}
    status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(dict(q, limit="10000")))
    before = [r["id"] for r in body["rows"]]
    # Every third row keeps existing (its amount corrected); others may go.
    kept = set(before[::3])
    deletable = [i for i in before if i not in kept]
    seen, after, pages, n = [], None, 0, 0
    while True:
        qq = dict(q, **({"after": after} if after else {}))
        status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(qq))
        if status != 200:
            ck.true(False, "page %d: %s %s" % (pages, status, body))
            return
        pages += 1
        ck.true(len(body["rows"]) <= 7, "page of at most 7")
        seen += [r["id"] for r in body["rows"]]
        after = body["next"]
        if not after:
            break
        # Rows before and after the cursor appear, others go, kept ones
        # change their amount; then a poll commits it all.
        n += 1
        gone = deletable[n % len(deletable)] if deletable else None
        pg.psql("deposit", """
            INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind,
                                  amount, received_at, status)
            VALUES ('B0 new %(n)d', NULL, '433100', 'engineering', 'C999', 'cash', 12.34,
                    '2021-03-15 10:00+08', 'held'),
                   ('B999 new %(n)d', NULL, '433101', 'medical', 'C998', 'cash', 56.78,
                    '2021-04-15 10:00+08', 'held');
            UPDATE deposits SET amount = amount + 0.01, updated_at = now()
             WHERE deposit_id IN (%(kept)s);
            DELETE FROM deposits WHERE deposit_id = '%(gone)s';
        """ % {"n": n, "kept": ",".join("'%s'" % k for k in sorted(kept)[:5]), "gone": gone})
        if gone:
            deletable.remove(gone)
        daemon.refresh()
    ck.true(pages >= 5, "pages walked: %d" % pages)
    ck.eq(len(seen), len(set(seen)), "no row on two pages (%d rows, %d pages)" % (len(seen), pages))
    ck.eq(sorted(kept - set(seen)), [], "rows that existed throughout are all listed")
    status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(dict(q, limit="10000")))
    ck.eq(add("amount", body["rows"]), series_figure(daemon, "deposit_amount", q["from"], q["to"],
                                                     CENTER), "after the writes: rows = figure")


def check_csv(ck, daemon):
    q = {"metric": "deal_amount", "from": "2021-01-01", "to": "2021-12-31",
         "category": ",".join(CATEGORIES), "limit": "10000"}
    status, js = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(q))
    url = "http://127.0.0.1:%d/api/v1/rows?%s" % (daemon.port,
                                                   urllib.parse.urlencode(dict(q, format="csv")))
    with urllib.request.urlopen(url, timeout=60) as r:
        raw, ctype = r.read(), r.headers.get("Content-Type")
        hdr = {k: r.headers.get(k) for k in ("X-Rows-Value", "X-Rows-Count", "X-Rows-Next")}
    ck.eq(ctype, "text/csv; charset=utf-8", "CSV content type")
    ck.true(raw.startswith(b"\xef\xbb\xbf"), "CSV starts with a BOM")
    lines = raw[3:].decode("utf-8").split("\r\n")
    ck.eq(lines[0], "source,id,day,center,category,value", "CSV header")
    body = [l.split(",") for l in lines[1:] if l]
    ck.eq(len(body), js["count"], "CSV: one line per row")
    ck.eq(str(sum((Decimal(l[-1]) for l in body), Decimal(0))), js["value"], "CSV adds up")
    ck.eq(hdr, {"X-Rows-Value": js["value"], "X-Rows-Count": str(js["count"]),
                "X-Rows-Next": None}, "CSV headers")
    ck.eq([l[1] for l in body], [r["id"] for r in js["rows"]], "CSV rows are the JSON rows")
    # A CSV page with a next page says so in a header.
    with urllib.request.urlopen(url.replace("limit=10000", "limit=5"), timeout=60) as r:
        ck.true(r.headers.get("X-Rows-Next") is not None, "CSV X-Rows-Next")
        ck.eq(len(r.read().decode("utf-8-sig").split("\r\n")), 7, "5 rows, header, end")


def check_csv_formulas(ck, daemon, pg):
    """A source row whose key a spreadsheet would take for a formula is
    listed as a text (an apostrophe, quoted); a negative amount stays a
    number."""
    keys = ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)"]
    pg.psql("trading", "".join("""
        INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
                           reserve_price, deal_amount, deal_at, fully_electronic,
                           remote_opening, status, service_fee)
        VALUES ('%s', 'P-formula', '%s', 'engineering', 'open', 100, 100, -7.5,
                '2021-06-30 10:00+08', true, false, 'awarded', 0);
    """ % (k.replace("'", "''"), CENTER) for k in keys))
    daemon.refresh()
    q = {"metric": "deal_amount", "from": "2021-06-30", "to": "2021-06-30", "center": CENTER,
         "format": "csv", "limit": "10000"}
    url = "http://127.0.0.1:%d/api/v1/rows?%s" % (daemon.port, urllib.parse.urlencode(q))
    with urllib.request.urlopen(url, timeout=60) as r:
        text = r.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    by_id = {row[1]: row for row in rows[1:]}
    for k in keys:
        row = by_id.get("'" + k)
        ck.true(row is not None, "%s listed as the text '%s" % (k, k))
        if row:
            ck.eq(row[-1], "-7.50", "%s: its negative amount stays a number" % k)
    ck.true(not any(row[1] in keys for row in rows), "no key listed as a formula")


def check_refusals(ck, daemon):
    base = {"metric": "deal_amount", "from": "2021-01-01", "to": "2021-12-31"}
    # (query, status, code, whether the series API refuses it alike)
    cases = [
        (dict(base, metric="savings_rate"), 400, "bad_parameter", False),
        (dict(base, metric="e_bid_rate"), 400, "bad_parameter", False),
        (dict(base, limit="10001"), 400, "bad_parameter", False),
        (dict(base, limit="0"), 400, "bad_parameter", False),
        (dict(base, limit="7x"), 400, "bad_parameter", False),
        (dict(base, after="not a cursor"), 400, "bad_parameter", False),
        (dict(base, after="WzEsMiwzXQ"), 400, "bad_parameter", False),  # [1,2,3]
        (dict(base, format="md"), 400, "bad_parameter", False),
        (dict(base, step="day"), 400, "unknown_parameter", False),
        (dict(base, metric="no_such"), 400, "unknown_metric", True),
        (dict(base, **{"from": "2021-13-01"}), 400, "bad_parameter", True),
        (dict(base, **{"from": "2022-01-01"}), 400, "bad_parameter", True),
        (dict(base, scope="cross_province"), 400, "unknown_label", True),
        (dict(base, category="engineering,,medical"), 400, "bad_parameter", True),
        ({"from": "2021-01-01", "to": "2021-12-31"}, 400, "missing_parameter", True),
    ]
    for q, st, code, alike in cases:
        status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(q))
        ck.eq((status, body["error"]["code"] if isinstance(body, dict) else body), (st, code),
              "refused: %s" % q)
        if alike:
            s2, b2 = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
            ck.eq((s2, b2["error"]["code"], b2["error"]["message"]),
                  (status, body["error"]["code"], body["error"]["message"]),
                  "the series API refuses alike: %s" % q)
    status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(
        dict(base, metric="savings_rate")))
    ck.true("savings_amount" in body["error"]["message"] and
            "budget_amount" in body["error"]["message"], "a rate names its two sums")
    # A value that cannot occur, a centre the store does not know: nothing.
    for q in (dict(base, category="no_such"), dict(base, center="999999")):
        status, body = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(q))
        ck.eq((status, body["value"], body["count"], body["rows"], body["next"]),
              (200, "0.00", 0, [], None), "nothing: %s" % q)
    # Chinese names as in the series API.
    a = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(dict(base, category="工程建设")))[1]
    b = daemon.get("/api/v1/rows?" + urllib.parse.urlencode(dict(base, category="engineering")))[1]
    ck.eq(a, b, "category=工程建设 is engineering")


def main():
    ck = Checker("test_rows")
    pg = PgServer("rows")
    work = work_dir("rows")
    daemon = None
    try:
        for db in ("trading", "expert", "deposit", "store"):
            pg.createdb(db)
        pg.psql("trading", source_sql("trading.sql"))
        pg.psql("expert", source_sql("expert.sql"))
        pg.psql("expert", source_sql("expert_pool.sql"))
        pg.psql("deposit", source_sql("deposit.sql"))
        demo = os.path.join(SOURCE_DIR, "deploy", "demo")
        for db, f, rows in (("trading", "trading_data.sql", 1500), ("expert", "expert_data.sql", 500),
                            ("expert", "expert_pool_data.sql", None),
                            ("deposit", "deposit_data.sql", 2000)):
            with open(os.path.join(demo, f)) as fh:
                pg.psql(db, ("\\set rows %d\n" % rows if rows else "") + fh.read())
        port = free_port()
        cfg = config_text(port, pg.conninfo("store"),
                          {"trading": pg.conninfo("trading"), "expert": pg.conninfo("expert"),
                           "deposit": pg.conninfo("deposit")})
        cfg_path = os.path.join(work, "once.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        code, _, err = run_daemon(cfg_path, "--once")
        ck.eq(code, 0, "--once (%s)" % err[-500:])
        daemon = Daemon(work, cfg)
        daemon.start()

        src = Sources(pg)
        subtree = se.subtrees(pg, "trading", "centers")[CENTER]
        deals = sm.remote_deals(src.rows)
        ck.true(len(deals) > 10, "remotely evaluated deals: %d" % len(deals))
        status, catalog = daemon.get("/api/v1/metrics")
        metrics = [m for m in catalog["metrics"] if m["total"] != "ratio"]
        ck.true(len(metrics) >= 30, "metrics with rows: %d" % len(metrics))
        answers = []
        for m in metrics:
            ck.true(m["available"], "%s available" % m["name"])
            check_metric(ck, daemon, src, answers, m, subtree, deals)

        # Identities: none of the source's expert or bidder ids in any answer.
        people = {r[0] for r in pg.rows("expert", "SELECT expert_id FROM assignments UNION "
                                                  "SELECT expert_id FROM experts")}
        people |= {r[0] for r in pg.rows("deposit", "SELECT bidder_id FROM deposits")}
        text = "\n".join(answers)
        tokens = set(re.findall(r"[A-Za-z0-9_]+", text))
        ck.eq(sorted(people & tokens)[:5], [], "no expert or bidder identity in the answers")
        ck.true(len(text) > 100000, "answers looked at: %d bytes" % len(text))

        check_csv(ck, daemon)
        check_csv_formulas(ck, daemon, pg)
        check_refusals(ck, daemon)
        paginate_while_writing(ck, daemon, pg)

        # A source without the optional relation experts: the pool is
        # unavailable, a 409 like the series API's, never an empty list.
        pg.psql("expert", "DROP TABLE experts")
        daemon.stop()
        daemon = Daemon(work, cfg)
        daemon.start()
        q = urllib.parse.urlencode({"metric": "expert_pool_count", "from": "2021-01-01",
                                    "to": "2021-12-31"})
        st, body = daemon.get("/api/v1/rows?" + q)
        st2, body2 = daemon.get("/api/v1/series?" + q)
        ck.eq((st, body.get("error", {}).get("code")), (409, "metric_unavailable"),
              "an unavailable metric: 409")
        ck.eq(body, body2, "the same 409 as the series API")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
