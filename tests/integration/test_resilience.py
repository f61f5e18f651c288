"""Outage and reload behaviour of the trading source: the source server
stopped and restarted (marked down, store keeps serving, refresh says 502,
complaint logged once, catch-up after), SIGHUP reload, and the timer-driven
reconciliation repairing hard deletes and moves by itself. kill -9 is
test_crash.py's; mid-query stops, hangs and store outages test_outages.py's."""
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, source_sql,
                     reconciled_at, wait_reconciled, wait_until, SOURCE_DIR)
import trading_expect as te

YEARS = [2021, 2022]


def metric_value(daemon, name, source="trading"):
    status, text = daemon.get("/metrics")
    m = re.search(r'^%s\{source="%s"\} (\S+)$' % (name, source), text, re.M)
    return float(m.group(1)) if m else None


def mutate(pg, i):
    """A mix of every kind of change a source sees."""
    pg.psql("trading", """
        UPDATE deals SET deal_amount = deal_amount + 1.23 WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{i}a') LIMIT 7);
        UPDATE deals SET deal_at = deal_at - interval '33 days' WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{i}b') LIMIT 5);
        UPDATE deals SET status = CASE status WHEN 'awarded' THEN 'cancelled' ELSE 'awarded' END
         WHERE deal_id IN (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{i}c') LIMIT 3);
        DELETE FROM deals WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{i}d') LIMIT 4);
        INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
            reserve_price, deal_amount, opened_at, deal_at, fully_electronic, remote_opening,
            status, service_fee)
        SELECT 'K{i}-' || g, 'PK', '430104', 'gov_procurement', 'invited', 5000.55 * g, NULL,
               4999.45 * g, '2021-11-01 09:00+08', timestamptz '2021-06-01 10:00+08' + g * interval '9 days',
               true, g % 2 = 0, 'awarded', 2.50
          FROM generate_series(1, 6) g;
    """.format(i=i))


def main():
    ck = Checker("test_resilience")
    src = PgServer("src")
    store = PgServer("store")
    work = work_dir("resilience")
    daemon = None
    try:
        src.createdb("trading")
        store.createdb("store")
        src.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            src.psql("trading", "\\set rows 3000\n" + f.read())
        # History is old: only what the test changes is inside the overlap.
        src.psql("trading", """ALTER TABLE deals DISABLE TRIGGER deals_touch;
            UPDATE deals SET updated_at = now() - interval '2 days';
            ALTER TABLE deals ENABLE TRIGGER deals_touch;""")

        port = free_port()
        opts = {"trading": {"interval": "1s", "overlap": "5m", "reconcile_interval": "2s", "reconcile_old_interval": "2s",
                            "statement_timeout": "5s"}}
        cfg = config_text(port, store.conninfo("store"), {"trading": src.conninfo("trading")},
                          source_opts=opts)
        daemon = Daemon(work, cfg)
        daemon.start()
        ck.true("loading history" in daemon.read_log(), "first start loads history")
        te.compare_years(ck, daemon, src, "trading", YEARS, "initial")

        # The gauge moves only when a reconciliation ends: every
        # reconcile_interval (2 s) at most, not with the poll (1 s) after one.
        seen, t = [], time.time()
        while time.time() - t < 7:
            v = reconciled_at(daemon, "trading")
            if v is not None and (not seen or v != seen[-1]):
                seen.append(v)
            time.sleep(0.1)
        gaps = [b - a for a, b in zip(seen, seen[1:])]
        ck.true(len(gaps) >= 1 and min(gaps) >= 2, "reconciliations 2 s apart or more: %s" % gaps)

        # kill -9 at random moments: test_crash.py (all sources, every phase).
        mutate(src, 0)
        t_changed = time.time()
        wait_reconciled(daemon, ["trading"], t_changed)
        daemon.refresh()
        te.compare_years(ck, daemon, src, "trading", YEARS, "after changes")

        # The source goes away: the daemon marks it down, keeps serving.
        before = te.series(daemon, "deal_amount", "2021-01-01", "2022-12-31", "year")
        src.stop()
        wait_until(lambda: metric_value(daemon, "ggzy_source_up") == 0.0, timeout=30,
                   what="ggzy_source_up 0")
        time.sleep(4)  # several failed polls with backoff
        status, body = daemon.get("/healthz")
        ck.eq(status, 200, "/healthz while the source is down")
        ck.eq(te.series(daemon, "deal_amount", "2021-01-01", "2022-12-31", "year"), before,
              "figures served from the store while the source is down")
        status, body = daemon.post("/api/v1/refresh")
        ck.eq(status, 502, "refresh with the source down")
        ck.eq(body["sources"][0]["ok"], False, "refresh summary says the source failed")
        # Whichever job meets the outage first (poll or reconciliation) says so.
        log = daemon.read_log()
        complaints = (log.count("source trading: poll failed")
                      + log.count("source trading: reconciliation failed"))
        ck.eq(complaints, 1, "the outage is logged once, not per retry")

        src.start()
        mutate(src, 99)
        wait_until(lambda: metric_value(daemon, "ggzy_source_up") == 1.0, timeout=90,
                   what="ggzy_source_up 1 again")
        ck.true("source trading: reachable again" in daemon.read_log(), "recovery logged")
        t_changed = time.time()
        wait_reconciled(daemon, ["trading"], t_changed)
        te.compare_years(ck, daemon, src, "trading", YEARS, "after the outage")

        # SIGHUP: a bad file is refused and the old one kept; a good one applies.
        with open(daemon.config, "a") as f:
            f.write("bogus_key = 1\n")
        daemon.proc.send_signal(1)
        wait_until(lambda: "keeping the running one" in daemon.read_log(), timeout=10,
                   what="bad reload refused")
        ck.eq(daemon.get("/healthz")[0], 200, "still serving after a bad reload")
        with open(daemon.config, "w") as f:
            f.write(cfg.replace("log_level = info", "log_level = debug"))
        daemon.proc.send_signal(1)
        wait_until(lambda: "reload: done" in daemon.read_log(), timeout=10, what="reload done")
        wait_until(lambda: " debug " in daemon.read_log(), timeout=10, what="debug logging after reload")
        ck.eq(daemon.stop(), 0, "SIGTERM exit code 0")
    finally:
        if daemon:
            daemon.stop()
        src.close()
        store.close()
    ck.finish()


if __name__ == "__main__":
    main()
