"""The command line (--check, --version, --help, bad flags) and hostile or
mistaken HTTP input: every bad parameter is a 4xx with a JSON error, the
daemon keeps serving; bearer token on POST; a store that is down at start-up
(the daemon serves /healthz and /readyz explains)."""
import os
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (DAEMON, Checker, Daemon, PgServer, config_text, free_port, run_daemon,
                     source_sql, SOURCE_DIR)
import subprocess


def cli(*args):
    res = subprocess.run([DAEMON] + list(args), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, timeout=30)
    return res.returncode, res.stdout, res.stderr


def main():
    ck = Checker("test_http_cli")
    work = work_dir("http")

    # Command line.
    code, out, _ = cli("--version")
    ck.eq((code, out.startswith("ggzy-metricsd ")), (0, True), "--version")
    code, out, _ = cli("--help")
    ck.eq((code, "--once" in out and "--check" in out and "--now" in out), (0, True), "--help")
    ck.eq(cli("--bogus")[0], 2, "unknown flag")
    ck.eq(cli()[0], 2, "no -c")
    example = os.path.join(SOURCE_DIR, "config", "ggzy-metricsd.conf")
    code, out, err = cli("-c", example, "--check")
    ck.eq((code, out.strip()), (0, example + ": ok (no targets file)"),
          "--check of config/ggzy-metricsd.conf (%s)" % err)
    with_targets = os.path.join(work, "with-targets.conf")
    targets = os.path.join(SOURCE_DIR, "config", "targets.json")
    with open(with_targets, "w") as f:
        f.write("[daemon]\nstore = dbname=x\ntargets = %s\n" % targets)
    code, out, err = cli("-c", with_targets, "--check")
    ck.true(code == 0 and out.startswith(with_targets + ": ok; targets " + targets + ": ok ("),
            "--check says it checked the targets too: %s %s" % (out, err))
    bad = os.path.join(work, "bad.conf")
    with open(bad, "w") as f:
        f.write("[daemon]\nstore = dbname=x\nlisten = 127.0.0.1:99999\nfrobnicate = yes\n"
                "[source trading]\ninterval = soon\nreconcile_intervall = 1h\n[source ledger]\n")
    code, out, err = cli("-c", bad, "--check")
    lines = err.strip().splitlines()
    ck.eq(code, 2, "--check exit code on errors")
    ck.eq([l.split(": ", 1)[0] for l in lines],
          [bad + ":3", bad + ":4", bad + ":6", bad + ":7", bad + ":8", bad + ":5"],
          "every problem with its line: %s" % err)
    ck.true(any("port 99999 is out of range" in l for l in lines), "a port out of range says so: %s" % err)
    ck.true(any("unknown key 'reconcile_intervall' in [source trading]; did you mean "
                "'reconcile_interval'?" in l for l in lines), "the section and the closest key: %s" % err)
    ck.true(any("unknown source 'ledger' (known: trading, deposit, expert)" in l for l in lines),
            "the known sources come from the collector table: %s" % err)
    missing = os.path.join(work, "no-such.conf")
    code, out, err = cli("-c", missing, "--check")
    ck.eq((code, err.strip()), (2, "cannot open %s: No such file or directory" % missing),
          "a missing file, without ':0'")
    ck.eq(cli("-c", example, "--check", "--now", "yesterday")[0], 2, "bad --now")

    pg = PgServer("http")
    daemon = None
    try:
        pg.createdb("trading")
        pg.createdb("store")
        pg.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            pg.psql("trading", "\\set rows 300\n" + f.read())
        token_path = os.path.join(work, "token")
        with open(token_path, "w") as f:
            f.write("s3cret-token\n")
        os.chmod(token_path, 0o644)
        port = free_port()
        cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")},
                          extra_daemon="api_token_file = %s\n" % token_path)
        cfg_path = os.path.join(work, "tok.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg)
        code, _, err = run_daemon(cfg_path, "--check")
        ck.eq(code, 2, "a world-readable token file is refused")
        ck.true("readable by everyone" in err, "and the reason is given: %s" % err)
        os.chmod(token_path, 0o600)

        daemon = Daemon(work, cfg)
        daemon.start()
        ok = "/api/v1/series?metric=deals_count&from=2021-01-01&to=2021-12-31&step=month"
        status, body = daemon.get(ok)
        ck.eq((status, len(body["points"])), (200, 12), "a good request")

        def bad_request(query, code="bad_parameter", status_want=400):
            status, body = daemon.get("/api/v1/series?" + query)
            ck.eq(status, status_want, "status for %s" % query)
            if isinstance(body, dict) and "error" in body:
                ck.eq(body["error"]["code"], code, "code for %s" % query)
                ck.true(len(body["error"]["message"]) > 5, "message for %s" % query)
            else:
                ck.true(False, "JSON error body for %s: %r" % (query, body))

        bad_request("from=2021-01-01&to=2021-12-31", "missing_parameter")
        bad_request("metric=nope&from=2021-01-01&to=2021-12-31", "unknown_metric")
        bad_request("metric=deals_count&to=2021-12-31", "missing_parameter")
        for d in ["2021-02-30", "1800-01-01", "9999-01-01", "abc", "2021-1-1", "2021-01-01T00:00",
                  urllib.parse.quote("2021-01-01' OR '1'='1"), urllib.parse.quote("'; DROP TABLE ggzy.bucket; --")]:
            bad_request("metric=deals_count&from=%s&to=2021-12-31" % d)
            bad_request("metric=deals_count&from=2021-01-01&to=%s" % d)
        bad_request("metric=deals_count&from=2021-12-31&to=2021-01-01")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&step=fortnight")
        bad_request("metric=deals_count&from=1900-01-01&to=2200-12-31&step=day", "too_many_points")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&colour=red", "unknown_parameter")
        bad_request("metric=deals_count&metric=deal_amount&from=2021-01-01&to=2021-12-31")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&kind=cash", "unknown_label")
        bad_request("metric=evaluations_count&from=2021-01-01&to=2021-12-31&scope=cross_province",
                    "unknown_label")
        bad_request("metric=e_bid_rate&from=2021-01-01&to=2021-12-31&role=host", "unknown_label")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&cumulative=yes")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&center=%FF%FE")
        bad_request("metric=deals_count&from=2021-01-01&to=2021-12-31&center=" + "9" * 300)
        bad_request("metric=%27%3B%20SELECT%201&from=2021-01-01&to=2021-12-31", "unknown_metric")
        status, body = daemon.get("/api/v1/series?metric=deals_count&from=2021-01-01&to=2021-12-31"
                                  "&center=" + urllib.parse.quote("430000' OR 1=1 --"))
        ck.eq((status, body.get("points")), (200, []), "SQL-looking centre is just an unknown centre")
        status, body = daemon.get(ok + "&category=spaceships")
        ck.eq((status, body.get("points")), (200, []), "unknown label value: empty series")
        status, body = daemon.get("/nope")
        ck.eq((status, body["error"]["code"]), (404, "not_found"), "unknown path")
        status, body = daemon.request("DELETE", "/metrics")
        ck.true(status in (405, 501), "DELETE refused (%s)" % status)
        status, body = daemon.post("/metrics")
        ck.eq(status, 405, "POST /metrics")

        # Bearer token on POST.
        status, body = daemon.post("/api/v1/refresh")
        ck.eq((status, body["error"]["code"]), (401, "unauthorized"), "refresh without token")
        status, body = daemon.post("/api/v1/refresh", {"Authorization": "Bearer wrong-token!"})
        ck.eq(status, 401, "refresh with a wrong token")
        status, body = daemon.post("/api/v1/refresh", {"Authorization": "Bearer s3cret-token"})
        ck.eq((status, body.get("ok")), (200, True), "refresh with the token")

        # The catalogue lists every metric once with its names and kind.
        status, body = daemon.get("/api/v1/metrics")
        names = [m["name"] for m in body["metrics"]]
        ck.eq(len(names), len(set(names)), "catalogue names unique")
        for n in ["deals_count", "deal_amount", "savings_rate", "e_bid_rate", "cancelled_count",
                  "remote_opening_rate", "premium_rate"]:
            ck.true(n in names, "catalogue has %s" % n)
        ck.true(all(m["kind"] in ("count", "amount", "rate") and m["name_zh"] for m in body["metrics"]),
                "kinds and Chinese names")
        ck.eq(daemon.get("/healthz")[0], 200, "still serving after all that")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
        ck.true(not any("s3cret" in l for l in open(os.path.join(work, "daemon.log"))),
                "the token never reaches the log")

        # A store that is down at start-up: the daemon starts and explains.
        port2 = free_port()
        cfg2 = config_text(port2, "host=%s port=1 user=postgres dbname=store connect_timeout=2" % work,
                           {"trading": pg.conninfo("trading")})
        work2 = work_dir("http2")
        daemon = Daemon(work2, cfg2)
        daemon.start(wait_ready=False)
        status, body = daemon.get("/readyz")
        ck.eq(status, 503, "/readyz with the store down")
        ck.true(any(r.startswith("store:") for r in body.get("reasons", [])), "/readyz names the store: %s" % body)
        status, body = daemon.get("/healthz")
        ck.eq(status, 200, "/healthz with the store down")
        ck.eq(daemon.stop(), 0, "clean exit with the store down")
        daemon = None
        code, _, err = run_daemon(os.path.join(work2, "ggzy-metricsd.conf"), "--once", timeout=120)
        ck.eq(code, 1, "--once fails when the store is unreachable")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
