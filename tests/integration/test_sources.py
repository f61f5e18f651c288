"""Deposit and expert collectors next to the trading one: every metric of
the two new sources against an independent SQL computation, after the load
and after corrections, refunds, remote-flag changes and deletions; a refund of
a deposit received last year moves only the refund series; one source stopped
while the others keep polling, each with its own ggzy_source_* series."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     wait_until, SOURCE_DIR)
import sources_expect as se

YEARS = [2021, 2022]


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def up(daemon, source):
    status, text = daemon.get("/metrics")
    m = re.search(r'^ggzy_source_up\{source="%s"\} (\d)$' % source, text, re.M)
    return m and m.group(1) == "1"


def main():
    ck = Checker("test_sources")
    main_pg = PgServer("sources")
    expert_pg = PgServer("expert")
    work = work_dir("sources")
    daemon = None
    try:
        load(main_pg, "trading", "trading.sql", "trading_data.sql", 500)
        load(main_pg, "deposit", "deposit.sql", "deposit_data.sql", 2500)
        load(expert_pg, "expert", "expert.sql", "expert_data.sql", 700)
        for pg, db in ((main_pg, "deposit"), (expert_pg, "expert")):
            rows = main_pg.rows("trading", "SELECT center_code, name, coalesce(parent_code, ''), level FROM centers")
            values = ",".join("('%s','%s',%s,'%s')" % (r[0], r[1], "NULL" if not r[2] else "'%s'" % r[2], r[3])
                              for r in rows)
            pg.psql(db, "CREATE TABLE test_centers (center_code text, name text, parent_code text, "
                        "level text); INSERT INTO test_centers VALUES %s" % values)
        main_pg.createdb("store")

        class Both:
            """Routes the expectation queries to the server holding each table."""
            def rows(self, db, sql):
                return (expert_pg if db == "expert" else main_pg).rows(db, sql)
        pg = Both()
        dbs = {"evaluations": "expert", "assignments": "expert", "deposits": "deposit"}

        port = free_port()
        opts = {s: {"interval": "1s", "reconcile_interval": "1h", "statement_timeout": "5s"}
                for s in ("trading", "deposit", "expert")}
        cfg = config_text(port, main_pg.conninfo("store"),
                          {"trading": main_pg.conninfo("trading"), "deposit": main_pg.conninfo("deposit"),
                           "expert": expert_pg.conninfo("expert")}, source_opts=opts)
        cfg_path = os.path.join(work, "once.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        daemon = Daemon(work, cfg)
        daemon.start()
        se.compare(ck, daemon, pg, dbs, YEARS, "initial")
        # No experts relation here: the pool is unavailable, never 0.
        subtree = se.subtrees(pg, "deposit")
        se.compare_extra(ck, daemon, pg.rows, subtree, YEARS, "initial", pool=False)

        # Corrections, refunds, remote-flag changes, deletions, late inserts.
        main_pg.psql("deposit", """
            INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, amount,
                                  received_at, status)
            VALUES ('OLD1', '433122', 'engineering', 'C1', 'e_guarantee', 123456.78,
                    '2021-03-03 10:00+08', 'held');
        """)
        daemon.refresh()
        before = se.api_years(daemon, "deposit_amount", YEARS, "433122")
        before_ref = se.api_years(daemon, "refund_amount", YEARS, "433122")
        main_pg.psql("deposit", """
            UPDATE deposits SET refunded_at = '2022-02-02 10:00+08', refund_amount = amount,
                   status = 'refunded' WHERE deposit_id = 'OLD1';
            UPDATE deposits SET amount = amount + 0.05 WHERE deposit_id IN
                (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id) LIMIT 40);
            UPDATE deposits SET refunded_at = NULL, refund_amount = NULL, status = 'held' WHERE deposit_id IN
                (SELECT deposit_id FROM deposits WHERE refunded_at IS NOT NULL ORDER BY md5(deposit_id || 'r') LIMIT 15);
            UPDATE deposits SET kind = 'insurance' WHERE deposit_id IN
                (SELECT deposit_id FROM deposits WHERE kind = 'cash' ORDER BY md5(deposit_id || 'k') LIMIT 15);
        """)
        expert_pg.psql("expert", """
            UPDATE evaluations SET remote = NOT remote,
                   remote_scope = CASE WHEN remote THEN NULL ELSE 'cross_province' END,
                   venue_role = CASE WHEN remote THEN NULL ELSE 'guest' END
             WHERE evaluation_id IN (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id) LIMIT 30);
            UPDATE evaluations SET status = 'cancelled' WHERE evaluation_id IN
                (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || 'c') LIMIT 10);
            UPDATE assignments SET fee_amount = fee_amount + 100.01, fee_paid_online = NOT fee_paid_online
             WHERE assignment_id IN (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id) LIMIT 60);
            UPDATE assignments SET attended = false, violation = true, rating = NULL WHERE assignment_id IN
                (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || 'a') LIMIT 20);
            DELETE FROM assignments WHERE assignment_id IN
                (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || 'd') LIMIT 25);
            DELETE FROM evaluations WHERE evaluation_id IN
                (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || 'd') LIMIT 8);
            UPDATE assignments SET drawn_at = drawn_at + interval '45 days' WHERE assignment_id IN
                (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || 'm') LIMIT 12);
        """)
        daemon.refresh()
        after = se.api_years(daemon, "deposit_amount", YEARS, "433122")
        after_ref = se.api_years(daemon, "refund_amount", YEARS, "433122")
        exp_ref = se.expected(pg, "deposit", "refund_amount")
        ck.eq(after_ref.get("2022"), se.fmt("amount", exp_ref.get(("433122", "2022"), se.Decimal(0))),
              "the refund of OLD1 is in 2022's refunds")
        ck.true(after_ref.get("2022") != before_ref.get("2022"), "the refund series moved")
        exp_dep = se.expected(pg, "deposit", "deposit_amount")
        ck.eq(after.get("2021"), se.fmt("amount", exp_dep.get(("433122", "2021"), se.Decimal(0))),
              "2021 deposits unaffected by the refund")
        # Rows deleted outright: no poll sees them (a read-only source
        # keeps no trace); the reconciliation of --once retracts them.
        main_pg.psql("deposit", """
            DELETE FROM deposits WHERE deposit_id IN
                (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id || 'x') LIMIT 20);
        """)
        code, _, err = run_daemon(cfg_path, "--once")
        ck.eq(code, 0, "--once (%s)" % err[-400:])
        se.compare(ck, daemon, pg, dbs, YEARS, "after changes")
        se.compare_extra(ck, daemon, pg.rows, subtree, YEARS, "after changes", pool=False)

        # One source stopped; the others keep polling.
        expert_pg.stop()
        wait_until(lambda: not up(daemon, "expert"), timeout=30, what="expert down")
        main_pg.psql("deposit", """
            INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, amount,
                                  received_at, status)
            VALUES ('WHILE1', '430102', 'medical', 'C9', 'cash', 2000.02, '2022-05-05 10:00+08', 'held');
        """)
        want = se.fmt("amount", se.expected(pg, "deposit", "deposit_amount")[("430102", "2022")])
        wait_until(lambda: se.api_years(daemon, "deposit_amount", YEARS, "430102").get("2022") == want,
                   timeout=30, what="deposit polled while expert is down")
        ck.true(up(daemon, "deposit") and up(daemon, "trading"), "deposit and trading stay up")
        ck.true(not up(daemon, "expert"), "expert is down")
        status, body = daemon.post("/api/v1/refresh")
        by_source = {s["source"]: s["ok"] for s in body["sources"]}
        ck.eq((status, by_source), (502, {"trading": True, "deposit": True, "expert": False}),
              "refresh summary per source")
        expert_pg.start()
        wait_until(lambda: up(daemon, "expert"), timeout=90, what="expert up again")
        ck.eq(daemon.stop(), 0, "clean exit")

        # /metrics: the new metrics year to date, as of a replayed instant.
        daemon = Daemon(work, cfg, ["--now", "2022-06-30T23:59:59+08:00"])
        daemon.start()
        status, text = daemon.get("/metrics")
        checks = {
            "deposit_amount": (main_pg, "deposit", "SELECT center_code, category, kind, sum(amount) FROM deposits "
                               "WHERE (received_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '2022-01-01' AND "
                               "'2022-06-30' GROUP BY 1, 2, 3"),
            "expert_fee_amount": (expert_pg, "expert", "SELECT center_code, sum(fee_amount) FROM assignments "
                                  "WHERE (drawn_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '2022-01-01' "
                                  "AND '2022-06-30' GROUP BY 1"),
        }
        # The exposition names are the catalogue's (GET /api/v1/metrics).
        status, catalogue = daemon.get("/api/v1/metrics")
        EXPOSITION = {m["name"]: m["exposition"] for m in catalogue["metrics"]}
        for metric, (server, db, sql) in checks.items():
            want = {tuple(r[:-1]): r[-1] for r in server.rows(db, sql)}
            got = {}
            for line in text.splitlines():
                if line.startswith("%s{" % EXPOSITION[metric]):
                    labels = re.findall(r'="([^"]*)"', line[:line.index("}")])
                    got[tuple(labels)] = line.rsplit(" ", 1)[1]
            ck.eq(got, want, "/metrics %s year to date per label set" % metric)
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()
        main_pg.close()
        expert_pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
