"""The row-level store (issue 16), against real PostgreSQL servers:

(a) a first load reads the source in one pass, without an index on the
    event time; it says how far it has come (/api/v1/status, /readyz, the
    log) while it is held up; polls after it do not re-read the history
    once past the overlap, and log nothing when nothing changed;
(b) reconciling an unchanged source repairs nothing and moves no figure;
(c) the current and the previous year are reconciled every
    reconcile_interval, the years before only at a run's first
    reconciliation and every reconcile_old_interval;
(d) identities: the store holds experts' and bidders' ids only as
    HMAC-SHA-256 under identity_key_file's key (checked with Python's hmac),
    no id in clear anywhere in it; another key is refused with a message;
    without a key file the store keeps a key of its own;
(e) a store written by version 8 (buckets) is upgraded in place: its old
    figures are served while the images load, then replaced by the
    images' totals, to the fen."""
import hashlib
import hmac
import os
import re
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     reconciled_at, wait_until, SOURCE_DIR)
import sources_expect as se
import trading_expect as te

YEARS = [2021, 2022]


# The store version this daemon migrates to: its highest migration.
LATEST = max(int(f[:3]) for f in os.listdir(os.path.join(SOURCE_DIR, "sql", "store")) if f[:3].isdigit())

def load_demo(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def age(pg, db, table, interval="2 days"):
    pg.psql(db, "ALTER TABLE {t} DISABLE TRIGGER {t}_touch; "
                "UPDATE {t} SET updated_at = now() - interval '{i}'; "
                "ALTER TABLE {t} ENABLE TRIGGER {t}_touch;".format(t=table, i=interval))


def status_of(daemon, source):
    _, st = daemon.get("/api/v1/status")
    return next(s for s in st["sources"] if s["name"] == source)


def stream_of(daemon, source, stream):
    return next(x for x in status_of(daemon, source)["streams"] if x["name"] == stream)


def metric(daemon, name, labels):
    _, text = daemon.get("/metrics")
    m = re.search(r"^%s\{%s\} (\S+)$" % (re.escape(name), re.escape(labels)), text, re.M)
    return float(m.group(1)) if m else None


def version(pg):
    return pg.rows("store", "SELECT version FROM ggzy.store_version")[0][0]


def part_load_poll_reconcile(ck, pg, work, meanwhile):
    """(a), (b), (c) on one trading source of 45,000 deals; MEANWHILE (a
    part on other databases) runs while the load waits for the store."""
    load_demo(pg, "trading", "trading.sql", "trading_data.sql", 45000)
    # The demo covers 2021-2022: some deals of an old year (2020) too.
    pg.psql("trading", """
        INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount,
                           deal_at, fully_electronic, remote_opening, status, service_fee)
        SELECT 'OLD' || g, 'P-OLD', '433101', 'engineering', 'open_tender', 1000 * g,
               timestamptz '2020-03-01 10:00+08' + g * interval '3 days', true, false, 'awarded', 1
          FROM generate_series(1, 50) AS g""")
    # A vendor view with no index on the event time: only updated_at's.
    pg.psql("trading", "DROP INDEX deals_deal_at_idx")
    pg.createdb("store")
    port = free_port()
    opts = {"trading": {"interval": "1h", "overlap": "2s", "reconcile_interval": "1h",
                        "reconcile_old_interval": "1h"}}
    cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")}, source_opts=opts)
    # The schema first (a daemon without sources only migrates), then hold
    # the load's first write: SHARE lets it read, not write, the images.
    bare = os.path.join(work, "bare.conf")
    with open(bare, "w") as f:
        f.write(config_text(port, pg.conninfo("store"), {}))
    code, _, err = run_daemon(bare, "--once")
    ck.eq(code, 0, "migrating an empty store: %s" % err[-300:])
    pg.psql("store", "SELECT pg_stat_reset()")
    pg.psql("trading", "SELECT pg_stat_reset()")
    holder = hold_share(pg, "store", "ggzy.image")
    held_at = time.time()
    daemon = Daemon(work, cfg, ["--now", "2022-12-31T12:00:00"])
    try:
        daemon.start(wait_ready=False)
        wait_until(lambda: stream_of(daemon, "trading", "deals")["rows_loaded"] > 0, timeout=60,
                   what="the load's first batch")
        d = stream_of(daemon, "trading", "deals")
        ck.eq((d["state"], d["rows_loaded"], d["rows_expected"]), ("loading", 10000, 45050),
              "/api/v1/status: the load's progress while its first batch waits")
        status, body = daemon.get("/readyz")
        ck.true(status == 503 and any("loading the row images of deals: 10000 of 45050 rows" in r
                                      for r in body["reasons"]), "/readyz says what is loading: %s" % body)
        ck.eq(metric(daemon, "ggzy_stream_load_rows_expected", 'source="trading",stream="deals"'), 45050,
              "/metrics: the load's rows expected")
        # A store statement of a load may take minutes on a large store
        # (ggzy.finish_load of 10 M images): held past the writer's
        # ordinary 60 s deadline, the batch waits, it is not cut off and the
        # load does not start again.
        meanwhile()
        while time.time() - held_at < 65:
            time.sleep(1)
        release(pg, "store", holder)
        wait_until(lambda: daemon.get("/readyz")[0] == 200, timeout=120, what="ready after the load")
        log = daemon.read_log()
        ck.true("deals: no watermark yet, loading history" in log, "the load says it starts")
        ck.true("deals: loaded 45050 rows" in log, "and that it finished: %s" % log[-1500:])
        ck.true("timed out" not in log and "resuming" not in log,
                "a batch that waited 65 s for the store neither timed out nor restarted the load")
        ck.eq(int(pg.rows("store", "SELECT count(*) FROM ggzy.image WHERE stream = 1")[0][0]), 45050,
              "an image per row")
        scans = pg.rows("trading", "SELECT seq_scan, idx_scan FROM pg_stat_user_tables "
                                   "WHERE relname = 'deals'")[0]
        # count, the load's cursor, the first reconciliation's months
        ck.true(int(scans[0]) <= 3, "one pass per purpose, no per-day range queries: %s seq scans" % scans[0])
        te.compare_years(ck, daemon, pg, "trading", YEARS, "after the load")
        # The load compared every row: it counts as the first reconciliation.
        # The polls after it do not, however soon they follow (the gauge has
        # whole seconds; polls for 2.5 s cross at least one).
        loaded_at = reconciled_at(daemon, "trading")
        ck.true(loaded_at is not None and loaded_at >= held_at, "the load counts as a reconciliation")
        t = time.time()
        while time.time() - t < 2.5:
            daemon.refresh()
            time.sleep(0.1)
        ck.eq(reconciled_at(daemon, "trading"), loaded_at,
              "polls after the load are not reconciliations (reconcile_interval 1h)")

        # (a) Rows bulk-loaded with one updated_at are re-read only inside
        # the overlap (2 s), then never again.
        time.sleep(2.5)
        daemon.refresh()
        rows_before = metric(daemon, "ggzy_poll_rows_total", 'source="trading"')
        daemon.refresh()
        daemon.refresh()
        ck.eq(metric(daemon, "ggzy_poll_rows_total", 'source="trading"'), rows_before,
              "idle polls read no row once past the overlap")
        ck.true("row(s) changed" not in daemon.read_log(), "polls that changed nothing log nothing")
        # A poll of more rows than one statement reads (a batch, 10,000)
        # goes through a cursor, to the fen; one of fewer reads them at once.
        for n in (25000, 300):
            changed = stream_of(daemon, "trading", "deals")["changed_total"]
            pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 0.01 WHERE deal_id "
                               "IN (SELECT deal_id FROM deals ORDER BY deal_id LIMIT %d)" % n)
            daemon.refresh()
            awarded = int(pg.rows("trading", "SELECT count(*) FROM (SELECT status FROM deals "
                                             "ORDER BY deal_id LIMIT %d) d "
                                             "WHERE status = 'awarded'" % n)[0][0])
            ck.true(awarded > n * 0.8, "most of them awarded: %d" % awarded)
            ck.eq(stream_of(daemon, "trading", "deals")["changed_total"] - changed, awarded,
                  "a poll of %d rows changes the images of the awarded ones" % n)
            te.compare_years(ck, daemon, pg, "trading", YEARS, "after a poll of %d rows" % n)

        # (b) Reconciling an unchanged source repairs nothing.
        v = version(pg)
        code, out, err = run_daemon(daemon.config, "--once", "--now", "2022-12-31T12:00:00")
        ck.eq(code, 0, "--once on an unchanged source: %s" % err[-300:])
        ck.true("reconciliation repaired" not in err and "differ from the source" not in err,
                "nothing differs: %s" % err[-600:])
        ck.eq(version(pg), v, "the figures' version did not move")
        ck.eq(pg.rows("store", "SELECT repaired_rows FROM ggzy.stream_state WHERE stream = 1"), [["0"]],
              "the store records 0 rows repaired")

        # (c) Cadence: with --now in 2022 the recent years are 2021-2022;
        # 2020 (the demo's December) is old. Changes beyond the overlap,
        # seen by reconciliation only.
        def backdated(where, change):
            pg.psql("trading", "ALTER TABLE deals DISABLE TRIGGER deals_touch; "
                               "UPDATE deals SET %s, updated_at = now() - interval '1 day' WHERE %s; "
                               "ALTER TABLE deals ENABLE TRIGGER deals_touch;" % (change, where))
        old = "deal_id = (SELECT min(deal_id) FROM deals WHERE deal_at < '2020-12-31')"
        new = "deal_id = (SELECT min(deal_id) FROM deals WHERE deal_at >= '2022-03-01')"
        backdated(old, "deal_amount = deal_amount + 11.11")
        backdated(new, "deal_amount = deal_amount + 22.22")
        all_before = stream_of(daemon, "trading", "deals")["last_reconcile_all"]
        reload = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")},
                             source_opts={"trading": dict(opts["trading"], reconcile_interval="1s")})
        with open(daemon.config, "w") as f:
            f.write(reload)
        daemon.proc.send_signal(1)  # SIGHUP: reconcile the recent years every second
        daemon.refresh()
        wait_until(lambda: stream_of(daemon, "trading", "deals")["repaired_total"] >= 1, timeout=30,
                   what="a reconciliation of the recent years")
        d = stream_of(daemon, "trading", "deals")
        ck.eq(d["last_reconcile_all"], all_before, "recent reconciliations leave the old years alone")
        src_2020 = pg.rows("trading", "SELECT sum(deal_amount) FROM deals WHERE status = 'awarded' "
                                      "AND deal_at < '2021-01-01 00:00+08'")[0][0]
        got_2020 = te.series(daemon, "deal_amount", "2020-01-01", "2020-12-31", "year")["points"][0]["value"]
        ck.true(got_2020 != src_2020, "2020's correction waits for the old years' turn")
        got_2022 = te.series(daemon, "deal_amount", "2022-01-01", "2022-12-31", "year")["points"][0]["value"]
        src_2022 = pg.rows("trading", "SELECT sum(deal_amount) FROM deals WHERE status = 'awarded' "
                                      "AND deal_at >= '2022-01-01 00:00+08' AND deal_at < '2023-01-01 00:00+08'")[0][0]
        ck.eq(got_2022, src_2022, "2022's correction repaired by the recent reconciliation")
        ck.true(metric(daemon, "ggzy_stream_reconcile_repaired_rows_total",
                       'source="trading",stream="deals"') >= 1, "/metrics counts repaired rows")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
        code, _, err = run_daemon(cfg_path_of(work, cfg), "--once", "--now", "2022-12-31T12:00:00")
        ck.eq(code, 0, "--once: %s" % err[-300:])
        ck.true("reconciliation repaired 1 row(s)" in err, "--once compares every year: %s" % err[-800:])
        daemon = Daemon(work, cfg, ["--now", "2022-12-31T12:00:00"])
        daemon.start()
        got_2020 = te.series(daemon, "deal_amount", "2020-01-01", "2020-12-31", "year")["points"][0]["value"]
        ck.eq(got_2020, src_2020, "2020 repaired by a reconciliation of every year")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()


def cfg_path_of(work, text):
    path = os.path.join(work, "once.conf")
    with open(path, "w") as f:
        f.write(text)
    return path


def hold_share(pg, db, table):
    """A session holding TABLE in SHARE mode: reads go on, writes wait."""
    import subprocess
    p = subprocess.Popen(["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres", "-d", db,
                          "-c", "BEGIN; LOCK TABLE %s IN SHARE MODE; SELECT pg_sleep(120);" % table],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env=dict(os.environ, PGAPPNAME="ggzy-test-share-" + db))
    wait_until(lambda: pg.rows(db, "SELECT count(*) FROM pg_locks WHERE mode = 'ShareLock' AND granted "
                                   "AND relation = '%s'::regclass" % table)[0][0] == "1", timeout=10,
               what="the share lock")
    return p


def release(pg, db, p):
    # Its own holder only: (a)'s and (e)'s hold their stores at once.
    pg.psql(db, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'ggzy-test-share-%s'" % db)
    p.wait(timeout=10)


def part_identity(ck, pg, work):
    """(d) on an expert and a deposit source."""
    load_demo(pg, "expert", "expert.sql", "expert_data.sql", 600)
    load_demo(pg, "deposit", "deposit.sql", "deposit_data.sql", 900)
    key_path = os.path.join(work, "identity.key")
    key = b"0123456789abcdef0123456789abcdef-test-key"
    with open(key_path, "wb") as f:
        f.write(key + b"\n")
    os.chmod(key_path, 0o600)
    pg.createdb("store_id")
    port = free_port()
    sources = {"expert": pg.conninfo("expert"), "deposit": pg.conninfo("deposit")}
    cfg = config_text(port, pg.conninfo("store_id"), sources, "identity_key_file = %s\n" % key_path)
    path = cfg_path_of(work, cfg)
    code, _, err = run_daemon(path, "--once")
    ck.eq(code, 0, "--once with an identity key file: %s" % err[-300:])
    experts = {r[0]: r[1] for r in pg.rows("expert", "SELECT assignment_id, expert_id FROM assignments")}
    stored = {r[0]: r[1] for r in pg.rows("store_id", "SELECT key, encode(person, 'hex') FROM ggzy.image "
                                                      "WHERE stream = 3")}
    want = {k: hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for k, v in experts.items()}
    ck.eq(stored, want, "every expert stored as HMAC-SHA-256(key, expert_id), nothing else")
    bidders = {r[0]: r[1] for r in pg.rows("deposit", "SELECT deposit_id, bidder_id FROM deposits")}
    stored_b = {r[0]: r[1] for r in pg.rows("store_id", "SELECT key, encode(person, 'hex') FROM ggzy.image "
                                                        "WHERE stream = 4")}
    ck.eq(stored_b, {k: hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for k, v in bidders.items()},
          "every bidder stored as its HMAC")
    # No id in clear in any column of the store (text, or bytea as text).
    ids = set(experts.values()) | set(bidders.values())
    dump = pg.psql("store_id", """SELECT string_agg(t::text, E'\\n') FROM ggzy.image t""")
    dump += pg.psql("store_id", "SELECT string_agg(t::text, E'\\n') FROM ggzy.day_total t")
    leaked = [i for i in ids if re.search(r"(?<![0-9A-Za-z])%s(?![0-9A-Za-z])" % re.escape(i), dump)]
    ck.eq(leaked[:5], [], "no expert or bidder id in clear in the store")
    ck.eq(pg.rows("store_id", "SELECT secret IS NULL, length(fingerprint) FROM ggzy.identity"), [["t", "32"]],
          "the store records the key's fingerprint, not the key")
    # Another key: refused, never counted as new people.
    with open(key_path, "wb") as f:
        f.write(b"another key, another key, another key!!\n")
    code, _, err = run_daemon(path, "--once")
    ck.eq(code, 1, "another key is refused")
    ck.true("identity key" in err and "restore that key" in err, "with a message that says what to do: %s"
            % err[-400:])
    # Without a key file: the store keeps a key of its own, once.
    pg.createdb("store_own")
    own = cfg_path_of(work, config_text(port, pg.conninfo("store_own"), {"expert": pg.conninfo("expert")}))
    for i in range(2):
        code, _, err = run_daemon(own, "--once")
        ck.eq(code, 0, "--once %d without a key file: %s" % (i, err[-300:]))
    secret = pg.rows("store_own", "SELECT encode(secret, 'hex') FROM ggzy.identity")[0][0]
    k2 = bytes.fromhex(secret)
    one = pg.rows("store_own", "SELECT key, encode(person, 'hex') FROM ggzy.image WHERE stream = 3 LIMIT 1")[0]
    ck.eq(one[1], hmac.new(k2, experts[one[0]].encode(), hashlib.sha256).hexdigest(),
          "the store's own key (%d bytes) hashes the experts" % len(k2))


def legacy_store(pg, db, source):
    """A store as version 8 left it: migrations 001-008 and the trading
    figures as buckets, monthly totals, day states and a watermark."""
    pg.createdb(db)
    pg.psql(db, "CREATE SCHEMA ggzy; CREATE TABLE ggzy.schema_version (version integer PRIMARY KEY, "
                "applied_at timestamptz NOT NULL DEFAULT now());")
    for n in range(1, 9):
        name = next(f for f in sorted(os.listdir(os.path.join(SOURCE_DIR, "sql", "store")))
                    if f.startswith("%03d_" % n))
        with open(os.path.join(SOURCE_DIR, "sql", "store", name)) as f:
            pg.psql(db, "BEGIN;\n%s\n;INSERT INTO ggzy.schema_version (version) VALUES (%d); COMMIT;"
                    % (f.read(), n))
    metrics = {"deals_count": "count(*) FILTER (WHERE a)",
               "deal_amount": "coalesce(sum(deal_amount) FILTER (WHERE a), 0)",
               "budget_amount": "coalesce(sum(budget_amount) FILTER (WHERE a), 0)",
               "savings_amount": "coalesce(sum(budget_amount - deal_amount) FILTER (WHERE a AND budget_amount IS NOT NULL), 0)",
               "reserve_amount": "coalesce(sum(reserve_price) FILTER (WHERE a), 0)",
               "premium_amount": "coalesce(sum(deal_amount - reserve_price) FILTER (WHERE a AND reserve_price IS NOT NULL), 0)",
               "fully_electronic_count": "count(*) FILTER (WHERE a AND fully_electronic)",
               "opened_count": "count(*) FILTER (WHERE a AND opened_at IS NOT NULL)",
               "remote_opening_count": "count(*) FILTER (WHERE a AND opened_at IS NOT NULL AND remote_opening)",
               "service_fee_amount": "coalesce(sum(service_fee) FILTER (WHERE a), 0)",
               "cancelled_count": "count(*) FILTER (WHERE NOT a)"}
    rows = pg.rows(source, "SELECT (deal_at AT TIME ZONE 'Asia/Shanghai')::date, center_code, category, %s "
                              "FROM (SELECT *, status = 'awarded' AS a FROM deals) d GROUP BY 1, 2, 3"
                   % ", ".join(metrics.values()))
    values = []
    for r in rows:
        for name, v in zip(metrics, r[3:]):
            values.append("('%s', '%s', '%s', '%s', 'deals', %s)" % (name, r[0], r[1], r[2], v))
    pg.psql(db, "INSERT INTO ggzy.bucket (metric, day, center, category, stream, value) VALUES %s;"
                % ", ".join(values))
    pg.psql(db, """
        INSERT INTO ggzy.bucket_month (metric, month, center, category, kind, scope, role, value)
        SELECT metric, date_trunc('month', day::timestamp)::date, center, category, kind, scope, role, sum(value)
          FROM ggzy.bucket GROUP BY 1, 2, 3, 4, 5, 6, 7;
        INSERT INTO ggzy.day_state SELECT 'deals', day, 1, 0 FROM ggzy.bucket GROUP BY day;
        INSERT INTO ggzy.watermark VALUES ('deals', now() - interval '1 day', now());""")


def part_upgrade(ck, pg, work):
    """(e): a trading source of its own (45,000 deals), a version-8 store."""
    load_demo(pg, "trading_v8", "trading.sql", "trading_data.sql", 45000)
    legacy_store(pg, "store_v8", "trading_v8")
    legacy = pg.rows("store_v8", "SELECT sum(value) FROM ggzy.bucket WHERE metric = 'deal_amount'")[0][0]
    src = pg.rows("trading_v8", "SELECT sum(deal_amount) FROM deals WHERE status = 'awarded'")[0][0]
    ck.eq(legacy, src, "the version-8 store holds the source's figures")
    port = free_port()
    cfg = config_text(port, pg.conninfo("store_v8"), {"trading": pg.conninfo("trading_v8")})
    # Migrate first (no source), then hold the images' writes.
    bare = cfg_path_of(work, config_text(port, pg.conninfo("store_v8"), {}))
    code, _, err = run_daemon(bare, "--once")
    ck.eq(code, 0, "migrations 009 and later over a version-8 store: %s" % err[-300:])
    ck.eq(pg.rows("store_v8", "SELECT 9 IN (SELECT version FROM ggzy.schema_version), max(version) "
                              "FROM ggzy.schema_version"), [["t", str(LATEST)]], "009 applied, at the latest")
    holder = hold_share(pg, "store_v8", "ggzy.image")
    daemon = Daemon(work, cfg, ["--now", "2022-12-31T12:00:00"])
    try:
        daemon.start(wait_ready=False)
        wait_until(lambda: stream_of(daemon, "trading", "deals")["state"] == "loading", timeout=60,
                   what="the upgrade's load")
        first = te.series(daemon, "deal_amount", "2020-01-01", "2023-12-31", "year")
        ck.eq(str(sum(te.Decimal(p["value"]) for p in first["points"])), src,
              "the old figures are served while the images load")
        status, body = daemon.get("/readyz")
        ck.true(status == 503 and any("loading the row images of deals" in r for r in body["reasons"]),
                "/readyz says what is loading: %s" % body)
        ck.true("upgrading the store: loading the row images" in daemon.read_log(), "and so does the log")
        release(pg, "store_v8", holder)
        wait_until(lambda: daemon.get("/readyz")[0] == 200, timeout=120, what="ready after the upgrade")
        ck.eq(pg.rows("store_v8", "SELECT count(*) FROM ggzy.bucket"), [["0"]], "the old buckets are gone")
        ck.eq(pg.rows("store_v8", "SELECT count(*) FROM ggzy.watermark"), [["0"]], "and the old watermark")
        te.compare_years(ck, daemon, pg, "trading_v8", YEARS, "after the upgrade")
        check_metrics_kept(ck, pg, "store_v8", daemon)
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()


def check_metrics_kept(ck, pg, db, daemon):
    """/metrics keeps its figures while the store's figures version stays:
    past 10 s a scrape reads the version and computes the figures again only
    if it moved (another process wrote the store). A month's total is
    changed behind the version's back to tell which happened."""
    center, category = pg.rows(db, "SELECT center, category FROM ggzy.month_total "
                                   "WHERE stream = 1 AND month = '2022-06-01' AND m2 IS NOT NULL "
                                   "ORDER BY m2 DESC LIMIT 1")[0]
    labels = 'center="%s",category="%s"' % (center, category)

    def amount():
        _, text = daemon.get("/metrics")
        m = re.search(r"^ggzy_deal_amount_yuan\{%s\} (\S+)$" % re.escape(labels), text, re.M)
        return te.Decimal(m.group(1)) if m else None
    before = amount()
    at = time.time()
    shift = ("UPDATE ggzy.month_total SET m2 = m2 + %s WHERE stream = 1 AND month = '2022-06-01' "
             "AND center = '%s' AND category = '%s';" % ("%s", center, category))
    pg.psql(db, shift % "1000")
    time.sleep(max(0, at + 10.5 - time.time()))
    ck.eq(amount(), before,
          "/metrics past 10 s, the figures version unchanged: the figures kept, not computed again")
    pg.psql(db, "UPDATE ggzy.store_version SET version = version + 1")
    ck.eq(amount(), before + 1000,
          "the version moved by another process: the next scrape computes them again")
    pg.psql(db, shift % "-1000" + " UPDATE ggzy.store_version SET version = version + 1;")


def main():
    ck = Checker("test_row_store")
    pg = PgServer("rowstore")
    work = work_dir("rowstore")
    try:
        # (d) and (e) fill the minute (a)'s load waits for the store.
        part_load_poll_reconcile(ck, pg, work, lambda: (part_identity(ck, pg, work),
                                                        part_upgrade(ck, pg, work)))
    finally:
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
