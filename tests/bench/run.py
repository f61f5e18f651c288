#!/usr/bin/env python3
"""The benchmark of issue 8: one command that generates the three sources at
the asked scales, runs every measurement against the real daemon (and its
peers) on a private PostgreSQL, and prints a table. Figures are printed, not
asserted; the only checks are that every phase completes and that the
daemon's figures at the end equal a GROUP BY over the source, to the fen.

  tests/bench/run.py --deals 1000000,10000000          # the published run
  tests/bench/run.py --smoke                            # CI: 2,000 deals, seconds

Python 3 standard library only. See tests/bench/README.md.
"""
import argparse
import gzip
from decimal import Decimal
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_DIR = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(SOURCE_DIR, "tests", "integration"))
from harness import PgServer, free_port  # noqa: E402

TZ = "Asia/Shanghai"
NOW = "2026-12-31T12:00:00"     # the daemon's clock: the current year is 2026
YEAR = 2026
SOURCES = ("trading", "expert", "deposit")
SEED = 8000


def log(msg):
    print("[%s] %s" % (time.strftime("%H:%M:%S"), msg), file=sys.stderr, flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


# ---------------------------------------------------------------- PostgreSQL

class BenchPg(PgServer):
    """The harness's throw-away server with settings for a benchmark:
    pg_stat_statements for server-side database time, memory for 24 GB."""

    def __init__(self, shared_buffers):
        self.shared_buffers = shared_buffers
        super().__init__("bench")

    def start(self):
        opts = ("-k %s -p %d -c listen_addresses='' -c fsync=off -c synchronous_commit=off "
                "-c full_page_writes=off -c max_connections=50 "
                "-c shared_buffers=%s -c work_mem=64MB -c maintenance_work_mem=1GB "
                "-c max_wal_size=16GB -c checkpoint_timeout=30min "
                "-c shared_preload_libraries=pg_stat_statements "
                "-c pg_stat_statements.track=all -c pg_stat_statements.max=10000 "
                "-c pg_stat_statements.track_planning=on "
                "-c track_io_timing=on" % (self.sock, self.port, self.shared_buffers))
        self._run([os.path.join(self.bindir, "pg_ctl"), "-D", self.data, "-o", opts,
                   "-l", os.path.join(self.dir, "server.log"), "-w", "start"])

    def psql_file(self, db, path, variables=None):
        cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.sock, "-p", str(self.port),
               "-U", "postgres", "-d", db, "-f", path, "-o", "/dev/null"]
        for k, v in (variables or {}).items():
            cmd += ["-v", "%s=%s" % (k, v)]
        return cmd

    def db_time(self):
        """Server-side planning and execution time (ms) and calls of
        top-level statements since the last reset, per database."""
        out = {}
        for db, ms, calls in self.rows("postgres", """
                SELECT d.datname, sum(s.total_plan_time + s.total_exec_time), sum(s.calls)
                  FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
                 WHERE s.toplevel AND d.datname <> 'postgres'
                 GROUP BY 1"""):
            out[db] = (float(ms), int(calls))
        return out

    def reset_stats(self):
        self.psql("postgres", "SELECT pg_stat_statements_reset()")


def run_parallel(cmds):
    procs = [subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
             for c in cmds]
    for p, c in zip(procs, cmds):
        out, _ = p.communicate()
        if p.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(c), out))


def contract_indexes(source):
    with open(os.path.join(SOURCE_DIR, "sql", "contract", source + ".sql")) as f:
        text = f.read()
    return [m.group(0) for m in re.finditer(r"CREATE INDEX[^;]*;", text)]


def generate(pg, deals, jobs):
    """Three source databases from the contract DDL and gen_*.sql, indexes
    built after the load, then VACUUM ANALYZE (what a real source has)."""
    for s in SOURCES:
        pg.createdb(s)
        pg.psql(s, open(os.path.join(SOURCE_DIR, "sql", "contract", s + ".sql")).read())
        pg.psql(s, open(os.path.join(HERE, "gen_common.sql")).read())
    t0 = time.time()
    cmds = [pg.psql_file(s, os.path.join(HERE, "gen_%s.sql" % s), {"deals": deals, "seed": SEED})
            for s in SOURCES]
    for i in range(0, len(cmds), jobs):
        run_parallel(cmds[i:i + jobs])
    t1 = time.time()
    for s in SOURCES:
        pg.psql(s, "\n".join(contract_indexes(s)))
    run_parallel([["psql", "-X", "-q", "-h", pg.sock, "-p", str(pg.port), "-U", "postgres",
                   "-d", s, "-c", "VACUUM ANALYZE"] for s in SOURCES])
    t2 = time.time()
    counts = {}
    for s, tables in (("trading", ["deals"]), ("expert", ["evaluations", "assignments"]),
                      ("deposit", ["deposits"])):
        for t in tables:
            counts[t] = int(pg.rows(s, "SELECT count(*) FROM %s" % t)[0][0])
    size = pg.rows("postgres", "SELECT pg_size_pretty(sum(pg_database_size(datname))) "
                   "FROM pg_database WHERE datname IN ('trading','expert','deposit')")[0][0]
    return {"load_s": t1 - t0, "index_s": t2 - t1, "rows": counts, "size": size}


# ---------------------------------------------------------------- the daemon

def proc_cpu_ns(pid):
    """CPU time of a single-threaded process in ns (schedstat is exact; the
    daemon is one thread, libevent and async libpq)."""
    try:
        with open("/proc/%d/schedstat" % pid) as f:
            return int(f.read().split()[0])
    except OSError:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) * 10**9 // os.sysconf("SC_CLK_TCK")


def proc_status(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])  # kB
    return 0


class Daemon:
    def __init__(self, binary, workdir, pg, store_db):
        self.binary = binary
        self.port = free_port()
        self.config = os.path.join(workdir, "bench.conf")
        self.log_path = os.path.join(workdir, "daemon.log")
        text = ("[daemon]\nlisten = 127.0.0.1:%d\ntimezone = %s\nstore = %s\nlog_level = warn\n"
                % (self.port, TZ, pg.conninfo(store_db)))
        for s in SOURCES:
            # overlap = 0s: each measured poll sees exactly the rows its own
            # step changed (the default 5m re-reads the last five minutes).
            text += ("\n[source %s]\nconninfo = %s\ninterval = 1h\noverlap = 0s\n"
                     "reconcile_interval = 1d\nstatement_timeout = 1h\n" % (s, pg.conninfo(s)))
        with open(self.config, "w") as f:
            f.write(text)
        self.proc = None

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def start(self, timeout):
        self.log = open(self.log_path, "a")
        t0 = time.time()
        self.proc = subprocess.Popen([self.binary, "-c", self.config, "--now", NOW],
                                     stdout=self.log, stderr=self.log)
        deadline = t0 + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited:\n" + open(self.log_path).read()[-3000:])
            try:
                with urllib.request.urlopen(self.url("/readyz"), timeout=5) as r:
                    if r.status == 200:
                        return time.time() - t0
            except (OSError, urllib.error.HTTPError):
                pass
            time.sleep(0.02)
        raise RuntimeError("daemon not ready after %ss" % timeout)

    def cpu_ns(self):
        return proc_cpu_ns(self.proc.pid)

    def hwm_kb(self):
        return proc_status(self.proc.pid, "VmHWM")

    def refresh(self):
        req = urllib.request.Request(self.url("/api/v1/refresh"), data=b"", method="POST")
        with urllib.request.urlopen(req, timeout=3600) as r:
            body = json.loads(r.read())
        if not body["ok"]:
            raise RuntimeError("refresh failed: %s" % body)
        return body["sources"]

    def get(self, path, gzipped=False):
        req = urllib.request.Request(self.url(path),
                                     headers={"Accept-Encoding": "gzip"} if gzipped else {})
        with urllib.request.urlopen(req, timeout=600) as r:
            body = r.read()
            if r.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            elif gzipped:
                raise RuntimeError("%s: asked for gzip, got %s" % (path, r.headers))
        return body.decode()

    def stop(self):
        if self.proc:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc = None
            self.log.close()

    def once(self):
        """--once (a poll and a reconciliation of every source) as a child
        process: wall time, CPU and peak RSS from wait4."""
        t0 = time.time()
        with open(self.log_path, "a") as logf:
            p = subprocess.Popen([self.binary, "-c", self.config, "--once", "--now", NOW],
                                 stdout=logf, stderr=logf)
            _, status, ru = os.wait4(p.pid, 0)
        wall = time.time() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("--once failed:\n" + open(self.log_path).read()[-3000:])
        return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss


# ---------------------------------------------------------------- measurements

def fresh_store(pg, name):
    pg.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    pg.createdb(name)


def source_ms(dbt):
    return sum(dbt.get(s, (0, 0))[0] for s in SOURCES)


def measure_floor(pg, reps):
    """The same aggregations as bare GROUP BY queries in psql, the three
    sources at once (as the daemon runs them)."""
    walls, dbs = [], []
    for _ in range(reps):
        pg.reset_stats()
        t0 = time.time()
        run_parallel([pg.psql_file(s, os.path.join(HERE, "floor_%s.sql" % s)) for s in SOURCES])
        walls.append(time.time() - t0)
        dbs.append(source_ms(pg.db_time()))
    return {"wall_s": median(walls), "db_ms": median(dbs)}


def measure_backfill(pg, binary, work, reps):
    """Cold backfill: an empty store, the daemon started until /readyz (every
    source finished its first poll, which is a load of all history)."""
    res = []
    daemon = None
    for i in range(reps):
        if daemon:
            daemon.stop()
        fresh_store(pg, "store")
        pg.reset_stats()
        daemon = Daemon(binary, work, pg, "store")
        wall = daemon.start(timeout=7200)
        dbt = pg.db_time()
        res.append({"wall_s": wall, "cpu_s": daemon.cpu_ns() / 1e9,
                    "src_ms": source_ms(dbt), "store_ms": dbt.get("store", (0, 0))[0],
                    "hwm_kb": daemon.hwm_kb()})
        log("  backfill %d: %.2fs" % (i + 1, wall))
    out = {k: median([r[k] for r in res]) for k in res[0]}
    buckets = int(pg.rows("store", "SELECT count(*) FROM ggzy.bucket")[0][0])
    out["buckets"] = buckets
    return out, daemon


def measure_poll(pg, daemon, reps, change=None):
    """One POST /api/v1/refresh (a poll of every source) after CHANGE(rep):
    database time per database and the daemon's CPU."""
    res = []
    for i in range(reps):
        if change:
            change(i)
        pg.reset_stats()
        c0 = daemon.cpu_ns()
        t0 = time.time()
        summary = daemon.refresh()
        wall = time.time() - t0
        cpu = (daemon.cpu_ns() - c0) / 1e6
        dbt = pg.db_time()
        res.append({"wall_ms": wall * 1000, "cpu_ms": cpu, "src_ms": source_ms(dbt),
                    "trading_ms": dbt.get("trading", (0, 0))[0],
                    "store_ms": dbt.get("store", (0, 0))[0],
                    "rows": sum(s["rows"] for s in summary)})
    return {k: median([r[k] for r in res]) for k in res[0]}


def change_rows(pg, deals, spread):
    """An UPDATE of 1,000 deals: amount corrections of one fen. spread: rows
    across the whole history (every day a different one, ~1,000 days hit);
    otherwise 1,000 deals of the last days of the current year (today's
    traffic). Deterministic per repetition."""
    n = min(1000, deals)

    def change(rep):
        if spread:
            step = max(deals // n, 1)
            where = ("deal_id IN (SELECT 'D' || lpad((1 + ((k * %d + %d) %% %d))::text, 9, '0') "
                     "FROM generate_series(0, %d) AS k)" % (step, rep, deals, n - 1))
        else:
            where = ("deal_id IN (SELECT deal_id FROM deals WHERE deal_at >= timestamptz "
                     "'%d-12-30 00:00+08' ORDER BY deal_id LIMIT %d OFFSET %d)"
                     % (YEAR, n, 0))
        out = pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 0.01 "
                      "WHERE %s" % where)
        return out
    return change


def wrk(url, seconds, conns=8, headers=()):
    hdr = [a for h in headers for a in ("-H", h)]
    out = subprocess.run(["wrk", "-t1", "-c%d" % conns, "-d%ds" % seconds, "--latency",
                          "--timeout", "10s"] + hdr + [url],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=seconds + 60).stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    p50 = re.search(r"^\s+50%\s+([\d.]+)(us|ms|s)\b", out, re.M)
    errs = re.search(r"Non-2xx or 3xx responses: (\d+)", out)

    def ms(m):
        if not m:
            return float("nan")
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    if errs:
        raise RuntimeError("wrk %s: %s non-2xx responses" % (url, errs.group(1)))
    return {"rps": float(rps.group(1)) if rps else float("nan"), "p50_ms": ms(p50),
            "p99_ms": ms(p99)}


SERVE = [
    ("/metrics", "/metrics"),
    ("/metrics, plain text", "/metrics"),
    ("series (1 year, monthly)",
     "/api/v1/series?metric=deal_amount&from=%d-01-01&to=%d-12-31&step=month" % (YEAR, YEAR)),
    ("report", "/api/v1/report?year=%d" % YEAR),
]


def measure_serving(pg, daemon, seconds):
    out = {}
    for name, path in SERVE:
        # Prometheus asks for gzip; the plain text is measured too.
        gz = name == "/metrics"
        body = daemon.get(path)  # warm, and its size
        pg.reset_stats()
        r = wrk(daemon.url(path), seconds, headers=["Accept-Encoding: gzip"] if gz else [])
        if gz:
            req = urllib.request.Request(daemon.url(path), headers={"Accept-Encoding": "gzip"})
            with urllib.request.urlopen(req) as resp:
                r["gzip_bytes"] = len(resp.read())
        dbt = pg.db_time()
        r["store_ms_per_req"] = (dbt.get("store", (0, 0))[0] /
                                 max(r["rps"] * seconds, 1))
        r["bytes"] = len(body.encode())
        out[name] = r
    return out


def measure_reconcile(pg, daemon, reps):
    """--once on a current store (a reconciliation that finds nothing), and
    after the store's fingerprints of the current year were spoilt (a
    reconciliation that recomputes the whole year)."""
    res_clean, res_year = [], []
    for _ in range(reps):
        pg.reset_stats()
        wall, cpu, rss = daemon.once()
        dbt = pg.db_time()
        res_clean.append({"wall_s": wall, "cpu_s": cpu, "src_ms": source_ms(dbt),
                          "store_ms": dbt.get("store", (0, 0))[0]})
        pg.psql("store", "UPDATE ggzy.day_state SET fingerprint = fingerprint + 1 "
                "WHERE day BETWEEN '%d-01-01' AND '%d-12-31'" % (YEAR, YEAR))
        pg.reset_stats()
        wall, cpu, rss = daemon.once()
        dbt = pg.db_time()
        res_year.append({"wall_s": wall, "cpu_s": cpu, "src_ms": source_ms(dbt),
                         "store_ms": dbt.get("store", (0, 0))[0], "maxrss_kb": rss})
    return ({k: median([r[k] for r in res_clean]) for k in res_clean[0]},
            {k: median([r[k] for r in res_year]) for k in res_year[0]})


# ---------------------------------------------------------------- correctness

CHECKS = [
    ("trading", "deals_count",
     "count(*) FILTER (WHERE status = 'awarded')", "deals", "deal_at", "center_code, category"),
    ("trading", "deal_amount",
     "coalesce(sum(deal_amount) FILTER (WHERE status = 'awarded'), 0)", "deals", "deal_at",
     "center_code, category"),
    ("expert", "expert_fee_amount", "sum(fee_amount)", "assignments", "drawn_at", "center_code"),
    ("deposit", "deposit_amount", "sum(amount)", "deposits", "received_at",
     "center_code, category, kind"),
]


def parse_metrics(text, names):
    """{(catalogue name, labels...): value}; NAMES maps /metrics series names
    to the catalogue's (GET /api/v1/metrics)."""
    out = {}
    for line in text.splitlines():
        m = re.match(r"^(ggzy_\w+)\{([^}]*)\} (\S+)$", line)
        if m and m.group(1) in names:
            labels = tuple(v for v in re.findall(r'="([^"]*)"', m.group(2)))
            out[(names[m.group(1)],) + labels] = m.group(3)
    return out


def check_figures(pg, daemon):
    """/metrics against a GROUP BY over the sources for the current year."""
    names = {m["exposition"]: m["name"] for m in json.loads(daemon.get("/api/v1/metrics"))["metrics"]}
    got = parse_metrics(daemon.get("/metrics"), names)
    if parse_metrics(daemon.get("/metrics", gzipped=True), names) != got:
        return 1, ["/metrics with gzip differs from the plain text"]
    bad, n = [], 0
    for db, metric, expr, table, at, labels in CHECKS:
        rows = pg.rows(db, """
            SELECT %s, %s::text FROM %s
             WHERE %s >= timestamptz '%d-01-01 00:00+08' AND %s < timestamptz '%d-01-01 00:00+08'
             GROUP BY %s""" % (labels, expr, table, at, YEAR, at, YEAR + 1, labels))
        for r in rows:
            key = (metric,) + tuple(r[:-1])
            want = r[-1]
            n += 1
            # Exact decimal comparison (amounts written with two decimals);
            # a label set the daemon leaves out must be zero in the source.
            have = got.get(key)
            amount_ok = have is None or metric.endswith("_count") or \
                re.fullmatch(r"-?\d+\.\d\d", have)
            if Decimal(have or "0") != Decimal(want) or not amount_ok:
                bad.append("%s: daemon %s, source %s" % (key, got.get(key), want))
    return n, bad


# ---------------------------------------------------------------- peers

PEER_SQL = """SELECT center_code AS center, category,
       count(*) FILTER (WHERE status = 'awarded') AS deals_count,
       coalesce(sum(deal_amount) FILTER (WHERE status = 'awarded'), 0) AS deal_amount,
       coalesce(sum(budget_amount) FILTER (WHERE status = 'awarded'), 0) AS budget_amount,
       coalesce(sum(budget_amount - deal_amount) FILTER (WHERE status = 'awarded' AND budget_amount IS NOT NULL), 0) AS savings_amount,
       coalesce(sum(reserve_price) FILTER (WHERE status = 'awarded'), 0) AS reserve_amount,
       coalesce(sum(deal_amount - reserve_price) FILTER (WHERE status = 'awarded' AND reserve_price IS NOT NULL), 0) AS premium_amount,
       count(*) FILTER (WHERE status = 'awarded' AND fully_electronic) AS fully_electronic_count,
       count(*) FILTER (WHERE status = 'awarded' AND opened_at IS NOT NULL) AS opened_count,
       count(*) FILTER (WHERE status = 'awarded' AND opened_at IS NOT NULL AND remote_opening) AS remote_opening_count,
       coalesce(sum(service_fee) FILTER (WHERE status = 'awarded'), 0) AS service_fee_amount,
       count(*) FILTER (WHERE status = 'cancelled') AS cancelled_count
  FROM deals
 WHERE deal_at >= timestamptz '%d-01-01 00:00+08' AND deal_at < timestamptz '%d-01-01 00:00+08'
 GROUP BY 1, 2""" % (YEAR, YEAR + 1)
# prometheus-sql-exporter runs its queries on a timer of its own, never on a
# scrape (a scrape returns the last run's figures). A short interval here so
# that a run can be timed; users set minutes.
SQL_EXPORTER_INTERVAL = 5
PEER_VALUES = ["deals_count", "deal_amount", "budget_amount", "savings_amount", "reserve_amount",
               "premium_amount", "fully_electronic_count", "opened_count", "remote_opening_count",
               "service_fee_amount", "cancelled_count"]


def peer_configs(work, pg):
    """Config files of the two peers, the trading aggregation of the current
    year written the way their users write it."""
    pe = os.path.join(work, "postgres_exporter_queries.yaml")
    with open(pe, "w") as f:
        f.write("ggzy_trading:\n  query: |\n")
        for line in PEER_SQL.splitlines():
            f.write("    %s\n" % line)
        f.write("  metrics:\n    - center:\n        usage: LABEL\n        description: centre\n"
                "    - category:\n        usage: LABEL\n        description: category\n")
        for v in PEER_VALUES:
            f.write("    - %s:\n        usage: GAUGE\n        description: %s\n" % (v, v))
    se = os.path.join(work, "sql_exporter.yml")
    with open(se, "w") as f:
        f.write("jobs:\n- name: ggzy_trading\n  interval: '%ds'\n  connections:\n"
                "  - 'postgres://postgres@/trading?host=%s&port=%d&sslmode=disable'\n"
                "  queries:\n  - name: ggzy_trading\n    help: trading figures, year to date\n"
                "    labels: [center, category]\n    values: [%s]\n    query: |\n"
                % (SQL_EXPORTER_INTERVAL, pg.sock, pg.port, ", ".join(PEER_VALUES)))
        for line in PEER_SQL.splitlines():
            f.write("      %s\n" % line)
    return pe, se


def http_get(url, timeout=600):
    t0 = time.time()
    with urllib.request.urlopen(url, timeout=timeout) as r:
        body = r.read()
    return time.time() - t0, body


def wait_http(url, proc, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with %s" % (url, proc.returncode))
        try:
            http_get(url, timeout=600)
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("%s did not answer" % url)


def peer_runs(pg):
    """Database time and calls of the peers' aggregation since the reset."""
    rows = pg.rows("postgres", """
        SELECT coalesce(sum(s.total_plan_time + s.total_exec_time), 0), coalesce(sum(s.calls), 0)
          FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
         WHERE d.datname = 'trading' AND s.query LIKE '%remote_opening_count%'""")
    return float(rows[0][0]), int(rows[0][1])


def measure_peer(pg, name, cmd, env, port, scrapes, work, change, interval=None):
    logf = open(os.path.join(work, name + ".log"), "w")
    proc = subprocess.Popen(cmd, env=env, stdout=logf, stderr=logf)
    url = "http://127.0.0.1:%d/metrics" % port
    try:
        wait_http(url, proc)
        lat = []
        pg.reset_stats()
        for _ in range(scrapes):
            t, body = http_get(url)
            lat.append(t * 1000)
        dbt = pg.db_time()
        series = sum(1 for line in body.decode().splitlines() if line.startswith("ggzy_trading"))
        change(0)
        pg.reset_stats()
        t, body = http_get(url)
        after = pg.db_time().get("trading", (0, 0))[0]
        out = {"scrape_ms": median(lat), "scrape_p99_ms": max(lat),
               "db_ms_per_scrape": dbt.get("trading", (0, 0))[0] / scrapes,
               "hwm_kb": proc_status(proc.pid, "VmHWM"), "series": series,
               "after_change_db_ms": after, "after_change_ms": t * 1000}
        if interval:
            # Its own timer: time whole runs over a few intervals.
            pg.reset_stats()
            deadline = time.time() + 3 * interval + 60
            while time.time() < deadline and peer_runs(pg)[1] < 2:
                time.sleep(0.5)
            ms, runs = peer_runs(pg)
            out["db_ms_per_run"] = ms / max(runs, 1)
            out["interval_s"] = interval
            out["hwm_kb"] = proc_status(proc.pid, "VmHWM")
        return out
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        logf.close()


def measure_peers(pg, work, scrapes, deals):
    pe_cfg, se_cfg = peer_configs(work, pg)
    out = {}
    # Recent rows: what a peer does does not depend on where they are, and
    # the reconciliation measured next then starts with a small poll only.
    change = change_rows(pg, deals, spread=False)
    if shutil.which("prometheus-postgres-exporter"):
        port = free_port()
        env = dict(os.environ, DATA_SOURCE_NAME="host=%s port=%d user=postgres dbname=trading "
                   "sslmode=disable" % (pg.sock, pg.port))
        out["prometheus-postgres-exporter"] = measure_peer(
            pg, "postgres_exporter",
            ["prometheus-postgres-exporter", "--web.listen-address=127.0.0.1:%d" % port,
             "--disable-default-metrics", "--disable-settings-metrics",
             "--extend.query-path=" + pe_cfg, "--log.level=warn"],
            env, port, scrapes, work, change)
    if shutil.which("prometheus-sql-exporter"):
        port = free_port()
        out["prometheus-sql-exporter"] = measure_peer(
            pg, "sql_exporter",
            ["prometheus-sql-exporter", "-config.file", se_cfg,
             "-web.listen-address", "127.0.0.1:%d" % port],
            dict(os.environ, LOGLEVEL="warn"), port, scrapes, work, change,
            interval=SQL_EXPORTER_INTERVAL)
    return out


# ---------------------------------------------------------------- report

def machine():
    info = {"kernel": platform.release()}
    try:
        lscpu = subprocess.run(["lscpu"], stdout=subprocess.PIPE, text=True).stdout
        for key in ("Model name", "CPU(s)", "Thread(s) per core", "CPU MHz", "L3 cache"):
            m = re.search(r"^%s:\s+(.*)$" % re.escape(key), lscpu, re.M)
            if m:
                info[key] = m.group(1).strip()
    except OSError:
        pass
    with open("/proc/meminfo") as f:
        info["MemTotal"] = "%.1f GB" % (int(f.readline().split()[1]) / 1024 / 1024)
    info["loadavg"] = open("/proc/loadavg").read().split()[:3]
    return info


def fmt(v, unit="", digits=1):
    if v is None or v != v:
        return "-"
    return ("%.*f%s" % (digits, v, unit))


def print_report(results, out=sys.stdout):
    w = out.write
    m = results["machine"]
    w("\nggzy-metricsd benchmark — %s, %s CPU(s), %s, PostgreSQL %s\n"
      % (m.get("Model name", "?"), m.get("CPU(s)", "?"), m["MemTotal"], results["pg_version"]))
    w("load average at start %s, at end %s\n" % (" ".join(m["loadavg"]),
                                                 " ".join(results.get("loadavg_end", []))))
    scales = results["scales"]
    cols = [s["label"] for s in scales]
    rows = []

    def row(name, key, unit="", digits=1, goal=""):
        def cell(s):
            try:
                v = key(s)
            except (KeyError, TypeError, ZeroDivisionError):
                return "-"  # a phase a stopped run did not reach
            return fmt(v, unit, digits) if v is not None else "-"
        rows.append((name, [cell(s) for s in scales], goal))

    def g(*path):
        def f(s):
            v = s
            for p in path:
                if not isinstance(v, dict) or p not in v:
                    return None
                v = v[p]
            return v
        return f
    rows.append(("source rows (deals/evaluations/assignments/deposits)",
                 ["%d/%d/%d/%d" % tuple(s["data"]["rows"][t] for t in
                                        ("deals", "evaluations", "assignments", "deposits"))
                  for s in scales], ""))
    row("generation: load + indexes (s)", lambda s: s["data"]["load_s"] + s["data"]["index_s"])
    row("floor: bare GROUP BY, wall (s)", g("floor", "wall_s"), "", 2)
    row("floor: database time (s)", lambda s: s["floor"]["db_ms"] / 1000, "", 2)
    row("cold backfill: wall (s)", g("backfill", "wall_s"), "", 2)
    row("cold backfill: source db time (s)", lambda s: s["backfill"]["src_ms"] / 1000, "", 2)
    row("cold backfill: store db time (s)", lambda s: s["backfill"]["store_ms"] / 1000, "", 2)
    row("cold backfill: daemon CPU (s)", g("backfill", "cpu_s"), "", 2)
    row("cold backfill / floor (wall)", lambda s: s["backfill"]["wall_s"] / s["floor"]["wall_s"],
        "x", 2, "<= 1.3x")
    row("idle poll: db time, sources + store (ms)",
        lambda s: s["idle"]["src_ms"] + s["idle"]["store_ms"], "", 2, "< 5 ms")
    row("idle poll: daemon CPU (ms)", g("idle", "cpu_ms"), "", 2)
    row("idle poll: wall (ms)", g("idle", "wall_ms"), "", 1)
    for k, name in (("recent", "1,000 rows of the last 2 days"),
                    ("spread", "1,000 rows over all history")):
        row("poll after %s: source db (ms)" % name, g(k, "src_ms"), "", 1, "< 50 ms")
        row("poll after %s: store db (ms)" % name, g(k, "store_ms"), "", 1)
        row("poll after %s: daemon CPU (ms)" % name, g(k, "cpu_ms"), "", 1)
        row("poll after %s: wall (ms)" % name, g(k, "wall_ms"), "", 1)
    row("reconciliation, nothing to repair: wall (s)", g("reconcile_clean", "wall_s"), "", 2)
    row("reconciliation, nothing to repair: db time (s)",
        lambda s: (s["reconcile_clean"]["src_ms"] + s["reconcile_clean"]["store_ms"]) / 1000,
        "", 2)
    row("reconciliation repairing a whole year: wall (s)", g("reconcile_year", "wall_s"), "", 2)
    row("reconciliation repairing a whole year: db time (s)",
        lambda s: (s["reconcile_year"]["src_ms"] + s["reconcile_year"]["store_ms"]) / 1000,
        "", 2)
    row("  ... vs full recompute (cold backfill wall)",
        lambda s: s["reconcile_year"]["wall_s"] / s["backfill"]["wall_s"], "x", 2)
    for name, _ in SERVE:
        row("%s: requests/s" % name, g("serving", name, "rps"), "", 0,
            ">= 10,000" if name == "/metrics" else "")
        row("%s: p99 (ms)" % name, g("serving", name, "p99_ms"), "", 2,
            "< 5 ms" if name != "report" else "")
        row("%s: store db time per request (ms)" % name,
            g("serving", name, "store_ms_per_req"), "", 3)
    row("/metrics size (kB)", lambda s: s["serving"]["/metrics"]["bytes"] / 1024, "", 0)
    row("/metrics size, gzip (kB)", lambda s: s["serving"]["/metrics"].get("gzip_bytes", 0) / 1024,
        "", 0)
    row("daemon peak RSS, serving (MB)", lambda s: s["rss_kb"] / 1024, "", 1, "< 50 MB")
    row("daemon peak RSS, backfill (MB)", lambda s: s["backfill"]["hwm_kb"] / 1024, "", 1,
        "< 50 MB")
    row("daemon peak RSS, --once repairing a year (MB)",
        lambda s: s["reconcile_year"]["maxrss_kb"] / 1024, "", 1, "< 50 MB")
    rows.append(("figures checked against GROUP BY (mismatches)",
                 ["%d (%d)" % (s["check"][0], len(s["check"][1])) if "check" in s else "-"
                  for s in scales], "0"))
    _table(w, ["measurement"] + cols + ["goal"], [[r[0]] + r[1] + [r[2]] for r in rows])

    peer_rows = []
    for s in scales:
        if "serving" not in s or "recent" not in s:
            continue
        peers = dict(s.get("peers", {}))
        peers["ggzy-metricsd"] = {
            "scrape_ms": s["serving"]["/metrics"]["p50_ms"],
            "scrape_p99_ms": s["serving"]["/metrics"]["p99_ms"],
            "db_ms_per_scrape": s["serving"]["/metrics"]["store_ms_per_req"],
            "hwm_kb": s["rss_kb"],
            "after": "next poll: %.0f ms db (sources %.0f), then 0 per scrape"
                     % (s["recent"]["src_ms"] + s["recent"]["store_ms"], s["recent"]["src_ms"])}
        for name in ("ggzy-metricsd", "prometheus-postgres-exporter", "prometheus-sql-exporter"):
            p = peers.get(name)
            if not p:
                continue
            after = p.get("after") or ("re-runs it all: %.0f ms db" % p["after_change_db_ms"])
            if p.get("interval_s"):
                after = ("serves the last run; re-runs it all every %ds: %.0f ms db a run"
                         % (p["interval_s"], p["db_ms_per_run"]))
            peer_rows.append([s["label"], name, fmt(p["db_ms_per_scrape"], "", 2),
                              fmt(p["scrape_ms"], "", 2), fmt(p["scrape_p99_ms"], "", 2),
                              fmt(p["hwm_kb"] / 1024, "", 1), after])
    w("\nPeers, trading figures of the current year, same database and run:\n")
    _table(w, ["scale", "exporter", "db ms/scrape", "scrape ms (median)", "scrape ms (p99/max)",
               "RSS MB", "after 1,000 rows change"], peer_rows)


def _table(w, head, rows):
    widths = [max(len(str(r[i])) for r in [head] + rows) for i in range(len(head))]
    w("| " + " | ".join(str(h).ljust(widths[i]) for i, h in enumerate(head)) + " |\n")
    w("|" + "|".join("-" * (x + 2) for x in widths) + "|\n")
    for r in rows:
        w("| " + " | ".join(str(c).ljust(widths[i]) for i, c in enumerate(r)) + " |\n")


# ---------------------------------------------------------------- main

def label(n):
    if n >= 1000000 and n % 1000000 == 0:
        return "%dM" % (n // 1000000)
    if n >= 1000 and n % 1000 == 0:
        return "%dk" % (n // 1000)
    return str(n)


def run_scale(args, deals, pg_shared_buffers):
    res = {"label": label(deals), "deals": deals}
    pg = BenchPg(pg_shared_buffers)
    work = tempfile.mkdtemp(prefix="ggzy-bench-")
    daemon = None

    def checkpoint():
        # A long run stopped half-way still leaves what it measured.
        if args.json:
            with open(args.json + ".partial", "w") as f:
                json.dump(res, f, indent=1, default=str)
    try:
        pg.psql("postgres", "CREATE EXTENSION pg_stat_statements")
        res["pg_version"] = pg.rows("postgres", "SHOW server_version")[0][0]
        log("%s: generating %d deals" % (res["label"], deals))
        res["data"] = generate(pg, deals, args.jobs)
        log("  %s, load %.1fs, indexes %.1fs" % (res["data"]["size"], res["data"]["load_s"],
                                                res["data"]["index_s"]))
        checkpoint()
        log("floor")
        res["floor"] = measure_floor(pg, args.heavy_reps)
        checkpoint()
        log("cold backfill")
        res["backfill"], daemon = measure_backfill(pg, args.daemon, work, args.heavy_reps)
        checkpoint()
        log("idle polls")
        res["idle"] = measure_poll(pg, daemon, args.reps * 3)
        checkpoint()
        log("polls after 1,000 changed rows")
        res["recent"] = measure_poll(pg, daemon, args.reps, change_rows(pg, deals, False))
        res["spread"] = measure_poll(pg, daemon, args.heavy_reps, change_rows(pg, deals, True))
        checkpoint()
        log("serving")
        res["serving"] = measure_serving(pg, daemon, args.wrk_seconds)
        res["check"] = check_figures(pg, daemon)
        res["rss_kb"] = daemon.hwm_kb()
        daemon.stop()
        if args.peers:
            checkpoint()
            log("peers")
            res["peers"] = measure_peers(pg, work, args.scrapes, deals)
        checkpoint()
        log("reconciliation")
        res["reconcile_clean"], res["reconcile_year"] = measure_reconcile(pg, daemon,
                                                                          args.heavy_reps)
        checkpoint()
        if args.keep:
            log("kept %s and %s" % (pg.dir, work))
    finally:
        if daemon:
            daemon.stop()
        if not args.keep:
            pg.close()
            shutil.rmtree(work, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--deals", default="1000000", help="comma-separated scales (deals)")
    ap.add_argument("--reps", type=int, default=3, help="repetitions; medians are printed")
    ap.add_argument("--heavy-reps", type=int,
                    help="repetitions of the long phases (floor, backfill, reconciliation, a "
                         "change over all history); default --reps")
    ap.add_argument("--wrk-seconds", type=int, default=10)
    ap.add_argument("--scrapes", type=int, default=5, help="peer scrapes measured")
    ap.add_argument("--jobs", type=int, default=2, help="sources generated at once")
    ap.add_argument("--shared-buffers", default="2GB")
    ap.add_argument("--no-peers", dest="peers", action="store_false")
    ap.add_argument("--daemon", default=os.environ.get("GGZY_DAEMON") or
                    os.path.join(SOURCE_DIR, "build", "rel", "ggzy-metricsd"))
    ap.add_argument("--json", help="also write the results here (after each scale)")
    ap.add_argument("--report", metavar="JSON", help="print the table of earlier runs' JSON "
                    "files (comma-separated, scales side by side) and exit")
    ap.add_argument("--keep", action="store_true", help="keep the database and work files")
    ap.add_argument("--smoke", action="store_true",
                    help="tiny and quick (CI): 2,000 deals, 1 repetition, wrk 1 s")
    args = ap.parse_args()
    # Stopped by a signal, still stop the servers this run started.
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, lambda *a: sys.exit(130))
    if args.smoke:
        args.deals, args.reps, args.wrk_seconds, args.scrapes = "2000", 1, 1, 2
        args.shared_buffers = "128MB"
    args.heavy_reps = args.heavy_reps or args.reps
    if args.report:
        merged = None
        for path in args.report.split(","):
            with open(path) as f:
                r = json.load(f)
            if "scales" not in r:  # a .partial: one scale's results
                r = {"machine": machine(), "pg_version": r.get("pg_version", "?"),
                     "scales": [r]}
            if merged is None:
                merged = r
            else:
                merged["scales"] += r["scales"]
                merged["loadavg_end"] = r.get("loadavg_end", [])
        print_report(merged)
        return
    if not os.path.exists(args.daemon):
        sys.exit("no daemon at %s (build it, or pass --daemon)" % args.daemon)
    results = {"machine": machine(), "scales": [], "started": time.strftime("%Y-%m-%d %H:%M:%S %Z")}
    for n in [int(x) for x in args.deals.split(",")]:
        r = run_scale(args, n, args.shared_buffers)
        results["pg_version"] = r.pop("pg_version")
        results["scales"].append(r)
        results["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=1, default=str)
    print_report(results)
    bad = [b for s in results["scales"] for b in s["check"][1]]
    for b in bad[:20]:
        print("MISMATCH", b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
