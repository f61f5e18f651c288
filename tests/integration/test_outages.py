"""Source and store outages (SPEC §9 "a source or store outage never stops the
daemon"), with ggzy_source_up, ggzy_store_up and /readyz asserted at every
step:

 (d) start-up with the store down and the trading source refusing
     connections (TCP port with nothing listening): /healthz 200 at once,
     /readyz 503 naming each missing part; ready once they come up;
 (b) a source that hangs (an ACCESS EXCLUSIVE lock held on deals): its
     statements hit statement_timeout (2 s) while the other sources keep
     polling on schedule and /healthz answers in < 0.5 s throughout;
 (a) the source server stopped with `pg_ctl -m immediate` while the daemon's
     query runs on it, then restarted: down, then up again, figures exact;
 (c) the store stopped while the sources change: polls pause, /metrics keeps
     serving the last figures, ggzy_store_up 0, and ggzy_figures_up 0 once
     they could not be made afresh; after it comes back the store
     catches up, every figure equal to the sources, to the fen.

Trading is on its own server (reached over TCP), deposit and expert on a
second, the store on a third, so that each can fail alone."""
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, hold_lock, release_lock,
                     source_sql, wait_reconciled, wait_until, SOURCE_DIR)
import sources_expect as se

SOURCES = ("trading", "deposit", "expert")
NOW = "2022-12-31T12:00:00+08:00"  # /metrics is year to date: a year with data


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def metrics(daemon):
    status, text = daemon.get("/metrics", timeout=10)
    assert status == 200, (status, text)
    return text


def gauge(text, name, source=None):
    pat = r'^%s%s (\S+)$' % (name, r'\{source="%s"\}' % source if source else "")
    m = re.search(pat, text, re.M)
    return float(m.group(1)) if m else None


def figures(text):
    """The figure lines of /metrics (not the daemon's own health series)."""
    return sorted(l for l in text.splitlines()
                  if l.startswith("ggzy_") and not re.match(r"ggzy_(source|store|stream|poll|reconcile|alert|feed|figures_up)", l))


def readyz(daemon):
    status, body = daemon.get("/readyz", timeout=10)
    return status, (body.get("reasons", []) if isinstance(body, dict) else [])


class Watch:
    """What the test asserts at each step: the up gauges and /readyz."""

    def __init__(self, ck, daemon):
        self.ck, self.daemon = ck, daemon

    def state(self):
        text = metrics(self.daemon)
        return ({s: gauge(text, "ggzy_source_up", s) for s in SOURCES},
                gauge(text, "ggzy_store_up"), readyz(self.daemon))

    def expect(self, what, up, store_up, reasons, timeout=30):
        """Waits until the source_up gauges are UP ({source: 0/1}), store_up
        is STORE_UP and /readyz gives 200 (REASONS empty) or 503 with one
        reason starting with each prefix of REASONS (and no other)."""
        want = ({s: float(v) for s, v in up.items()}, float(store_up))

        def matches(st):
            ups, sup, (status, got) = st
            ok_reasons = (status == 200 and not reasons) or (
                status == 503 and reasons and len(got) == len(reasons)
                and all(any(g.startswith(p) for g in got) for p in reasons))
            return ({s: ups[s] for s in up}, sup) == want and ok_reasons

        deadline = time.time() + timeout
        st = self.state()
        while not matches(st) and time.time() < deadline:
            time.sleep(0.2)
            st = self.state()
        self.ck.true(matches(st), "%s: want up=%s store_up=%s readyz reasons %s; got %s" % (
            what, up, store_up, reasons, st))
        return st


def change(trading, other, tag):
    trading.psql("trading", """
        UPDATE deals SET deal_amount = deal_amount + 0.37 WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{t}a') LIMIT 6);
        UPDATE deals SET deal_at = deal_at - interval '40 days' WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{t}b') LIMIT 3);
        DELETE FROM deals WHERE deal_id IN (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{t}c') LIMIT 2);
        INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
            reserve_price, deal_amount, opened_at, deal_at, fully_electronic, remote_opening, status,
            service_fee)
        VALUES ('O-{t}', 'PO', '433101', 'medical', 'auction', NULL, 800.00, 912.34, NULL,
                '2022-03-01 00:10+08', false, false, 'awarded', 0.91);
    """.format(t=tag))
    other.psql("deposit", """
        UPDATE deposits SET amount = amount + 0.03 WHERE deposit_id IN
            (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id || '{t}') LIMIT 5);
        INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, amount, received_at, status)
        VALUES ('O-{t}', '430102', 'medical', 'B', 'insurance', 777.77, '2022-04-04 10:00+08', 'held');
    """.format(t=tag))
    other.psql("expert", """
        UPDATE assignments SET fee_amount = fee_amount + 1.01 WHERE assignment_id IN
            (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || '{t}') LIMIT 5);
        DELETE FROM evaluations WHERE evaluation_id IN
            (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || '{t}') LIMIT 2);
    """.format(t=tag))


def main():
    ck = Checker("test_outages")
    trading = PgServer("out-trading", tcp=True)
    other = PgServer("out-other")
    store = PgServer("out-store")
    work = work_dir("outages")
    daemon = None
    lockers = []
    sources = [(trading, "trading"), (other, "deposit"), (other, "expert")]
    t0 = time.time()
    try:
        load(trading, "trading", "trading.sql", "trading_data.sql", 1500)
        load(other, "deposit", "deposit.sql", "deposit_data.sql", 1500)
        load(other, "expert", "expert.sql", "expert_data.sql", 400)
        store.createdb("store")

        port = free_port()
        # A short overlap: the sources are loaded seconds before, so with
        # the default 5m every poll would recompute the whole history, and
        # (b) would time full recomputes, not whether a hanging source
        # delays the others. The changes this test makes are all newer than
        # the watermark; reconciliations (every 3 s) catch anything else.
        opts = {s: {"interval": "1s", "overlap": "2s", "reconcile_interval": "3s", "reconcile_old_interval": "3s",
                    "statement_timeout": "2s"} for s in SOURCES}
        cfg = config_text(port, store.conninfo("store") + " connect_timeout=2",
                          {"trading": trading.conninfo("trading") + " connect_timeout=2",
                           "deposit": other.conninfo("deposit"), "expert": other.conninfo("expert")},
                          source_opts=opts)
        daemon = Daemon(work, cfg, ["--now", NOW])
        watch = Watch(ck, daemon)

        print("%5.1fs (d) start-up with the store and trading down" % (time.time() - t0))
        # (d) Start-up with the store down and trading refusing connections.
        store.stop()
        trading.stop()
        daemon.start(wait_ready=False)
        t = time.time()
        ck.eq(daemon.get("/healthz", timeout=2)[0], 200, "(d) /healthz with store and trading down")
        ck.true(time.time() - t < 0.5, "(d) /healthz answered at once")
        watch.expect("(d) store and trading down at start-up", {s: 0 for s in SOURCES}, 0,
                     ["store:", "source trading:", "source deposit:", "source expert:"])
        ck.eq(gauge(metrics(daemon), "ggzy_figures_up"), 0.0, "(d) ggzy_figures_up 0 before any figures")
        time.sleep(1.5)
        store.start()
        st = watch.expect("(d) store up, trading still refusing", {"trading": 0, "deposit": 1, "expert": 1}, 1,
                          ["source trading: first poll not finished"], timeout=40)
        ck.true(any("refused" in r for r in st[2][1]), "(d) /readyz says the connection is refused: %s"
                % (st[2][1],))
        trading.start()
        watch.expect("(d) everything up", {s: 1 for s in SOURCES}, 1, [], timeout=40)
        wait_reconciled(daemon, SOURCES, time.time())
        se.compare_store(ck, store, "store", sources, "(d) after start-up")

        def staleness(seconds, what):
            """How old each source's last success is, at worst, over SECONDS
            (polls every 1 s, a reconciliation every 3 s), and the slowest
            /healthz meanwhile."""
            slowest, stale, n, start = 0.0, {s: 0.0 for s in SOURCES}, 0, time.time()
            while time.time() - start < seconds:
                t = time.time()
                status, _ = daemon.get("/healthz", timeout=5)
                slowest = max(slowest, time.time() - t)
                ck.eq(status, 200, "%s: /healthz" % what)
                text = metrics(daemon)
                for s in SOURCES:
                    stale[s] = max(stale[s], time.time() - gauge(
                        text, "ggzy_source_last_success_timestamp_seconds", s))
                n += 1
                time.sleep(0.1)
            print("%s: %d /healthz, slowest %.3fs; worst staleness of last success: %s" % (
                what, n, slowest, {s: round(v, 1) for s, v in stale.items()}))
            return slowest, stale

        # The others' cadence with nothing hanging, on this machine and
        # build (the sanitizer build and a loaded CI machine are slower):
        # the hang must not make it worse.
        _, calm = staleness(6, "(b) before the hang")
        print("%5.1fs (b) trading hangs" % (time.time() - t0))
        # (b) trading hangs: statement_timeout, others and HTTP unaffected.
        lockers.append(hold_lock(trading, "trading", "deals"))
        other.psql("deposit", "INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, "
                              "amount, received_at, status) VALUES ('HANG1', '433122', 'other', 'H', "
                              "'cash', 4242.42, '2022-08-08 08:08+08', 'held')")
        slowest, stale = staleness(9, "(b) during the hang")
        ck.true(slowest < 0.5, "(b) /healthz in < 0.5 s throughout the hang (slowest %.3fs)" % slowest)
        for s in ("deposit", "expert"):
            bound = max(5.0, 1.5 * calm[s] + 1)
            ck.true(stale[s] < bound, "(b) %s kept polling on schedule (last success at worst %.1fs old; "
                    "%.1fs before the hang, bound %.1fs)" % (s, stale[s], calm[s], bound))
        ck.true(stale["trading"] > 8, "(b) no trading success while it hangs (%.1fs)" % stale["trading"])
        st = watch.expect("(b) trading hangs", {"trading": 0, "deposit": 1, "expert": 1}, 1,
                          ["source trading: down"])
        ck.true(any("statement timeout" in r for r in st[2][1]), "(b) the reason is the statement timeout: %s"
                % (st[2][1],))
        key = ("deposit_amount", "2022-08-08", "433122", "other", "cash", "", "")
        ck.eq(se.store_buckets(store, "store").get(key), se.expected_buckets(other, "deposit").get(key),
              "(b) a deposit inserted during the hang is in the store")
        release_lock(trading, "trading", lockers.pop())
        watch.expect("(b) lock released", {s: 1 for s in SOURCES}, 1, [], timeout=30)

        print("%5.1fs (a) trading stopped mid-query" % (time.time() - t0))
        # (a) the trading server stopped in the middle of the daemon's query.
        lockers.append(hold_lock(trading, "trading", "deals"))
        wait_until(lambda: trading.rows("trading", "SELECT count(*) FROM pg_stat_activity WHERE "
                                        "application_name = 'ggzy-metricsd' AND state = 'active' "
                                        "AND wait_event_type = 'Lock'")[0][0] == "1",
                   timeout=10, interval=0.05, what="a daemon query waiting on deals")
        log_mark = len(daemon.read_log())
        figs = figures(metrics(daemon))
        trading.stop("immediate")
        lockers.pop().wait(timeout=10)
        watch.expect("(a) trading stopped mid-query", {"trading": 0, "deposit": 1, "expert": 1}, 1,
                     ["source trading: down"])
        ck.eq(daemon.get("/healthz", timeout=2)[0], 200, "(a) /healthz")
        now = figures(metrics(daemon))
        ck.eq(sorted(set(now) ^ set(figs)), [], "(a) /metrics serves the same figures (lines that differ)")
        ck.true(len(figs) > 50, "(a) /metrics has figures (%d lines)" % len(figs))
        time.sleep(3)
        log = daemon.read_log()[log_mark:]
        ck.true(log.count("source trading: poll failed") + log.count("source trading: reconciliation failed")
                <= 1, "(a) the outage is logged at most once more")
        trading.start()
        change(trading, other, "a")
        t_changed = time.time()
        watch.expect("(a) trading back", {s: 1 for s in SOURCES}, 1, [], timeout=60)
        ck.true("source trading: reachable again" in daemon.read_log()[log_mark:], "(a) recovery logged")
        wait_reconciled(daemon, SOURCES, t_changed)
        se.compare_store(ck, store, "store", sources, "(a) after the trading outage")

        print("%5.1fs (c) the store stopped" % (time.time() - t0))
        # (c) the store stopped while the sources change.
        figs = figures(metrics(daemon))
        store.stop("immediate")
        change(trading, other, "c")
        watch.expect("(c) store down", {s: 1 for s in SOURCES}, 0, ["store:"], timeout=30)
        time.sleep(3)  # several polls meet the store outage
        watch.expect("(c) store still down", {s: 1 for s in SOURCES}, 0, ["store:"], timeout=5)
        ck.eq(figures(metrics(daemon)), figs, "(c) /metrics keeps serving the last figures")
        # Past their 10 s the daemon tries to make them again and cannot.
        wait_until(lambda: gauge(metrics(daemon), "ggzy_figures_up") == 0, timeout=30,
                   what="(c) ggzy_figures_up 0 with the store down")
        ck.eq(figures(metrics(daemon)), figs, "(c) the last figures still served, marked not up")
        ck.eq(daemon.get("/healthz", timeout=2)[0], 200, "(c) /healthz with the store down")
        change(trading, other, "c2")
        store.start()
        t_back = time.time()
        watch.expect("(c) store back", {s: 1 for s in SOURCES}, 1, [], timeout=60)
        wait_reconciled(daemon, SOURCES, t_back)
        se.compare_store(ck, store, "store", sources, "(c) after the store outage")
        ck.eq(gauge(metrics(daemon), "ggzy_figures_up"), 1.0, "(c) ggzy_figures_up 1 with the store back")
        ck.true(figures(metrics(daemon)) != figs, "(c) /metrics shows the changes made during the outage")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
        print("%5.1fs done" % (time.time() - t0))
    finally:
        for p in lockers:
            p.kill()
        if daemon:
            daemon.stop()
        for pg in (trading, other, store):
            pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
