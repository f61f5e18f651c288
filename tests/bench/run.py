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
import calendar
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
# The streams in the order the table lists them; others the daemon logs
# loading come after.
STREAMS = ("deals", "evaluations", "assignments", "deposit_received", "deposit_refunded")


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

    def db_time_matching(self, patterns):
        """Database time (ms) of the top-level statements since the last
        reset whose text is LIKE one of PATTERNS."""
        cond = " OR ".join("s.query LIKE '%s'" % p.replace("'", "''") for p in patterns)
        return float(self.rows("postgres", """
            SELECT coalesce(sum(s.total_plan_time + s.total_exec_time), 0)
              FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE s.toplevel AND d.datname <> 'postgres' AND (%s)""" % cond)[0][0])

    def top_statements(self, n=8):
        """The top-level statements that took longest since the last reset
        (kept in the JSON, for the profile of a phase)."""
        return [[r[0], int(r[1]), round(float(r[2]), 1), r[3]] for r in self.rows("postgres", """
            SELECT d.datname, s.calls, s.total_plan_time + s.total_exec_time,
                   left(btrim(regexp_replace(regexp_replace(s.query, '--[^\\n]*', '', 'g'),
                                             '\\s+', ' ', 'g')), 200)
              FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
             WHERE s.toplevel AND d.datname <> 'postgres'
             ORDER BY 3 DESC LIMIT %d""" % n)]


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
        self.config = os.path.join(workdir, "%s.conf" % store_db)
        # One log per store; every run appends, and each phase reads what
        # it appended (log_mark, log_since).
        self.log_path = os.path.join(workdir, "daemon-%s.log" % store_db)
        # log_level = info: the loads ("STREAM: loaded N rows in S s") and
        # reconciliations ("N month(s) differ ...", "repaired N row(s)")
        # say what they did there; the daemon logs nothing per request.
        text = ("[daemon]\nlisten = 127.0.0.1:%d\ntimezone = %s\nstore = %s\nlog_level = info\n"
                % (self.port, TZ, pg.conninfo(store_db)))
        for s in SOURCES:
            # overlap = 0s: each measured poll sees exactly the rows its own
            # step changed (the default 5m re-reads the last five minutes).
            text += ("\n[source %s]\nconninfo = %s\ninterval = 1h\noverlap = 0s\n"
                     "reconcile_interval = 1d\nstatement_timeout = 1h\n" % (s, pg.conninfo(s)))
        with open(self.config, "w") as f:
            f.write(text)
        self.proc = None
        self.t0 = None
        self.mark = 0

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def log_mark(self):
        try:
            return os.path.getsize(self.log_path)
        except OSError:
            return 0

    def log_since(self, mark):
        with open(self.log_path, errors="replace") as f:
            f.seek(mark)
            return f.read()

    def start(self, timeout):
        """Starts the daemon and waits for /readyz; returns the wall time
        until ready. self.t0 and self.mark: when it started, where its log
        of this run begins."""
        self.mark = self.log_mark()
        self.log = open(self.log_path, "a")
        t0 = self.t0 = time.time()
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

    def status(self):
        return json.loads(self.get("/api/v1/status"))

    def wait_settled(self, timeout):
        """Until no stream is loading and every source has finished a
        reconciliation of this run and runs nothing: the daemon reconciles
        a source right after its first poll (every year, the first
        reconciliation of a run), and a measurement must not share the
        database with it. Returns the time it happened."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("daemon exited:\n" + open(self.log_path).read()[-3000:])
            try:
                sources = self.status()["sources"]
                if sources and all(
                        s.get("last_reconcile") and not s.get("running") and
                        all(st.get("state") != "loading" for st in s.get("streams", []))
                        for s in sources):
                    return time.time()
            except (OSError, ValueError, KeyError, urllib.error.HTTPError):
                pass
            time.sleep(0.05)
        raise RuntimeError("daemon not settled after %ss" % timeout)

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
        """--once (a poll and a reconciliation of every year of every
        source) as a child process: wall time, CPU, peak RSS, and what it
        logged. The peak comes from /usr/bin/time, not from our own wait4:
        Linux carries a process's peak RSS across exec, so a child forked
        from this script reports this script's RSS (50 MB at 1 M deals,
        more at 10 M) when its own is smaller; forked from time, it carries
        time's ~2 MB."""
        mark = self.log_mark()
        t0 = time.time()
        rss_path = self.log_path + ".rss"
        with open(self.log_path, "a") as logf:
            p = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", rss_path,
                                  self.binary, "-c", self.config, "--once", "--now", NOW],
                                 stdout=logf, stderr=logf)
            _, status, ru = os.wait4(p.pid, 0)
        wall = time.time() - t0
        if os.waitstatus_to_exitcode(status) != 0:
            raise RuntimeError("--once failed:\n" + open(self.log_path).read()[-3000:])
        with open(rss_path) as f:
            maxrss_kb = int(f.read().split()[-1])
        return {"wall_s": wall, "cpu_s": ru.ru_utime + ru.ru_stime, "maxrss_kb": maxrss_kb,
                "log": self.log_since(mark)}


# What the daemon logs (daemon/stream_job.c), at level info.
LOG_STAMP = r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{3})Z \w+ source (\S+): (\S+): "
LOADED_RE = re.compile(LOG_STAMP + r"loaded (\d+) rows in ([\d.]+) s$", re.M)
DIFFER_RE = re.compile(LOG_STAMP + r"(\d+) month\(s\) differ from the source", re.M)
REPAIRED_RE = re.compile(LOG_STAMP + r"reconciliation repaired (\d+) row\(s\)", re.M)


def log_epoch(stamp, ms):
    return calendar.timegm(time.strptime(stamp, "%Y-%m-%dT%H:%M:%S")) + int(ms) / 1000


def log_events(text):
    """{"loaded": {stream: {rows, s, at}}, "differ": {stream: months},
    "repaired": {stream: rows}} from a piece of the daemon's log."""
    out = {"loaded": {}, "differ": {}, "repaired": {}}
    for m in LOADED_RE.finditer(text):
        out["loaded"][m.group(4)] = {"rows": int(m.group(5)), "s": float(m.group(6)),
                                     "at": log_epoch(m.group(1), m.group(2))}
    for m in DIFFER_RE.finditer(text):
        out["differ"][m.group(4)] = out["differ"].get(m.group(4), 0) + int(m.group(5))
    for m in REPAIRED_RE.finditer(text):
        out["repaired"][m.group(4)] = out["repaired"].get(m.group(4), 0) + int(m.group(5))
    return out


# ---------------------------------------------------------------- measurements

# --auto-explain MS: the store databases log the plans of statements (also
# those inside the store's functions) slower than MS to the server's log.
AUTO_EXPLAIN_MS = None


def fresh_store(pg, name):
    pg.psql("postgres", "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name)
    pg.createdb(name)
    if AUTO_EXPLAIN_MS is not None:
        for k, v in (("session_preload_libraries", "auto_explain"),
                     ("auto_explain.log_min_duration", "%dms" % AUTO_EXPLAIN_MS),
                     ("auto_explain.log_nested_statements", "on"),
                     ("auto_explain.log_analyze", "on"), ("auto_explain.log_timing", "off"),
                     ("auto_explain.log_buffers", "on")):
            pg.psql("postgres", "ALTER DATABASE %s SET %s = '%s'" % (name, k, v))


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


# The reconciliation's statements, to tell apart what a phase spent on
# them: per month (sql/collectors/stream_months.sql, the store's
# ggzy.stream_months) and row by row (stream_month_keys.sql,
# stream_keys.sql, ggzy.diff_keys, and the staging and applying of what it
# fetched, which a poll shares: an idle poll's worth in a --once).
MONTH_PATTERNS = ["%sum(r.fingerprint)%", "%ggzy.stream_months(%"]
ROW_PATTERNS = ["%SELECT r.key, r.fingerprint%", "%r.key = ANY%", "%ggzy.diff_keys(%"]
APPLY_PATTERNS = ["%ggzy.apply_images(%", "%COPY pg_temp.ggzy_stage%"]
RECONCILE_PATTERNS = MONTH_PATTERNS + ROW_PATTERNS + ["%ggzy.note_reconcile(%"]


def median_dict(res):
    """Medians of the numbers of each repetition's results; anything else
    (per-stream details, top statements) from the last that has it."""
    out = {}
    for k in dict.fromkeys(k for r in res for k in r):
        vals = [r[k] for r in res if isinstance(r.get(k), (int, float)) and
                not isinstance(r.get(k), bool)]
        out[k] = median(vals) if len(vals) == len(res) else \
            [r[k] for r in res if k in r][-1]
    return out


def measure_backfill(pg, binary, work, reps, store_db="store", timeout=7200):
    """Cold backfill: an empty store, the daemon started until /readyz
    (every source finished its first poll), then until every stream logged
    "loaded" (the images: if they finish after ready, when) and until the
    reconciliation the daemon starts right after a source's first poll has
    finished (what follows a cold start; measured apart). The daemon of the
    last repetition is returned running."""
    res = []
    daemon = None
    for i in range(reps):
        if daemon:
            daemon.stop()
        fresh_store(pg, store_db)
        pg.reset_stats()
        daemon = Daemon(binary, work, pg, store_db)
        wall = daemon.start(timeout=timeout)
        dbt = pg.db_time()
        recon_ready = pg.db_time_matching(RECONCILE_PATTERNS)
        r = {"wall_s": wall, "cpu_s": daemon.cpu_ns() / 1e9,
             "src_ms": source_ms(dbt), "store_ms": dbt.get(store_db, (0, 0))[0],
             "reconcile_before_ready_ms": recon_ready, "hwm_kb": daemon.hwm_kb(),
             "top": pg.top_statements()}
        settled = daemon.wait_settled(timeout=timeout)
        ev = log_events(daemon.log_since(daemon.mark))
        dbt2 = pg.db_time()
        r["loaded"] = {k: {"rows": v["rows"], "s": v["s"], "at_s": v["at"] - daemon.t0}
                       for k, v in ev["loaded"].items()}
        r["images_s"] = max([v["at_s"] for v in r["loaded"].values()] or [float("nan")])
        r["settled_s"] = settled - daemon.t0
        r["after_ready_src_ms"] = source_ms(dbt2) - r["src_ms"]
        r["after_ready_store_ms"] = dbt2.get(store_db, (0, 0))[0] - r["store_ms"]
        r["settled_reconcile_ms"] = pg.db_time_matching(RECONCILE_PATTERNS)
        r["hwm_settled_kb"] = daemon.hwm_kb()
        res.append(r)
        log("  backfill %d: ready %.2fs, images %.2fs, settled %.2fs"
            % (i + 1, wall, r["images_s"], r["settled_s"]))
    out = median_dict(res)
    return out, daemon


def store_sizes(pg, store_db):
    """The store's size on disk and rows (images and totals), beside the
    sources' size. Also the version-8 tables' rows, which must be 0."""
    r = pg.rows(store_db, """
        SELECT pg_database_size(current_database()),
               pg_total_relation_size('ggzy.image'), (SELECT count(*) FROM ggzy.image),
               pg_total_relation_size('ggzy.day_total'), (SELECT count(*) FROM ggzy.day_total),
               pg_total_relation_size('ggzy.month_total'),
               (SELECT count(*) FROM ggzy.month_total),
               (SELECT count(*) FROM ggzy.bucket) + (SELECT count(*) FROM ggzy.bucket_month)
               + (SELECT count(*) FROM ggzy.day_state) + (SELECT count(*) FROM ggzy.watermark)
        """)[0]
    src = pg.rows("postgres", "SELECT sum(pg_database_size(datname)) FROM pg_database "
                  "WHERE datname IN ('trading','expert','deposit')")[0][0]
    keys = ["store_bytes", "image_bytes", "image_rows", "day_total_bytes", "day_total_rows",
            "month_total_bytes", "month_total_rows", "legacy_rows"]
    out = {k: int(v) for k, v in zip(keys, r)}
    out["sources_bytes"] = int(src)
    return out


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
                    "db_ms": source_ms(dbt) + dbt.get("store", (0, 0))[0],
                    "rows": sum(s["rows"] for s in summary)})
        if i == reps - 1:
            res[-1]["top"] = pg.top_statements()
    return median_dict(res)


# The centre of "one centre's current year": a city (bench.center(1)).
CENTRE = "430100"


def change_rows(pg, deals, shape):
    """An UPDATE of 1,000 deals: amount corrections of one fen, deterministic
    per repetition. shape "recent": 1,000 deals of the last two days of the
    current year (today's traffic); "spread": across the whole history
    (every day a different one, ~1,000 days hit); "centre": 1,000 deals of
    one centre's current year (a correction campaign of one centre)."""
    n = min(1000, deals)

    def change(rep):
        if shape == "spread":
            step = max(deals // n, 1)
            where = ("deal_id IN (SELECT 'D' || lpad((1 + ((k * %d + %d) %% %d))::text, 9, '0') "
                     "FROM generate_series(0, %d) AS k)" % (step, rep, deals, n - 1))
        elif shape == "centre":
            where = ("deal_id IN (SELECT deal_id FROM deals WHERE center_code = '%s' "
                     "AND deal_at >= timestamptz '%d-01-01 00:00+08' "
                     "AND deal_at < timestamptz '%d-01-01 00:00+08' "
                     "ORDER BY hashtext(deal_id || '%d'), deal_id LIMIT %d)"
                     % (CENTRE, YEAR, YEAR + 1, rep, n))
        else:
            where = ("deal_id IN (SELECT deal_id FROM deals WHERE deal_at >= timestamptz "
                     "'%d-12-30 00:00+08' ORDER BY deal_id LIMIT %d OFFSET %d)"
                     % (YEAR, n, 0))
        return pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 0.01 "
                       "WHERE %s" % where)
    return change


def delete_rows(pg, deals, shape, rep):
    """DELETE of deals, as a source deletes outright (no poll sees it; the
    reconciliation must): "spread", 1,000 deals across the whole history
    (every month hit), other than the corrected ones; "month", 10 deals of
    one month of the previous year. Returns how many were deleted."""
    if shape == "spread":
        n = min(1000, max(deals // 10, 1))
        step = max(deals // n, 1)
        where = ("deal_id IN (SELECT 'D' || lpad((1 + ((k * %d + %d) %% %d))::text, 9, '0') "
                 "FROM generate_series(0, %d) AS k)" % (step, step // 2 + rep, deals, n - 1))
    else:
        where = ("deal_id IN (SELECT deal_id FROM deals WHERE deal_at >= timestamptz "
                 "'%d-06-01 00:00+08' AND deal_at < timestamptz '%d-07-01 00:00+08' "
                 "ORDER BY deal_id LIMIT 10)" % (YEAR - 1, YEAR - 1))
    return int(pg.rows("trading", "WITH d AS (DELETE FROM deals WHERE %s RETURNING 1) "
                       "SELECT count(*) FROM d" % where)[0][0])


def spoil_year(pg):
    """The store's fingerprints of the deals of the current year, spoilt
    consistently (every image +1, every monthly total + its rows): every
    month of the year differs from the source, and so does every row of
    them, which the reconciliation fetches and applies again."""
    pg.psql("store", """
        BEGIN;
        UPDATE ggzy.image SET fingerprint = fingerprint + 1
         WHERE stream = 1 AND day >= '%d-01-01' AND day < '%d-01-01';
        UPDATE ggzy.month_total SET fingerprint = fingerprint + rows
         WHERE stream = 1 AND month >= '%d-01-01' AND month < '%d-01-01';
        COMMIT;""" % (YEAR, YEAR + 1, YEAR, YEAR + 1))


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


def measure_serving(pg, daemon, seconds, store_db="store"):
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
        r["store_ms_per_req"] = (dbt.get(store_db, (0, 0))[0] /
                                 max(r["rps"] * seconds, 1))
        r["bytes"] = len(body.encode())
        out[name] = r
    # A Prometheus scrape every 15 s: past the daemon's 10 s it asks the
    # store whether the figures moved; and a scrape after they did (another
    # process's commit, here a bump of the version) computes them again.
    for name, bump in (("idle", False), ("moved", True)):
        time.sleep(10.5)
        if bump:
            pg.psql(store_db, "UPDATE ggzy.store_version SET version = version + 1")
        pg.reset_stats()
        t0 = time.time()
        daemon.get("/metrics", gzipped=True)
        wall = (time.time() - t0) * 1000
        out["scrape past 10 s, " + name] = {"wall_ms": wall,
                                             "store_ms": pg.db_time().get(store_db, (0, 0))[0]}
    return out


def once_phase(pg, daemon):
    pg.reset_stats()
    r = daemon.once()
    dbt = pg.db_time()
    ev = log_events(r.pop("log"))
    r.update({"src_ms": source_ms(dbt), "store_ms": dbt.get("store", (0, 0))[0],
              "month_ms": pg.db_time_matching(MONTH_PATTERNS),
              "row_ms": pg.db_time_matching(ROW_PATTERNS + APPLY_PATTERNS),
              "months": sum(ev["differ"].values()), "months_by_stream": ev["differ"],
              "repaired": sum(ev["repaired"].values()), "top": pg.top_statements()})
    r["db_ms"] = r["src_ms"] + r["store_ms"]
    return r


def measure_reconcile(pg, daemon, reps, deals):
    """--once runs (a poll and a reconciliation of every year): on a
    current store (nothing to repair: the cost every reconcile_interval);
    after 1,000 deals deleted across the history, and 10 in one month (the
    cost must grow with the months touched, not with the table); after the
    store's fingerprints of the deals' current year were spoilt (every row
    of 12 months fetched again); and once more on the repaired store (a
    second "nothing to repair", and the proof that nothing is left)."""
    out = {k: [] for k in ("clean", "del_spread", "del_month", "year", "after")}
    for rep in range(reps):
        out["clean"].append(once_phase(pg, daemon))
        for shape in ("spread", "month"):
            n = delete_rows(pg, deals, shape, rep)
            r = once_phase(pg, daemon)
            r["deleted"] = n
            out["del_" + shape].append(r)
        spoil_year(pg)
        out["year"].append(once_phase(pg, daemon))
        out["after"].append(once_phase(pg, daemon))
    res = {k: median_dict(v) for k, v in out.items()}
    res["clean"] = median_dict(out["clean"] + out["after"])
    return res


def drop_event_indexes(pg):
    """The contract's event-time indexes dropped: a source that has only
    its primary keys and updated_at indexes."""
    for db, idx in EVENT_INDEXES:
        pg.psql(db, "DROP INDEX %s" % idx)


EVENT_INDEXES = [("trading", "deals_deal_at_idx"), ("expert", "evaluations_started_at_idx"),
                 ("expert", "assignments_drawn_at_idx"), ("deposit", "deposits_received_at_idx"),
                 ("deposit", "deposits_refunded_at_idx")]


def restore_event_indexes(pg):
    names = {i for _, i in EVENT_INDEXES}
    for s in SOURCES:
        stmts = [c for c in contract_indexes(s) if re.search(r"INDEX (\w+)", c).group(1) in names]
        if stmts:
            pg.psql(s, "\n".join(stmts) + "\nANALYZE;")


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
    mark, t0 = daemon.log_mark(), time.time()
    got = parse_metrics(daemon.get("/metrics"), names)
    t1 = time.time()
    zipped = parse_metrics(daemon.get("/metrics", gzipped=True), names)
    log("  /metrics: %.2f s, with gzip %.2f s" % (t1 - t0, time.time() - t1))
    if zipped != got:
        diff = sorted(k for k in set(got) | set(zipped) if got.get(k) != zipped.get(k))
        said = [l for l in daemon.log_since(mark).splitlines() if "/metrics" in l]
        return 1, ["/metrics with gzip differs from the plain text: %d and %d series, %d differ "
                   "(%s); the daemon said: %s" % (len(got), len(zipped), len(diff),
                                                  diff[:3], said[-3:])]
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


# What a store holds, stream by stream, in a form two stores can be compared
# in: rows and an order-free digest of the totals (every column but the
# fingerprints, which are salted per store), of the images (neither the
# fingerprint nor the person, a keyed hash of the store's identity key) and
# of the people of the distinct counts (not the person either).
STORE_DIGEST = """
SELECT 'day_total', stream, count(*),
       coalesce(sum(hashtextextended(ROW(day, center, category, kind, scope, role, source, rows,
                    m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12)::text, 0)::numeric), 0)
  FROM ggzy.day_total GROUP BY stream
UNION ALL
SELECT 'month_total', stream, count(*),
       coalesce(sum(hashtextextended(ROW(month, center, category, kind, scope, role, source,
                    rows, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12)::text, 0)::numeric), 0)
  FROM ggzy.month_total GROUP BY stream
UNION ALL
SELECT 'image', stream, count(*),
       coalesce(sum(hashtextextended(ROW(key, day, center, category, kind, scope, role, ref,
                    m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12)::text, 0)::numeric), 0)
  FROM ggzy.image GROUP BY stream
UNION ALL
SELECT 'person_year', stream, count(*),
       coalesce(sum(hashtextextended(ROW(position, year, center, images)::text, 0)::numeric), 0)
  FROM ggzy.person_year GROUP BY stream
 ORDER BY 1, 2"""


def store_digest(pg, db):
    return {"%s/%s" % (r[0], r[1]): [r[2], r[3]] for r in pg.rows(db, STORE_DIGEST)}


def compare_stores(da, db):
    """The store repaired by polls and reconciliations (digest DA) against
    one freshly loaded from the same sources (DB): (tables x streams
    compared, differences)."""
    keys = sorted(set(da) | set(db))
    bad = ["%s: %s rows (digest %s) repaired, %s rows (digest %s) freshly loaded"
           % (k, da.get(k, ["none", "-"])[0], da.get(k, ["", "-"])[1],
              db.get(k, ["none", "-"])[0], db.get(k, ["", "-"])[1])
           for k in keys if da.get(k) != db.get(k)]
    return len(keys), bad


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
    change = change_rows(pg, deals, "recent")
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
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                return "-"  # a phase a stopped run did not reach
            if isinstance(v, str):
                return v
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

    def mb(*path):
        return lambda s: g(*path)(s) / 1024 / 1024

    def db_s(phase):
        return lambda s: (s[phase]["src_ms"] + s[phase]["store_ms"]) / 1000

    rows.append(("source rows (deals/evaluations/assignments/deposits)",
                 ["%d/%d/%d/%d" % tuple(s["data"]["rows"][t] for t in
                                        ("deals", "evaluations", "assignments", "deposits"))
                  for s in scales], ""))
    row("generation: load + indexes (s)", lambda s: s["data"]["load_s"] + s["data"]["index_s"])
    row("floor: bare GROUP BY, wall (s)", g("floor", "wall_s"), "", 2)
    row("floor: database time (s)", lambda s: s["floor"]["db_ms"] / 1000, "", 2)
    for key, what in (("backfill", "cold backfill"),
                      ("backfill_noidx", "cold backfill, no event-time indexes")):
        row("%s: until ready, wall (s)" % what, g(key, "wall_s"), "", 2)
        row("%s / floor (wall)" % what, lambda s, k=key: s[k]["wall_s"] / s["floor"]["wall_s"],
            "x", 2, "<= 1.3x")
        row("%s: images all loaded, since start (s)" % what,
            lambda s, k=key: "%.2f (%s)" % (
                s[k]["images_s"], "before ready" if s[k]["images_s"] <= s[k]["wall_s"] + 0.05
                else "%.2f s after ready" % (s[k]["images_s"] - s[k]["wall_s"])),
            goal="say if after ready")
        seen = [st for sc in scales for st in sc.get(key, {}).get("loaded", {})]
        for st in list(STREAMS) + sorted(set(seen) - set(STREAMS)):
            row("%s: %s loaded, s (rows)" % (what, st),
                lambda s, k=key, st=st: "%.2f (%d)" % (s[k]["loaded"][st]["s"],
                                                       s[k]["loaded"][st]["rows"]))
        row("%s: source db time (s)" % what, lambda s, k=key: s[k]["src_ms"] / 1000, "", 2)
        row("%s: store db time (s)" % what, lambda s, k=key: s[k]["store_ms"] / 1000, "", 2)
        row("%s:   of which reconciliation before ready (s)" % what,
            lambda s, k=key: s[k]["reconcile_before_ready_ms"] / 1000, "", 2)
        row("%s: daemon CPU (s)" % what, g(key, "cpu_s"), "", 2)
        row("%s: then its first reconciliation, until done (s)" % what,
            lambda s, k=key: s[k]["settled_s"] - s[k]["wall_s"], "", 2)
        row("%s:   its db time after ready (s)" % what,
            lambda s, k=key: (s[k]["after_ready_src_ms"] + s[k]["after_ready_store_ms"]) / 1000,
            "", 2)
    row("store rows: images", g("sizes", "image_rows"), "", 0)
    row("store rows: day totals", g("sizes", "day_total_rows"), "", 0)
    row("store rows: month totals", g("sizes", "month_total_rows"), "", 0)
    row("store size on disk (MB)", mb("sizes", "store_bytes"), "", 1)
    row("sources' size on disk (MB)", mb("sizes", "sources_bytes"), "", 1)
    row("store / sources (size)", lambda s: s["sizes"]["store_bytes"] / s["sizes"]["sources_bytes"],
        "x", 2, "< 0.5x")
    row("  ggzy.image (MB)", mb("sizes", "image_bytes"), "", 1)
    row("  ggzy.day_total (MB)", mb("sizes", "day_total_bytes"), "", 1)
    row("  ggzy.month_total (MB)", mb("sizes", "month_total_bytes"), "", 1)
    row("idle poll: db time, sources + store (ms)", g("idle", "db_ms"), "", 2, "< 2 ms")
    row("idle poll: daemon CPU (ms)", g("idle", "cpu_ms"), "", 2)
    row("idle poll: wall (ms)", g("idle", "wall_ms"), "", 1)
    for k, name, goal in (("recent", "1,000 rows of the last 2 days", "< 20 ms"),
                          ("centre", "1,000 rows of one centre's year", "< 20 ms"),
                          ("spread", "1,000 rows over all history", "< 50 ms")):
        row("poll after %s: db, sources + store (ms)" % name, g(k, "db_ms"), "", 1, goal)
        row("poll after %s: source db (ms)" % name, g(k, "src_ms"), "", 1)
        row("poll after %s: store db (ms)" % name, g(k, "store_ms"), "", 1)
        row("poll after %s: daemon CPU (ms)" % name, g(k, "cpu_ms"), "", 1)
        row("poll after %s: wall (ms)" % name, g(k, "wall_ms"), "", 1)
        row("poll after %s: rows read" % name, g(k, "rows"), "", 0)
    rc = lambda s: s["reconcile"]  # noqa: E731
    row("reconciliation, nothing to repair: wall (s)", lambda s: rc(s)["clean"]["wall_s"], "", 2)
    row("reconciliation, nothing to repair: db time (s)",
        lambda s: rc(s)["clean"]["db_ms"] / 1000, "", 2)
    row("reconciliation, nothing to repair:   of which per month (s)",
        lambda s: rc(s)["clean"]["month_ms"] / 1000, "", 2)
    row("reconciliation, nothing to repair / floor (db time)",
        lambda s: rc(s)["clean"]["db_ms"] / s["floor"]["db_ms"], "x", 2, "<= 1x")
    for k, name in (("del_spread", "after deletions across history"),
                    ("del_month", "after 10 deletions in one month"),
                    ("year", "repairing the deals' current year")):
        if k != "year":
            row("reconciliation %s: rows deleted" % name, lambda s, k=k: rc(s)[k]["deleted"],
                "", 0)
        row("reconciliation %s: months compared row by row" % name,
            lambda s, k=k: rc(s)[k]["months"], "", 0)
        row("reconciliation %s: rows repaired" % name, lambda s, k=k: rc(s)[k]["repaired"], "", 0)
        row("reconciliation %s: wall (s)" % name, lambda s, k=k: rc(s)[k]["wall_s"], "", 2)
        row("reconciliation %s: db time (s)" % name, lambda s, k=k: rc(s)[k]["db_ms"] / 1000,
            "", 2)
        row("reconciliation %s:   of which per month (s)" % name,
            lambda s, k=k: rc(s)[k]["month_ms"] / 1000, "", 2)
        row("reconciliation %s:   of which row by row (s)" % name,
            lambda s, k=k: rc(s)[k]["row_ms"] / 1000, "", 2,
            "with months touched" if k != "year" else "")
        row("reconciliation %s:   row by row, per month compared (ms)" % name,
            lambda s, k=k: rc(s)[k]["row_ms"] / rc(s)[k]["months"], "", 1)
    row("  ... repairing a year vs full recompute (cold backfill wall)",
        lambda s: rc(s)["year"]["wall_s"] / s["backfill"]["wall_s"], "x", 2)
    row("reconciliation after the repairs: months still differing",
        lambda s: rc(s)["after"]["months"], "", 0, "0")
    for name, _ in SERVE:
        row("%s: requests/s" % name, g("serving", name, "rps"), "", 0, ">= today")
        row("%s: p99 (ms)" % name, g("serving", name, "p99_ms"), "", 2, "<= today")
        row("%s: store db time per request (ms)" % name,
            g("serving", name, "store_ms_per_req"), "", 3)
    for name, what in (("idle", "the store unchanged"), ("moved", "the figures moved")):
        row("/metrics 10 s after the last, %s: wall (ms)" % what,
            g("serving", "scrape past 10 s, " + name, "wall_ms"), "", 1)
        row("/metrics 10 s after the last, %s: store db (ms)" % what,
            g("serving", "scrape past 10 s, " + name, "store_ms"), "", 2)
    row("/metrics size (kB)", lambda s: s["serving"]["/metrics"]["bytes"] / 1024, "", 0)
    row("/metrics size, gzip (kB)", lambda s: s["serving"]["/metrics"].get("gzip_bytes", 0) / 1024,
        "", 0)
    row("daemon peak RSS, serving (MB)", lambda s: s["rss_kb"] / 1024, "", 1, "< 50 MB")
    row("daemon peak RSS, backfill until settled (MB)",
        lambda s: s["backfill"]["hwm_settled_kb"] / 1024, "", 1, "< 50 MB")
    row("daemon peak RSS, backfill, no event-time indexes (MB)",
        lambda s: s["backfill_noidx"]["hwm_settled_kb"] / 1024, "", 1, "< 50 MB")
    row("daemon peak RSS, --once after deletions across history (MB)",
        lambda s: rc(s)["del_spread"]["maxrss_kb"] / 1024, "", 1, "< 50 MB")
    row("daemon peak RSS, --once repairing a year (MB)",
        lambda s: rc(s)["year"]["maxrss_kb"] / 1024, "", 1, "< 50 MB")
    for k, name in (("check", "figures checked against GROUP BY (mismatches)"),
                    ("check_noidx", "  ... again, served after the no-index backfill"),
                    ("check_stores", "repaired store vs a fresh load (tables x streams)")):
        rows.append((name, ["%d (%d)" % (s[k][0], len(s[k][1])) if k in s else "-"
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
        timeout = 300 if args.smoke else 7200
        if args.noidx_only:
            log("cold backfill without the event-time indexes")
            drop_event_indexes(pg)
            res["backfill_noidx"], daemon = measure_backfill(pg, args.daemon, work,
                                                             args.heavy_reps, "store_noidx",
                                                             timeout)
            res["check_noidx"] = check_figures(pg, daemon)
            checkpoint()
            log("serving")
            res["serving"] = measure_serving(pg, daemon, args.wrk_seconds, "store_noidx")
            res["rss_kb"] = daemon.hwm_kb()
            checkpoint()
            if args.keep:
                restore_event_indexes(pg)
                log("kept %s and %s (server on socket %s, port %d)" % (pg.dir, work, pg.sock,
                                                                      pg.port))
            return res
        log("cold backfill")
        res["backfill"], daemon = measure_backfill(pg, args.daemon, work, args.heavy_reps,
                                                   timeout=timeout)
        res["sizes"] = store_sizes(pg, "store")
        # What autovacuum does soon after a load (its timing is luck): the
        # plans of the measurements below are those of current statistics.
        t0 = time.time()
        pg.psql("store", "VACUUM ANALYZE")
        res["store_vacuum_s"] = time.time() - t0
        checkpoint()
        log("idle polls")
        res["idle"] = measure_poll(pg, daemon, args.reps * 3)
        checkpoint()
        log("polls after 1,000 changed rows")
        res["recent"] = measure_poll(pg, daemon, args.reps, change_rows(pg, deals, "recent"))
        res["centre"] = measure_poll(pg, daemon, args.reps, change_rows(pg, deals, "centre"))
        res["spread"] = measure_poll(pg, daemon, args.heavy_reps,
                                     change_rows(pg, deals, "spread"))
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
        res["reconcile"] = measure_reconcile(pg, daemon, args.heavy_reps, deals)
        checkpoint()
        # The repaired store, to compare with a fresh load; then gone (disk:
        # two stores of the 10M scale at once need ~10 GB more).
        repaired = store_digest(pg, "store")
        if not args.keep:
            pg.psql("postgres", "DROP DATABASE store WITH (FORCE)")
        log("cold backfill without the event-time indexes")
        drop_event_indexes(pg)
        res["backfill_noidx"], daemon = measure_backfill(pg, args.daemon, work,
                                                         args.heavy_reps, "store_noidx", timeout)
        res["check_noidx"] = check_figures(pg, daemon)
        daemon.stop()
        res["check_stores"] = compare_stores(repaired, store_digest(pg, "store_noidx"))
        checkpoint()
        if args.keep:
            restore_event_indexes(pg)
            log("kept %s and %s (server on socket %s, port %d)" % (pg.dir, work, pg.sock,
                                                                  pg.port))
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
    ap.add_argument("--auto-explain", type=int, metavar="MS",
                    help="log the plans of the store's statements slower than MS ms "
                         "(auto_explain, nested statements, ANALYZE without timing) to the "
                         "server log (with --keep: <cluster>/server.log); slows the store")
    ap.add_argument("--noidx-only", action="store_true",
                    help="generate, measure the floor and only the cold backfill without "
                         "event-time indexes (its figures checked, then the serving measured); "
                         "--report with an earlier run's JSON of the same scale fills in what "
                         "that run missed")
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
    global AUTO_EXPLAIN_MS
    AUTO_EXPLAIN_MS = args.auto_explain
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
                continue
            for s in r["scales"]:
                same = [m for m in merged["scales"] if m["label"] == s["label"]]
                if same:  # a later run of some phases: what the earlier missed
                    for k, v in s.items():
                        same[0].setdefault(k, v)
                else:
                    merged["scales"].append(s)
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
    bad = [b for s in results["scales"] for k in ("check", "check_noidx", "check_stores")
           for b in s.get(k, (0, []))[1]]
    for b in bad[:20]:
        print("MISMATCH", b)
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
