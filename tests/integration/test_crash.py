"""Crash consistency (SPEC §9 "kill -9 at any moment loses nothing"): all
three sources, at least 30 kill -9 at random moments of the initial load
(a month-by-month reconciliation), of incremental polls and of
reconciliations, the sources changing between kills in every way SPEC §3
names (late inserts with old event times, amount corrections, moves to
another day, cancellations, hard deletes, late commits). The phase each kill
hit is read from the daemon's debug log, and every phase must have been hit
several times. After the last kill, `--once` (one poll and one
reconciliation) must leave every figure of the store -- each metric, day and
label set -- equal to SQL over the sources, to the fen.

GGZY_CRASH_SEED picks the seed (printed, so a failure can be replayed);
GGZY_CRASH_KILLS the number of kills (default 32)."""
import os
import random
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     wait_until, SOURCE_DIR)
import sources_expect as se

SOURCES = ("trading", "deposit", "expert")
PHASES = ("load", "poll", "reconcile")
MIN_HITS = 3


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def age_history(pg, db, tables):
    """History is old: only what the test changes is inside the overlap."""
    sql = ""
    for t in tables:
        sql += ("ALTER TABLE {t} DISABLE TRIGGER {t}_touch; "
                "UPDATE {t} SET updated_at = now() - interval '2 days'; "
                "ALTER TABLE {t} ENABLE TRIGGER {t}_touch;").format(t=t)
    pg.psql(db, sql)


def back_dated(table, where, age):
    """A change whose updated_at lies in the past, as a transaction that
    committed long after it started leaves it: within the overlap a poll
    finds it, beyond it only reconciliation does."""
    return ("ALTER TABLE {t} DISABLE TRIGGER {t}_touch; "
            "UPDATE {t} SET updated_at = now() - interval '{age}' WHERE {w}; "
            "ALTER TABLE {t} ENABLE TRIGGER {t}_touch;").format(t=table, w=where, age=age)


def mutate(pg, i):
    """Every kind of change SPEC §3 names, in each of the three sources."""
    k = "%d" % i
    pg.psql("trading", """
        UPDATE deals SET deal_amount = deal_amount + 1.23 WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}a') LIMIT 5);
        UPDATE deals SET deal_at = deal_at - interval '33 days' WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}b') LIMIT 4);
        UPDATE deals SET status = CASE status WHEN 'awarded' THEN 'cancelled' ELSE 'awarded' END
         WHERE deal_id IN (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}c') LIMIT 3);
        DELETE FROM deals WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}d') LIMIT 3);
        INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
            reserve_price, deal_amount, opened_at, deal_at, fully_electronic, remote_opening,
            status, service_fee)
        SELECT 'K{k}-' || g, 'PK', '430104', 'gov_procurement', 'invited', 5000.55 * g,
               CASE WHEN g % 3 = 0 THEN 4000.01 * g END,
               4999.45 * g, '2021-11-01 09:00+08',
               timestamptz '2021-06-01 23:30+08' + g * interval '37 days', true, g % 2 = 0,
               'awarded', 2.50
          FROM generate_series(1, 4) g;
        UPDATE deals SET budget_amount = budget_amount + 0.01, deal_at = deal_at + interval '1 day'
         WHERE deal_id IN (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}e') LIMIT 2);
        {late1}
        UPDATE deals SET service_fee = service_fee + 0.07, opened_at = NULL WHERE deal_id IN
            (SELECT deal_id FROM deals ORDER BY md5(deal_id || '{k}f') LIMIT 2);
        {late2}
    """.format(k=k,
               late1=back_dated("deals", "deal_id IN (SELECT deal_id FROM deals ORDER BY "
                                "md5(deal_id || '%se') LIMIT 2)" % k, "3 minutes"),
               late2=back_dated("deals", "deal_id IN (SELECT deal_id FROM deals ORDER BY "
                                "md5(deal_id || '%sf') LIMIT 2)" % k, "1 day")))
    pg.psql("deposit", """
        UPDATE deposits SET amount = amount + 0.05 WHERE deposit_id IN
            (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id || '{k}a') LIMIT 5);
        UPDATE deposits SET refunded_at = received_at + interval '40 days', refund_amount = amount,
               status = 'refunded'
         WHERE deposit_id IN (SELECT deposit_id FROM deposits WHERE refunded_at IS NULL
                              ORDER BY md5(deposit_id || '{k}b') LIMIT 3);
        UPDATE deposits SET refunded_at = NULL, refund_amount = NULL, status = 'forfeited'
         WHERE deposit_id IN (SELECT deposit_id FROM deposits WHERE refunded_at IS NOT NULL
                              ORDER BY md5(deposit_id || '{k}c') LIMIT 2);
        UPDATE deposits SET received_at = received_at - interval '20 days', kind = 'e_guarantee'
         WHERE deposit_id IN (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id || '{k}d') LIMIT 2);
        DELETE FROM deposits WHERE deposit_id IN
            (SELECT deposit_id FROM deposits ORDER BY md5(deposit_id || '{k}e') LIMIT 3);
        UPDATE deposits SET refunded_at = received_at + interval '300 days', refund_amount = amount,
               status = 'remitted'
         WHERE deposit_id IN (SELECT deposit_id FROM deposits WHERE refunded_at IS NULL
                              ORDER BY md5(deposit_id || '{k}g') LIMIT 2);
        INSERT INTO deposits (deposit_id, center_code, category, bidder_id, kind, amount, received_at,
                              status)
        SELECT 'N{k}-' || g, '433122', 'engineering', 'B' || g, 'cash', 1000.01 * g,
               timestamptz '2021-02-27 23:59+08' + g * interval '41 days', 'held'
          FROM generate_series(1, 3) g;
        {late}
    """.format(k=k, late=back_dated("deposits", "deposit_id IN (SELECT deposit_id FROM deposits "
                                    "ORDER BY md5(deposit_id || '%sd') LIMIT 2)" % k, "1 day")))
    pg.psql("expert", """
        UPDATE evaluations SET remote = NOT remote,
               remote_scope = CASE WHEN remote THEN NULL ELSE 'cross_province' END,
               venue_role = CASE WHEN remote THEN NULL ELSE 'guest' END
         WHERE evaluation_id IN (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || '{k}a') LIMIT 3);
        UPDATE evaluations SET status = CASE status WHEN 'done' THEN 'cancelled' ELSE 'done' END
         WHERE evaluation_id IN (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || '{k}b') LIMIT 2);
        UPDATE assignments SET fee_amount = fee_amount + 100.01, fee_paid_online = NOT fee_paid_online
         WHERE assignment_id IN (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || '{k}c') LIMIT 5);
        UPDATE assignments SET drawn_at = drawn_at + interval '45 days', attended = NOT attended
         WHERE assignment_id IN (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || '{k}d') LIMIT 3);
        DELETE FROM assignments WHERE assignment_id IN
            (SELECT assignment_id FROM assignments ORDER BY md5(assignment_id || '{k}e') LIMIT 3);
        DELETE FROM evaluations WHERE evaluation_id IN
            (SELECT evaluation_id FROM evaluations ORDER BY md5(evaluation_id || '{k}f') LIMIT 1);
        UPDATE experts SET left_at = CASE WHEN left_at IS NULL THEN timestamptz '2022-03-03 10:00+08' END
         WHERE expert_id IN (SELECT expert_id FROM experts ORDER BY md5(expert_id || '{k}g') LIMIT 3);
        UPDATE experts SET center_code = '433101', enrolled_at = enrolled_at + interval '400 days'
         WHERE expert_id IN (SELECT expert_id FROM experts ORDER BY md5(expert_id || '{k}h') LIMIT 2);
        DELETE FROM experts WHERE expert_id IN
            (SELECT expert_id FROM experts ORDER BY md5(expert_id || '{k}i') LIMIT 1);
        INSERT INTO experts (expert_id, center_code, enrolled_at)
        VALUES ('NEW{k}', '430102', timestamptz '2021-12-31 23:50+08');
        INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at, attended,
                                 fee_amount, fee_paid_online, rating, violation)
        SELECT 'X{k}-' || g, 'none', 'E' || g, '430102', timestamptz '2021-12-31 23:45+08' - g * interval '30 days',
               true, 800.08, g % 2 = 0, CASE WHEN g = 1 THEN 88.5 END, g = 2
          FROM generate_series(1, 3) g;
        {late}
    """.format(k=k, late=back_dated("assignments", "assignment_id IN (SELECT assignment_id FROM "
                                    "assignments ORDER BY md5(assignment_id || '%sc') LIMIT 2)" % k,
                                    "1 day")))


def slow_commit(pg, i):
    """A real late commit: the row's updated_at is the transaction's start
    (now()), and it commits 1.5 s later, after polls have moved on."""
    return subprocess.Popen(
        ["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres", "-d", "trading",
         "-c", "BEGIN; UPDATE deals SET deal_amount = deal_amount + 0.11 WHERE deal_id IN "
               "(SELECT deal_id FROM deals ORDER BY md5(deal_id || '%dslow') LIMIT 3); "
               "SELECT pg_sleep(1.5); COMMIT;" % i],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


LINE = re.compile(r"source (\w+): (?:(\w+): no watermark yet, (loading history)|"
                  r"(poll|reconciliation) (started|done|failed))")


def phases(log):
    """What each source was doing at the end of LOG: 'load', 'poll',
    'reconcile' or 'idle'."""
    state = {s: "idle" for s in SOURCES}
    for m in LINE.finditer(log):
        src = m.group(1)
        if src not in state:
            continue
        if m.group(3):
            state[src] = "load"
        elif m.group(5) == "started":
            state[src] = "poll" if m.group(4) == "poll" else "reconcile"
        else:
            state[src] = "idle"
    return state


def wait_phase(daemon, since, want, timeout):
    """Waits until some source is in phase WANT in the log after offset
    SINCE; returns whether it happened."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        log = daemon.read_log()
        if want in phases(log[since:]).values() or (
                want == "load" and "loading history" in log[since:]):
            return True
        time.sleep(0.002)
    return False


# ggzy.person_year against the images it is made of: rows missing or
# extra (an independent GROUP BY of the assignments attended).
PEOPLE_DRIFT = """
WITH want AS (
    SELECT i.stream, i.source, 2::smallint AS position, extract(year FROM i.day)::smallint AS year,
           i.center, i.person, count(*)::integer AS images
      FROM ggzy.image i
     WHERE i.stream = 3 AND i.m2 IS NOT NULL AND i.person IS NOT NULL
     GROUP BY 1, 2, 3, 4, 5, 6),
have AS (SELECT stream, source, position, year, center, person, images FROM ggzy.person_year)
SELECT 'missing', count(*) FROM (SELECT * FROM want EXCEPT SELECT * FROM have) a
UNION ALL
SELECT 'extra', count(*) FROM (SELECT * FROM have EXCEPT SELECT * FROM want) b"""


def people_drift(pg):
    return [r for r in pg.rows("store", PEOPLE_DRIFT) if r[1] != "0"]


def main():
    seed = int(os.environ.get("GGZY_CRASH_SEED", random.randrange(1 << 30)))
    kills = int(os.environ.get("GGZY_CRASH_KILLS", "32"))
    print("test_crash: seed %d, %d kills (GGZY_CRASH_SEED=%d replays it)" % (seed, kills, seed))
    rng = random.Random(seed)
    ck = Checker("test_crash")
    pg = PgServer("crash")
    work = work_dir("crash")
    daemon = None
    t0 = time.time()
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 4000)
        load(pg, "deposit", "deposit.sql", "deposit_data.sql", 4000)
        load(pg, "expert", "expert.sql", "expert_data.sql", 1000)
        pg.psql("expert", source_sql("expert_pool.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "expert_pool_data.sql")) as f:
            pg.psql("expert", f.read())
        age_history(pg, "trading", ["deals"])
        age_history(pg, "deposit", ["deposits"])
        age_history(pg, "expert", ["evaluations", "assignments", "experts"])
        pg.createdb("store")

        port = free_port()
        opts = {s: {"interval": "1s", "overlap": "5m", "reconcile_interval": "2s", "reconcile_old_interval": "2s",
                    "statement_timeout": "10s"} for s in SOURCES}
        cfg = config_text(port, pg.conninfo("store"), {s: pg.conninfo(s) for s in SOURCES},
                          source_opts=opts)
        cfg = re.sub(r"log_level = \w+", "log_level = debug", cfg)
        daemon = Daemon(work, cfg)

        hits = {p: 0 for p in PHASES + ("idle",)}
        slow = []
        loaded = False  # every stream has a watermark: no restart may reload history
        for i in range(kills):
            # The first kills go to the initial load; then poll and
            # reconciliation in a seeded random order.
            want = "load" if not loaded and i < 4 else rng.choice(["poll", "reconcile", "reconcile"])
            since = len(daemon.read_log()) if os.path.exists(daemon.log_path) else 0
            daemon.start(wait_ready=False)
            if i % 2 == 1:
                mutate(pg, i)
            if i % 5 == 2:
                slow.append(slow_commit(pg, i))
            reached = wait_phase(daemon, since, want, timeout=8)
            # A load of these few thousand rows takes tens of milliseconds,
            # a poll of the changed rows a few.
            time.sleep(rng.uniform(0.0, {"load": 0.03, "poll": 0.003}.get(want, 0.08)))
            ck.eq(daemon.kill9(), -9, "kill %d" % i)
            log = daemon.read_log()[since:]
            state = phases(log)
            hit = sorted(set(v for v in state.values()))
            for p in hit:
                hits[p] += 1
            print("kill %2d: wanted %-9s reached=%-5s at %5.1fs, sources: %s" % (
                i, want, reached, time.time() - t0,
                " ".join("%s=%s" % (s, state[s]) for s in SOURCES)))
            if loaded:
                ck.true("loading history" not in log, "restart %d does not reload history" % i)
            if i % 2 == 0:
                mutate(pg, i)  # while the daemon is down
            if not loaded:
                # every stream the collectors read (not the store's own)
                loaded = int(pg.rows("store", "SELECT count(*) FROM ggzy.stream_state st "
                                              "JOIN ggzy.stream s ON s.id = st.stream "
                                              "WHERE st.state = 'loaded' AND NOT s.derived")[0][0]) == 8
        for p in slow:
            p.wait(timeout=30)
        print("phases hit: %s" % hits)
        for p in PHASES:
            ck.true(hits[p] >= MIN_HITS, "phase %s hit %d times (want at least %d)" % (p, hits[p], MIN_HITS))

        code, out, err = run_daemon(daemon.config, "--once", timeout=120)
        ck.eq(code, 0, "--once after the last kill (%s)" % err[-500:])
        n = se.compare_store(ck, pg, "store", [(pg, s) for s in SOURCES], "after %d kills" % kills)
        print("compared %d figures (metric, day, label set) with the sources in %.1fs" % (
            n, time.time() - t0))
        # The comparison is not vacuous: one more round of changes, not yet
        # polled, must show up as differences.
        mutate(pg, kills)
        control = Checker("control")
        se.compare_store(control, pg, "store", [(pg, s) for s in SOURCES], "control")
        ck.true(len(control.failures) >= 10, "unpolled changes are seen as differences (%d)"
                % len(control.failures))
        # A restarted daemon repairs them with a poll and a reconciliation
        # of every source, and serves the result over HTTP.
        since = len(daemon.read_log())
        daemon.start()
        wait_until(lambda: all("source %s: reconciliation done" % src in daemon.read_log()[since:]
                               for src in SOURCES), timeout=60, what="a reconciliation of every source")
        se.compare_store(ck, pg, "store", [(pg, s) for s in SOURCES], "after the last changes")
        want = sum(v for k, v in se.expected_buckets(pg, "trading").items()
                   if k[0] == "deal_amount" and k[1].startswith("2021"))
        status, body = daemon.get("/api/v1/series?metric=deal_amount&from=2021-01-01&to=2021-12-31&step=year")
        ck.eq(body["points"][0]["value"] if status == 200 else body, str(want), "2021 deal_amount over HTTP")
        # The figures that are not sums of days: stocks, people counted
        # once, the deals remotely evaluated (two sources joined).
        se.compare_extra(ck, daemon, pg.rows, se.subtrees(pg, "trading", "centers"), [2021, 2022],
                         "after the last changes")
        # The people a distinct count of a year reads (ggzy.person_year) are
        # the images' after every kill, move and delete; migration 014 makes
        # the same from the images of a store that lacks them.
        ck.true(int(pg.rows("store", "SELECT count(*) FROM ggzy.person_year")[0][0]) > 100,
                "the store holds the people of the experts' years")
        ck.eq(people_drift(pg), [], "ggzy.person_year after %d kills" % kills)
        ck.eq(daemon.stop(), 0, "clean exit")
        pg.psql("store", "DROP TABLE ggzy.person_year; ALTER TABLE ggzy.measure DROP COLUMN people; "
                         "DELETE FROM ggzy.schema_version WHERE version = 14")
        since = len(daemon.read_log())
        daemon.start()
        ck.true("applying migration store/014_people.sql" in daemon.read_log()[since:],
                "migration 014 applied again")
        ck.eq(people_drift(pg), [], "ggzy.person_year made by migration 014")
        se.compare_extra(ck, daemon, pg.rows, se.subtrees(pg, "trading", "centers"), [2021, 2022],
                         "after migration 014")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
