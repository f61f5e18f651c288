#!/usr/bin/env python3
"""The many-sources benchmark (issue 18, SPEC §12): one daemon, hundreds of
small sources (each a schema of one test cluster), measured from a cold
store until every source is loaded, then idle.

  tests/bench/sources.py                       # 300 trading + 30 deposit + 30 expert, 3 reps
  tests/bench/sources.py --trading 600 --reps 1
  tests/bench/sources.py --smoke               # 12 sources, seconds

Per repetition (a fresh store each time): time until every source's first
load is done and /readyz answers 200; the p50/p99/max of /metrics scraped
in a loop meanwhile; then, with every source polling every --interval,
the database time (pg_stat_statements: planning + execution of top-level
statements, sources and store together) and the daemon's CPU per idle
cycle of all sources, averaged over --cycles cycles; the daemon's RSS idle
and its peak; the connections it holds. Medians over repetitions are
printed. The only check: the province's deal amount equals a SUM over every
platform's deals, to the fen. Python 3 standard library only; see
tests/bench/README.md.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
sys.path.insert(0, HERE)
from harness import PgServer, free_port, source_sql  # noqa: E402
from run import machine, proc_cpu_ns, proc_status, store_sizes  # noqa: E402

TZ = "Asia/Shanghai"


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def county(i):
    return "43%04d" % (1000 + i)


AGE_ROWS = """
SET session_replication_role = replica;  -- no touch trigger
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT table_schema, table_name FROM information_schema.columns
            WHERE column_name = 'updated_at' AND table_schema ~ '^[tde][0-9]+$' LOOP
    EXECUTE format('UPDATE %I.%I SET updated_at = updated_at - interval ''1 day''',
                   r.table_schema, r.table_name);
  END LOOP; END $$;
RESET session_replication_role;"""


def make_sources(pg, n_trading, n_deposit, n_expert, deals):
    """One schema per platform: trading t001.. (one county each, DEALS deals
    over 2021-2022), deposit d01.. and expert e01.. each serving a slice of
    the counties. Returns {source name: (database, schema)}."""
    for db in ("trading", "deposit", "expert"):
        pg.createdb(db)
    out = {}
    kinds = (("trading", "t%03d", n_trading, "trading.sql"), ("deposit", "d%02d", n_deposit, "deposit.sql"),
             ("expert", "e%02d", n_expert, "expert.sql"))
    for kind, fmt, n, contract in kinds:
        ddl = source_sql(contract)
        script = []
        for i in range(1, n + 1):
            schema = fmt % i
            script.append("CREATE SCHEMA %s; SET search_path = %s;\n%s" % (schema, schema, ddl))
            if kind == "trading":
                script.append(trading_rows(i, deals))
            else:
                served = [county(c) for c in range(1, n_trading + 1) if (c - 1) % n == i - 1]
                script.append((deposit_rows if kind == "deposit" else expert_rows)(schema, served))
            out["%s.%s" % (kind, schema)] = (kind, schema)
        # The rows were written a day ago: an idle poll then has nothing in
        # its overlap window (rows written in the last `overlap` are read
        # again by every poll, for late commits; README, overlap).
        script.append(AGE_ROWS)
        pg.psql(kind, "\n".join(script))
    for db in ("trading", "deposit", "expert"):
        pg.psql(db, "VACUUM ANALYZE")
    return out


def trading_rows(i, deals):
    c = county(i)
    return """
        INSERT INTO centers VALUES ('430000', '湖南省', NULL, 'province'), ('{c}', '县{i}', '430000', 'county');
        INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, budget_amount,
                           deal_at, fully_electronic, remote_opening, status, service_fee)
        SELECT 'D' || g, 'p' || g, '{c}', (ARRAY['engineering', 'gov_procurement', 'medical'])[1 + g % 3],
               'open', {i} * 1000 + g * 1.01, {i} * 1100 + g * 1.11,
               timestamptz '2021-01-01 10:00+08' + g * (interval '730 days' / {n}),
               g % 5 <> 0, g % 7 = 0, CASE WHEN g % 50 = 0 THEN 'cancelled' ELSE 'awarded' END, 1.5
          FROM generate_series(1, {n}) g;""".format(c=c, i=i, n=deals)


def deposit_rows(schema, served):
    arr = "ARRAY[%s]::text[]" % ",".join("'%s'" % c for c in served) if served else "ARRAY['430000']"
    return """
        INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind, amount,
                              received_at, refunded_at, refund_amount, status)
        SELECT c || '-' || g, 'D' || g, c, 'engineering', 'B' || g % 17,
               (ARRAY['cash', 'e_guarantee', 'e_commitment', 'insurance'])[1 + g % 4], 1000 + g,
               timestamptz '2021-01-02 10:00+08' + g * interval '5 days',
               CASE WHEN g % 3 = 0 THEN NULL ELSE timestamptz '2021-01-20 10:00+08' + g * interval '5 days' END,
               CASE WHEN g % 3 = 0 THEN NULL ELSE 1000 + g END,
               CASE WHEN g % 3 = 0 THEN 'held' ELSE 'refunded' END
          FROM unnest({arr}) c, generate_series(1, 40) g;""".format(arr=arr)


def expert_rows(schema, served):
    arr = "ARRAY[%s]::text[]" % ",".join("'%s'" % c for c in served) if served else "ARRAY['430000']"
    return """
        INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at,
                                 remote, remote_scope, venue_role, status)
        SELECT c || '-' || g, 'D' || g, c, 'engineering', timestamptz '2021-01-05 10:00+08' + g * interval '9 days',
               g % 2 = 0, CASE WHEN g % 2 = 0 THEN 'intra_province' END, CASE WHEN g % 2 = 0 THEN 'host' END, 'done'
          FROM unnest({arr}) c, generate_series(1, 20) g;
        INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at,
                                 attended, fee_amount, fee_paid_online, rating, violation)
        SELECT c || '-' || g || '-' || k, c || '-' || g, 'X' || (g * 3 + k) % 40, c,
               timestamptz '2021-01-05 09:00+08' + g * interval '9 days', true, 300, k <> 2, NULL, false
          FROM unnest({arr}) c, generate_series(1, 20) g, generate_series(1, 3) k;""".format(arr=arr)


class Scraper(threading.Thread):
    """GET /metrics in a loop (one at a time, as Prometheus would, but
    without pause) and keep every latency."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.url = "http://127.0.0.1:%d/metrics" % port
        self.lat = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            t = time.perf_counter()
            try:
                with urllib.request.urlopen(self.url, timeout=10) as r:
                    r.read()
                self.lat.append(time.perf_counter() - t)
            except OSError:
                self.errors += 1
                time.sleep(0.05)


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))] if xs else float("nan")


def get(port, path, timeout=10):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, None


def db_time(pg):
    ms, calls = pg.rows("postgres", """
        SELECT coalesce(sum(s.total_plan_time + s.total_exec_time), 0), coalesce(sum(s.calls), 0)
          FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE s.toplevel AND d.datname <> 'postgres'""")[0]
    return float(ms), int(calls)


def top_statements(pg, n=6):
    """The top-level statements that took longest since the last reset:
    calls, ms, mean ms, the text's start."""
    return pg.rows("postgres", """
        SELECT s.calls, round((s.total_plan_time + s.total_exec_time)::numeric, 1),
               round(((s.total_plan_time + s.total_exec_time) / s.calls)::numeric, 2),
               left(regexp_replace(regexp_replace(s.query, '--[^\\n]*', '', 'g'), '\\s+', ' ', 'g'), 80)
          FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE s.toplevel AND d.datname <> 'postgres' ORDER BY 2 DESC LIMIT %d""" % n)


def one_rep(pg, binary, work, sources, args, rep):
    store = "store%d" % rep
    pg.createdb(store)
    pg.psql("postgres", "SELECT pg_stat_statements_reset()")
    port = free_port()
    conf = os.path.join(work, "%s.conf" % store)
    sdir = os.path.join(work, "%s.d" % store)
    os.makedirs(sdir, exist_ok=True)
    with open(conf, "w") as f:
        f.write("[daemon]\nlisten = 127.0.0.1:%d\ntimezone = %s\nstore = %s\nlog_level = info\n"
                "sources_dir = %s\nmax_active_sources = %d\n"
                % (port, TZ, pg.conninfo(store), sdir, args.max_active))
    # One file per platform, as an operator with hundreds of them would.
    for name, (db, schema) in sources.items():
        with open(os.path.join(sdir, "%s.conf" % name), "w") as f:
            f.write("[source %s]\nconninfo = %s options='-c search_path=%s'\ninterval = %s\n"
                    "reconcile_interval = 24h\n" % (name, pg.conninfo(db), schema, args.interval))
    logf = open(os.path.join(work, "%s.log" % store), "w")
    t0 = time.time()
    proc = subprocess.Popen([binary, "-c", conf], stdout=logf, stderr=subprocess.STDOUT)
    res = {}
    try:
        deadline = t0 + 30
        while get_or_none(port, "/healthz") is None:
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the daemon did not start; see %s" % logf.name)
            time.sleep(0.05)
        scraper = Scraper(port)
        scraper.start()
        deadline = t0 + args.timeout
        while True:
            st, body = get(port, "/api/v1/status")
            if st == 200 and all(s["first_poll_done"] for s in body["sources"]) and \
                    get(port, "/readyz")[0] == 200:
                break
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("not every source became ready in %ds; see %s" % (args.timeout, logf.name))
            time.sleep(0.1)
        res["ready_s"] = time.time() - t0
        res["sources"] = len(body["sources"])
        res["rss_load_peak_kb"] = proc_status(proc.pid, "VmHWM")
        res["load_top"] = top_statements(pg)
        scraper.stop.set()
        scraper.join()
        res["metrics_during_load"] = {"n": len(scraper.lat), "errors": scraper.errors,
                                      "p50_ms": 1000 * pct(scraper.lat, 50),
                                      "p99_ms": 1000 * pct(scraper.lat, 99),
                                      "max_ms": 1000 * max(scraper.lat or [float("nan")])}
        # Idle: let the first polls after the load pass, then measure whole
        # cycles of every source polling once with nothing changed.
        interval = parse_seconds(args.interval)
        time.sleep(interval + 1)
        pg.psql("postgres", "SELECT pg_stat_statements_reset()")
        cpu0 = proc_cpu_ns(proc.pid)
        time.sleep(interval * args.cycles)
        cpu1, (ms, calls) = proc_cpu_ns(proc.pid), db_time(pg)
        res["idle_cycle_db_ms"] = ms / args.cycles
        res["idle_cycle_statements"] = calls / args.cycles
        res["idle_cycle_cpu_ms"] = (cpu1 - cpu0) / 1e6 / args.cycles
        res["idle_top"] = top_statements(pg)
        res["rss_idle_kb"] = proc_status(proc.pid, "VmRSS")
        res["rss_peak_kb"] = proc_status(proc.pid, "VmHWM")
        res["connections"] = int(pg.rows("postgres", "SELECT count(*) FROM pg_stat_activity "
                                         "WHERE application_name = 'ggzy-metricsd'")[0][0])
        scraper = Scraper(port)
        scraper.start()
        time.sleep(3)
        scraper.stop.set()
        scraper.join()
        res["metrics_idle"] = {"n": len(scraper.lat), "p50_ms": 1000 * pct(scraper.lat, 50),
                               "p99_ms": 1000 * pct(scraper.lat, 99)}
        res["store"] = store_sizes(pg, store)
        res["store"]["centre_years"] = int(pg.rows(store, "SELECT count(DISTINCT (center, date_trunc('year', month))) "
                                                   "FROM ggzy.month_total")[0][0])
        # The one check: the province is every platform once, to the fen.
        want = sum_deals(pg, sources)
        q = urllib.parse.urlencode({"metric": "deal_amount", "from": "2021-01-01", "to": "2022-12-31",
                                    "step": "year", "center": "430000"})
        st, body = get(port, "/api/v1/series?" + q)
        got = sum_points(body) if st == 200 else None
        if got != want:
            raise RuntimeError("province deal amount %s, want %s" % (got, want))
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        logf.close()
    return res


def get_or_none(port, path):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=2) as r:
            return r.status
    except OSError:
        return None


def parse_seconds(text):
    units = {"s": 1, "m": 60, "h": 3600}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def sum_deals(pg, sources):
    from decimal import Decimal
    total = Decimal(0)
    parts = ["SELECT sum(deal_amount) FROM %s.deals WHERE status <> 'cancelled'" % schema
             for name, (db, schema) in sources.items() if db == "trading"]
    for i in range(0, len(parts), 100):
        total += Decimal(pg.rows("trading", "SELECT sum(s) FROM (%s) x(s)" % " UNION ALL ".join(parts[i:i + 100]))[0][0])
    return total


def sum_points(body):
    from decimal import Decimal
    return sum((Decimal(p["value"]) for p in body["points"]), Decimal(0))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trading", type=int, default=300)
    ap.add_argument("--deposit", type=int, default=30)
    ap.add_argument("--expert", type=int, default=30)
    ap.add_argument("--deals", type=int, default=200, help="deals per trading platform")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--cycles", type=int, default=3, help="idle cycles measured per repetition")
    ap.add_argument("--interval", default="10s", help="every source's poll interval")
    ap.add_argument("--max-active", type=int, default=8, help="max_active_sources")
    ap.add_argument("--timeout", type=int, default=900, help="seconds allowed until ready")
    ap.add_argument("--daemon", help="the binary (default build/rel, else build/test)")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--keep", action="store_true", help="keep the cluster and the daemon's logs")
    ap.add_argument("--smoke", action="store_true", help="8 + 2 + 2 sources, one repetition")
    args = ap.parse_args()
    if args.smoke:
        args.trading, args.deposit, args.expert, args.reps, args.cycles, args.interval = 8, 2, 2, 1, 1, "3s"
    binary = args.daemon or next((p for p in (os.path.join(SOURCE_DIR, "build", b, "ggzy-metricsd")
                                              for b in ("rel", "test")) if os.path.exists(p)), None)
    if not binary:
        sys.exit("no daemon built: cmake -S . -B build/rel -DCMAKE_BUILD_TYPE=Release && cmake --build build/rel")
    n = args.trading + args.deposit + args.expert
    pg = PgServer("bench-sources", settings={
        "max_connections": str(n + 100), "shared_buffers": "1GB",
        "shared_preload_libraries": "pg_stat_statements", "pg_stat_statements.track": "all"})
    work = tempfile.mkdtemp(prefix="ggzy-bench-sources-")
    try:
        pg.psql("postgres", "CREATE EXTENSION pg_stat_statements")
        t = time.time()
        sources = make_sources(pg, args.trading, args.deposit, args.expert, args.deals)
        log("%d sources made in %.1fs (%s)" % (n, time.time() - t, binary))
        reps = []
        for rep in range(args.reps):
            r = one_rep(pg, binary, work, sources, args, rep)
            log("rep %d: ready in %.1fs, idle cycle %.0f ms db / %.0f ms cpu, RSS %d MB"
                % (rep + 1, r["ready_s"], r["idle_cycle_db_ms"], r["idle_cycle_cpu_ms"], r["rss_idle_kb"] // 1024))
            reps.append(r)
        report(args, binary, n, reps)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), "machine": machine(), "reps": reps}, f, indent=1)
    finally:
        if args.keep:
            os.environ["GGZY_KEEP"] = "1"  # the harness then keeps the cluster's directory
            log("kept: %s (cluster, stopped), %s (configuration and logs)" % (pg.dir, work))
        else:
            shutil.rmtree(work, ignore_errors=True)
        pg.close()


def report(args, binary, n, reps):
    def m(key, sub=None):
        return median([r[key][sub] if sub else r[key] for r in reps])
    print("ggzy-metricsd, %d sources (%d trading of %d deals, %d deposit, %d expert), interval %s, "
          "max_active_sources %d, %d rep(s), medians" % (n, args.trading, args.trading and args.deals,
                                                         args.deposit, args.expert, args.interval,
                                                         args.max_active, len(reps)))
    rows = [
        ("time until every source is loaded and /readyz is 200", "%.1f s" % m("ready_s")),
        ("/metrics meanwhile: p50 / p99 / max (scrapes)", "%.1f / %.1f / %.1f ms (%d)" % (
            m("metrics_during_load", "p50_ms"), m("metrics_during_load", "p99_ms"),
            m("metrics_during_load", "max_ms"), m("metrics_during_load", "n"))),
        ("idle cycle of all sources: database time (sources + store)", "%.0f ms" % m("idle_cycle_db_ms")),
        ("idle cycle: statements", "%.0f" % m("idle_cycle_statements")),
        ("idle cycle: daemon CPU", "%.0f ms" % m("idle_cycle_cpu_ms")),
        ("daemon RSS idle / peak", "%.1f / %.1f MB" % (m("rss_idle_kb") / 1024, m("rss_peak_kb") / 1024)),
        ("connections the daemon holds", "%d" % m("connections")),
        ("/metrics idle: p50 / p99", "%.1f / %.1f ms" % (m("metrics_idle", "p50_ms"), m("metrics_idle", "p99_ms"))),
    ]
    st = reps[-1]["store"]
    rows.append(("store: size / image rows / bytes per image (with indexes)", "%.1f MB / %d / %.0f B" % (
        st["store_bytes"] / 2**20, st["image_rows"], st["image_bytes"] / max(1, st["image_rows"]))))
    rows.append(("store: totals (day + month) per centre-year", "%.1f kB over %d centre-years" % (
        (st["day_total_bytes"] + st["month_total_bytes"]) / 1024 / max(1, st["centre_years"]), st["centre_years"])))
    w = max(len(a) for a, _ in rows)
    for a, b in rows:
        print("  %-*s  %s" % (w, a, b))
    for what, key in (("the load", "load_top"), ("the idle cycles", "idle_top")):
        print("  slowest statements of %s (last rep): calls, ms, mean ms, text" % what)
        for calls, ms, mean, text in reps[-1][key]:
            print("    %6s %8s %7s  %s" % (calls, ms, mean, text))


if __name__ == "__main__":
    main()
