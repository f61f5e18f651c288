"""Load: wrk with 200 connections against /metrics, /api/v1/series (a year by
month) and /api/v1/report while the source changes and is polled every
second. Zero socket errors and zero non-2xx answers; VmRSS after a second
run no more than a small tolerance above the first (warm) run; then the
daemon stops cleanly on SIGTERM — under the sanitizer build that is also
LeakSanitizer's verdict (detect_leaks=1, abort_on_error=1: a leak would make
the exit status non-zero and print a report) — and, in the normal build, a
shorter soak under Valgrind's leak checker must report no leak.

wrk's figures are printed. Bounded: about a minute."""
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import DAEMON, Checker, Daemon, PgServer, SOURCE_DIR, config_text, free_port, source_sql

CONNECTIONS = 200
THREADS = 2
SECONDS = 6
UNDER_ASAN = "detect_leaks" in os.environ.get("ASAN_OPTIONS", "")
RSS_TOLERANCE_KB = 32 * 1024 if UNDER_ASAN else 4 * 1024
NOW = "2021-12-31T12:00:00"
ENDPOINTS = [
    "/metrics",
    "/api/v1/series?metric=deal_amount&from=2021-01-01&to=2021-12-31&step=month",
    "/api/v1/report?year=2021",
]


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wrk(port, path, seconds=SECONDS, connections=CONNECTIONS, threads=THREADS):
    """Runs wrk; returns (requests, socket_errors, non_2xx, output)."""
    res = subprocess.run(["wrk", "-t%d" % threads, "-c%d" % connections, "-d%ds" % seconds,
                          "--timeout", "10s", "--latency", "http://127.0.0.1:%d%s" % (port, path)],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         timeout=seconds + 60)
    out = res.stdout
    m = re.search(r"(\d+) requests in", out)
    requests = int(m.group(1)) if m else 0
    errors = 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors = sum(int(x) for x in m.groups())
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    non2xx = int(m.group(1)) if m else 0
    if res.returncode != 0:
        errors += 1
    return requests, errors, non2xx, out


class Changer(threading.Thread):
    """Changes the source while the load runs: a new 2021 deal and an
    amount correction every 0.3 s."""

    def __init__(self, pg):
        super().__init__(daemon=True)
        self.pg = pg
        self.stop_flag = threading.Event()
        self.changes = 0

    def run(self):
        n = 0
        while not self.stop_flag.is_set():
            n += 1
            self.pg.psql("trading", """
                INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount,
                                   deal_at, fully_electronic, remote_opening, status, service_fee)
                VALUES ('LOAD%06d', 'PL', '433101', 'engineering', 'open_tender', 1000.%02d,
                        timestamptz '2021-06-01 10:00+08' + interval '%d hours', true, false,
                        'awarded', 1.00);
                UPDATE deals SET deal_amount = deal_amount + 0.01, updated_at = now()
                 WHERE deal_id = (SELECT deal_id FROM deals WHERE deal_id LIKE 'D%%' ORDER BY deal_id
                                  OFFSET %d LIMIT 1);""" % (n, n % 100, n, n % 50))
            self.changes += 1
            time.sleep(0.3)


def main():
    raise_nofile()
    ck = Checker("test_load")
    if not shutil.which("wrk"):
        print("wrk is not installed (deploy/install-deps.sh bench)")
        sys.exit(1)
    work = work_dir("load")
    if UNDER_ASAN:
        # A small quarantine (default 256 MB), so that RSS tracks what the
        # daemon holds rather than freed memory ASan keeps poisoned.
        os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    pg = PgServer("load")
    daemon = None
    changer = None
    try:
        pg.createdb("trading")
        pg.createdb("store")
        pg.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            pg.psql("trading", "\\set rows 3000\n" + f.read())
        port = free_port()
        cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")},
                          source_opts={"trading": {"interval": "1s", "overlap": "10s",
                                                   "reconcile_interval": "5s", "reconcile_old_interval": "5s"}})
        daemon = Daemon(work, cfg, args=["--now", NOW])
        daemon.start()
        pid = daemon.proc.pid
        changer = Changer(pg)
        changer.start()

        rss = []
        for run in (1, 2):
            for path in ENDPOINTS:
                requests, errors, non2xx, out = wrk(port, path)
                print("== run %d: wrk -t%d -c%d -d%ds %s" % (run, THREADS, CONNECTIONS, SECONDS, path))
                print(out.strip())
                ck.true(requests > 0, "run %d %s: requests answered" % (run, path))
                ck.eq((errors, non2xx), (0, 0), "run %d %s: socket errors and non-2xx" % (run, path))
            rss.append(rss_kb(pid))
            print("VmRSS after run %d: %d kB" % (run, rss[-1]))
        ck.true(rss[1] - rss[0] <= RSS_TOLERANCE_KB,
                "no growth between runs: %d kB then %d kB (tolerance %d kB)" % (rss[0], rss[1], RSS_TOLERANCE_KB))

        changer.stop_flag.set()
        changer.join(10)
        log = daemon.read_log()
        polls = log.count("source trading: poll") + len(re.findall(r"source trading: .*days recomputed", log))
        print("source changes during the load: %d; poll/recompute log lines: %d" % (changer.changes, polls))
        ck.true(changer.changes >= 20, "the source changed during the load (%d)" % changer.changes)
        # After the load the figures are still exact: refresh, then compare
        # the year's count with SQL.
        daemon.refresh()
        status, body = daemon.get(ENDPOINTS[1].replace("deal_amount", "deals_count"))
        want = int(pg.rows("trading", "SELECT count(*) FROM deals WHERE status = 'awarded' AND "
                                      "(deal_at AT TIME ZONE 'Asia/Shanghai')::date "
                                      "BETWEEN '2021-01-01' AND '2021-12-31'")[0][0])
        ck.eq((status, sum(p["value"] for p in body.get("points", []))), (200, want),
              "2021 deals after the load equal SQL")
        code = daemon.stop()
        daemon = None
        log = open(os.path.join(work, "daemon.log")).read()
        ck.eq(code, 0, "clean exit on SIGTERM after the load%s" % (" (LeakSanitizer found nothing)" if UNDER_ASAN else ""))
        ck.true("LeakSanitizer" not in log and "AddressSanitizer" not in log and "runtime error" not in log,
                "no sanitizer report: %s" % log[-2000:])

        # A soak under Valgrind (normal build only: it cannot run an ASan binary).
        if not UNDER_ASAN and shutil.which("valgrind"):
            vport = free_port()
            vcfg = cfg.replace("127.0.0.1:%d" % port, "127.0.0.1:%d" % vport)
            vwork = work_dir("load-vg")
            vdaemon = Daemon(vwork, vcfg, args=["--now", NOW])
            vlog = os.path.join(vwork, "valgrind.log")
            real = vdaemon.start
            # Run the same binary under valgrind: swap the command line.
            import harness
            saved = harness.DAEMON
            wrapper = os.path.join(vwork, "daemon-under-valgrind")
            with open(wrapper, "w") as f:
                f.write("#!/bin/sh\nexec valgrind --quiet --leak-check=full --show-leak-kinds=definite,indirect "
                        "--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --log-file=%s %s \"$@\"\n"
                        % (vlog, saved))
            os.chmod(wrapper, 0o755)
            harness.DAEMON = wrapper
            try:
                real(timeout=120)
                for path in ENDPOINTS:
                    requests, errors, non2xx, out = wrk(vport, path, seconds=3, connections=20, threads=1)
                    print("== under valgrind: %s: %d requests, %d socket errors, %d non-2xx" % (
                        path, requests, errors, non2xx))
                    ck.true(requests > 0 and non2xx == 0, "valgrind soak %s answered" % path)
                vcode = vdaemon.stop(timeout=120)
            finally:
                harness.DAEMON = saved
                if vdaemon.proc:
                    vdaemon.stop()
            report = open(vlog).read() if os.path.exists(vlog) else ""
            print("valgrind: exit %s, report: %s" % (vcode, report.strip()[-1500:] or "(empty)"))
            ck.eq(vcode, 0, "valgrind: clean exit, no leak and no memory error")
            ck.true("definitely lost" not in report and "Invalid" not in report,
                    "valgrind report is clean")
    finally:
        if changer:
            changer.stop_flag.set()
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
