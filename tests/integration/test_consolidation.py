"""Stores consolidated by PostgreSQL logical replication (SPEC §12): two
county stores, each filled by its own daemon from its own sources, publish
their figure tables (sql/replication/publisher.sql); a third store
subscribes to both (sql/replication/subscriber.sql, the hierarchy from the
province's); a daemon with no [source] serves it read-only, and every
figure it answers equals the sum over both counties' sources — sums,
people counted once, stocks, remotely evaluated deals — and follows a
change made in a county's source after the consolidation."""
import os
import sys
import tempfile
import time
import urllib.parse
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     wait_until, SOURCE_DIR)
import spec_metrics as sm

CENTERS_A = """INSERT INTO centers VALUES ('430000', '湖南省', NULL, 'province'),
    ('431001', '甲县', '430000', 'county'), ('431002', '乙县', '430000', 'county');"""
CENTERS_B = """INSERT INTO centers VALUES ('430000', '湖南省', NULL, 'province'),
    ('431002', '乙县', '430000', 'county');"""


def deals(center, n, base):
    return """INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount,
                   deal_at, fully_electronic, remote_opening, status, service_fee)
        SELECT 'D' || g, 'p', '{c}', 'engineering', 'open', {b} + g * 3.07,
               timestamptz '2021-01-01 10:00+08' + g * interval '5 days', true, false, 'awarded', 1
          FROM generate_series(1, {n}) g;""".format(c=center, n=n, b=base)


def experts(center, prefix):
    return """
        INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at, remote,
                                 remote_scope, venue_role, status)
        SELECT '{p}V' || g, 'D' || g, '{c}', 'engineering', '2021-02-01 10:00+08', g % 2 = 0,
               CASE WHEN g % 2 = 0 THEN 'intra_province' END, 'host', 'done'
          FROM generate_series(1, 10) g;
        INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at,
                                 attended, fee_amount, fee_paid_online, rating, violation)
        SELECT '{p}A' || g, '{p}V' || (1 + g % 10), 'X' || (g % 7), '{c}',
               '2021-02-01 09:00+08', true, 500, true, NULL, false
          FROM generate_series(1, 30) g;""".format(c=center, p=prefix)


def deposits(center, prefix):
    return """INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, amount,
                                received_at, refunded_at, refund_amount, status)
        SELECT '{p}' || g, '{c}', 'engineering', 'B' || g, 'cash', 1000 * g,
               timestamptz '2021-03-01 10:00+08' + g * interval '9 days',
               CASE WHEN g % 3 = 0 THEN timestamptz '2021-12-20 10:00+08' END,
               CASE WHEN g % 3 = 0 THEN 1000 * g END,
               CASE WHEN g % 3 = 0 THEN 'refunded' ELSE 'held' END
          FROM generate_series(1, 20) g;""".format(c=center, p=prefix)


def series(daemon, metric, center=None):
    q = {"metric": metric, "from": "2021-01-01", "to": "2021-12-31", "step": "year"}
    if center:
        q["center"] = center
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    return body["points"][0]["value"] if status == 200 and body["points"] else (status, body)


def main():
    ck = Checker("test_consolidation")
    logical = {"wal_level": "logical", "max_replication_slots": "10", "max_wal_senders": "10"}
    a = PgServer("consol-a", settings=logical)
    b = PgServer("consol-b", settings=logical)
    c = PgServer("consol-c")
    work = work_dir("consol")
    key = os.path.join(work, "identity.key")
    with open(key, "w") as f:  # one key for the stores whose people are counted together
        f.write("0123456789abcdef0123456789abcdef0123456789abcdef\n")
    os.chmod(key, 0o600)
    daemons = []
    try:
        # County A: trading, expert and deposit sources; county B: the same.
        for pg, centers, cc, p in ((a, CENTERS_A, "431001", "a"), (b, CENTERS_B, "431002", "b")):
            for db, contract in (("trading", "trading.sql"), ("expert", "expert.sql"),
                                 ("deposit", "deposit.sql")):
                pg.createdb(db)
                pg.psql(db, source_sql(contract))
            pg.psql("trading", centers + deals(cc, 40, 1000 if p == "a" else 2000))
            pg.psql("expert", experts(cc, p))
            pg.psql("deposit", deposits(cc, p))
            pg.createdb("store")
            sources = {"%s.%s" % (k, p): pg.conninfo(k) for k in ("trading", "expert", "deposit")}
            cfg = config_text(free_port(), pg.conninfo("store"), sources,
                              extra_daemon="identity_key_file = %s\n" % key)
            d = os.path.join(work, p)
            os.mkdir(d)
            daemon = Daemon(d, cfg, ["--now", "2022-03-01T10:00:00"])
            daemon.start()
            daemons.append(daemon)
            with open(os.path.join(SOURCE_DIR, "sql", "replication", "publisher.sql")) as f:
                pg.psql("store", f.read())
        # The consolidated store: a daemon with no source creates its schema.
        c.createdb("store")
        cfg = config_text(free_port(), c.conninfo("store"), {})
        d = os.path.join(work, "c")
        os.mkdir(d)
        serve = Daemon(d, cfg, ["--now", "2022-03-01T10:00:00"])
        serve.start()
        daemons.append(serve)
        sub = os.path.join(SOURCE_DIR, "sql", "replication", "subscriber.sql")
        for pg, name, hierarchy in ((a, "county_a", 1), (b, "county_b", 0)):
            with open(sub) as f:
                c.psql("store", "\\set name %s\n\\set conninfo '%s'\n\\set hierarchy %d\n%s"
                       % (name, pg.conninfo("store"), hierarchy, f.read()))

        def caught_up():
            want = sum(int(pg.rows("store", "SELECT count(*) FROM ggzy.image")[0][0]) for pg in (a, b))
            return int(c.rows("store", "SELECT count(*) FROM ggzy.image")[0][0]) == want and \
                c.rows("store", "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'") == [["0"]]
        wait_until(caught_up, timeout=90, what="both stores copied")

        wait_until(lambda: serve.get("/readyz")[0] == 200, timeout=30, what="the serve-only daemon ready")

        def check(what):
            for metric in ("deal_amount", "deals_count", "deposit_amount"):
                table, at, rows, val = {"deal_amount": ("deals", "deal_at", "status = 'awarded'", "sum(deal_amount)"),
                                        "deals_count": ("deals", "deal_at", "status = 'awarded'", "count(*)"),
                                        "deposit_amount": ("deposits", "received_at", "true", "sum(amount)")}[metric]
                db = "deposit" if table == "deposits" else "trading"
                want = sum(Decimal(pg.rows(db, "SELECT coalesce(%s, 0) FROM %s WHERE %s" % (val, table, rows))[0][0])
                           for pg in (a, b))
                got = series(serve, metric)
                ck.eq(str(got) if isinstance(got, int) else got,
                      str(int(want)) if metric == "deals_count" else str(want), "%s: %s of both" % (what, metric))
                for cc, pg in (("431001", a), ("431002", b)):
                    w = Decimal(pg.rows(db, "SELECT coalesce(%s, 0) FROM %s WHERE %s" % (val, table, rows))[0][0])
                    g = series(serve, metric, cc)
                    ck.eq(str(g), str(int(w)) if metric == "deals_count" else str(w), "%s: %s of %s" % (what, metric, cc))
            # A stock and the remotely evaluated deals add up over the
            # counties; people are counted once over both (one identity key).
            for metric in ("deposit_held_amount", "remote_evaluated_deal_amount"):
                want = sum(sm.value(pg.rows, metric, "2021-01-01", "2021-12-31") for pg in (a, b))
                ck.eq(series(serve, metric), str(want), "%s: %s of both" % (what, metric))
            people = set()
            for pg in (a, b):
                people |= {r[0] for r in pg.rows("expert", "SELECT DISTINCT expert_id FROM assignments "
                                                           "WHERE attended")}
            ck.eq(series(serve, "experts_participating_count"), len(people),
                  "%s: people of both counted once" % what)
        check("consolidated")
        status, body = serve.get("/api/v1/status")
        ck.eq(sorted(x["code"] for x in body["centers"]), ["430000", "431001", "431002"],
              "the province's hierarchy")
        status, report = serve.get("/api/v1/report?year=2021&center=430000")
        ck.eq(status, 200, "the province's report on the consolidated store")

        # A change in county B's source, polled by its daemon, reaches the
        # consolidated store and its answers.
        b.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 100.01 WHERE deal_id = 'D3'")
        daemons[1].refresh()
        want = sum(Decimal(pg.rows("trading", "SELECT sum(deal_amount) FROM deals WHERE status = 'awarded'")[0][0])
                   for pg in (a, b))
        wait_until(lambda: series(serve, "deal_amount") == str(want), timeout=30,
                   what="the change replicated and answered")
        check("after a change in county B")
        for d in daemons:
            ck.eq(d.stop(), 0, "clean exit")
        daemons = []
    finally:
        for d in daemons:
            d.stop()
        for pg in (c, a, b):  # subscriber first: its workers hold the publishers' slots
            pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
