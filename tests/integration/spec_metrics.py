"""SPEC §3's figures that are not sums of one table's rows per day, computed
independently of the daemon (from the spec's wording, not from its SQL):

  * stocks: deposits held and the expert pool on a day (received_at <= the
    day's end < refunded_at, refunded_at NULL for never);
  * distinct counts: the experts who attended an evaluation in a period,
    each counted once;
  * remotely evaluated deals: awarded deals with a remote evaluation that
    took place (done) of their deal_id, joined across the trading and the
    expert sources (in Python: the two may be on different servers); scope
    cross_province when any of those evaluations is.

Every function takes rows(db, sql) -> list of rows (text), db one of
"trading", "deposit", "expert", so that a test routes each to its server.
A centre filter is the list of the subtree's codes (None: every centre)."""
from decimal import Decimal

TZ = "Asia/Shanghai"

# metric: (db, table, start column, stop column, value, labels)
STOCKS = {
    "deposit_held_count": ("deposit", "deposits", "received_at", "refunded_at", "count(*)",
                           {"category": "category", "kind": "kind"}),
    "deposit_held_amount": ("deposit", "deposits", "received_at", "refunded_at", "sum(amount)",
                            {"category": "category", "kind": "kind"}),
    "expert_pool_count": ("expert", "experts", "enrolled_at", "left_at", "count(*)", {}),
}
# metric: (db, table, event time, rows, the person counted)
DISTINCT = {
    "experts_participating_count": ("expert", "assignments", "drawn_at", "attended", "expert_id"),
}
REMOTE = {"remote_evaluated_deals_count": "count", "remote_evaluated_deal_amount": "amount"}
# The sums SPEC §3 adds in issue 17 (same form as sources_expect.METRICS).
DEPOSIT_SUMS = {
    "refunds_count": ("deposits", "refunded_at", "refunded_at IS NOT NULL AND status = 'refunded'",
                      "count(*)", {"category": "category", "kind": "kind"}, "count"),
    "refund_amount": ("deposits", "refunded_at", "refunded_at IS NOT NULL AND status = 'refunded'",
                      "sum(refund_amount)", {"category": "category", "kind": "kind"}, "amount"),
    "remitted_count": ("deposits", "refunded_at",
                       "refunded_at IS NOT NULL AND status IN ('forfeited', 'remitted')", "count(*)",
                       {"category": "category", "kind": "kind"}, "count"),
    "remitted_amount": ("deposits", "refunded_at",
                        "refunded_at IS NOT NULL AND status IN ('forfeited', 'remitted')",
                        "sum(refund_amount)", {"category": "category", "kind": "kind"}, "amount"),
}
KINDS = {"deposit_held_count": "count", "deposit_held_amount": "amount", "expert_pool_count": "count",
         "experts_participating_count": "count", "remote_evaluated_deals_count": "count",
         "remote_evaluated_deal_amount": "amount"}


def _where(centers, flt, labels):
    cond = []
    if centers is not None:
        cond.append("center_code IN (%s)" % ",".join("'%s'" % c for c in centers))
    for k, v in (flt or {}).items():
        values = v if isinstance(v, (list, tuple)) else [v]
        cond.append("%s IN (%s)" % (labels[k], ",".join("'%s'" % x for x in values)))
    return cond


def stock(rows, metric, day, centers=None, flt=None):
    """The stock on DAY ('YYYY-MM-DD'): rows begun by the day's end and not
    stopped by it."""
    db, table, start, stop, val, labels = STOCKS[metric]
    end = "('%s'::date + 1)::timestamp AT TIME ZONE '%s'" % (day, TZ)
    cond = ["%s < %s" % (start, end), "(%s IS NULL OR %s >= %s)" % (stop, stop, end)]
    cond += _where(centers, flt, labels)
    sql = "SELECT coalesce(%s, 0) FROM %s WHERE %s" % (val, table, " AND ".join(cond))
    return Decimal(rows(db, sql)[0][0])


def distinct(rows, metric, frm, to, centers=None):
    """People counted once over the days FRM..TO."""
    db, table, at, cond, person = DISTINCT[metric]
    c = [cond, "(%s AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'" % (at, TZ, frm, to)]
    c += _where(centers, None, {})
    sql = "SELECT count(DISTINCT %s) FROM %s WHERE %s" % (person, table, " AND ".join(c))
    return Decimal(rows(db, sql)[0][0])


def remote_deals(rows):
    """[(day, center, category, scope, amount)] of the remotely evaluated deals."""
    evaluated = {r[0]: r[1] == "t" for r in rows("expert", """
        SELECT deal_id, bool_or(coalesce(remote_scope = 'cross_province', false))
          FROM evaluations WHERE status = 'done' AND remote AND deal_id IS NOT NULL
         GROUP BY deal_id""")}
    out = []
    for deal_id, day, center, category, amount in rows("trading", """
            SELECT deal_id, to_char((deal_at AT TIME ZONE '%s')::date, 'YYYY-MM-DD'), center_code,
                   category, deal_amount FROM deals WHERE status = 'awarded'""" % TZ):
        if deal_id in evaluated:
            out.append((day, center, category,
                        "cross_province" if evaluated[deal_id] else "intra_province", Decimal(amount)))
    return out


def remote(deals, metric, frm, to, centers=None, flt=None):
    """A remote_evaluated_* figure over FRM..TO from remote_deals()."""
    total = Decimal(0)
    for day, center, category, scope, amount in deals:
        if not (frm <= day <= to) or (centers is not None and center not in centers):
            continue
        labels = {"category": category, "scope": scope}
        if any(labels[k] not in (v if isinstance(v, (list, tuple)) else [v]) for k, v in (flt or {}).items()):
            continue
        total += 1 if metric == "remote_evaluated_deals_count" else amount
    return total


def value(rows, metric, frm, to, centers=None, flt=None, deals=None):
    """Any of this module's metrics over FRM..TO (a stock on TO)."""
    if metric in STOCKS:
        return stock(rows, metric, to, centers, flt)
    if metric in DISTINCT:
        return distinct(rows, metric, frm, to, centers)
    return remote(deals if deals is not None else remote_deals(rows), metric, frm, to, centers, flt)


def flows(rows, metric):
    """{(day, center, category, kind): Decimal} of a stock's daily net flow
    as SPEC's definition implies it (in on the start day, out on the later
    of the start and stop days), zero days left out: what the store's daily
    view holds for a stock."""
    db, table, start, stop, val, labels = STOCKS[metric]
    one = "1" if val == "count(*)" else val[len("sum("):-1]
    cat = "category" if "category" in labels else "''"
    kind = "kind" if "kind" in labels else "''"
    sql = """
        SELECT to_char(d, 'YYYY-MM-DD'), center_code, c, k, sum(v)
          FROM (SELECT ({start} AT TIME ZONE '{tz}')::date AS d, center_code, {cat} AS c,
                       {kind} AS k, {one} AS v
                  FROM {table}
                UNION ALL
                SELECT (greatest({stop}, {start}) AT TIME ZONE '{tz}')::date, center_code, {cat},
                       {kind}, -({one})
                  FROM {table} WHERE {stop} IS NOT NULL) x
         GROUP BY 1, 2, 3, 4""".format(start=start, stop=stop, tz=TZ, cat=cat, kind=kind, one=one,
                                       table=table)
    out = {}
    for r in rows(db, sql):
        v = Decimal(r[4])
        if v != 0:
            out[(r[0], r[1], r[2], r[3])] = v
    return out
