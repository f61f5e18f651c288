"""Feeds (SPEC §10) against real receivers: an HTTP one that refuses, stalls
or accepts, an HTTPS one (a certificate made here), and a directory.

(a) The receiver down for three scheduled runs, replayed with --once --now
    (one attempt each, refused), then up for a running daemon that finds it
    down first and retries with backoff: each period delivered exactly once,
    oldest first, with the document made at its first attempt (the same
    bytes every time), its SHA-256 and an Idempotency-Key; a restart sends
    nothing again; a start months later catches up on each missed period.
(b) kill -9 between sending and recording: the receiver holds its answer,
    the daemon is killed, the restarted daemon sends the same bytes with the
    same key once more, records it, and never again.
(c) Feeds added by SIGHUP: a quarterly statistics CSV and a yearly report
    XLSX written into a directory (read back: the CSV equals the HTTP
    statistics table, the workbook opens with openpyxl and holds the
    report's lines), HTTPS with the CA file delivered, HTTPS without it
    refused for the certificate (pending, ggzy_feed_up 0); GET /api/v1/feeds,
    /api/v1/status and the ggzy_feed_* series (promtool check metrics).
(d) --check reports bad feed sections at their lines; a bad reload keeps
    the running feeds."""
import hashlib
import http.server
import io
import json
import os
import shutil
import signal
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

try:
    import openpyxl
except ImportError:
    if os.path.exists("/usr/bin/python3") and os.path.realpath(sys.executable) != "/usr/bin/python3" \
            and not os.environ.get("GGZY_REEXEC"):
        os.environ["GGZY_REEXEC"] = "1"
        os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)
    raise

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import Checker, Daemon, PgServer, config_text, free_port, run_daemon, wait_until
from test_report import load


class Receiver:
    """Records every POST. mode: 'up' (201), 'down' (503), 'stall' (read the
    body, record it, hold the answer until released)."""

    def __init__(self, tls=None):
        self.mode = "up"
        self.posts = []     # (headers dict, body) of every POST read, whatever the answer
        self.accepted = []  # the same, answered 2xx
        self.release = threading.Event()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                entry = ({k.lower(): v for k, v in self.headers.items()}, body)
                receiver.posts.append(entry)
                if receiver.mode == "stall":
                    receiver.release.wait(60)
                    return  # the daemon is gone: nothing to answer
                if receiver.mode == "down":
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.accepted.append(entry)
                self.send_response(201)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        if tls:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def periods(self, accepted=True):
        return [h.get("x-ggzy-period") for h, _ in (self.accepted if accepted else self.posts)]


def store_rows(pg, feed):
    return pg.rows("store", "SELECT period, attempts, delivered_at IS NOT NULL, coalesce(last_error, ''), "
                            "coalesce(sha256, '') FROM ggzy.feed_delivery WHERE feed = '%s' ORDER BY due_at" % feed)


def strip_as_of(body):
    d = json.loads(body)
    d.pop("as_of", None)
    return d


def metrics(daemon):
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % daemon.port, timeout=30) as r:
        return r.read().decode()


def metric_value(text, name, feed):
    for line in text.splitlines():
        if line.startswith('%s{feed="%s"} ' % (name, feed)):
            return int(line.rsplit(" ", 1)[1])
    return None


def feeds_api(daemon):
    status, body = daemon.get("/api/v1/feeds")
    return {f["name"]: f for f in body["feeds"]} if status == 200 else {}


def make_cert(work):
    key, cert = os.path.join(work, "key.pem"), os.path.join(work, "cert.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    return ctx, cert


def main():
    ck = Checker("test_feeds")
    pg = PgServer("feeds")
    work = work_dir("feeds")
    daemon = None
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 1500)
        pg.createdb("store")
        rx = Receiver()
        port = free_port()
        base_cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")})
        monthly = ("\n[feed monthly]\nwhat = statistics\nschedule = monthly 5 09:00\ncenter = 433100\n"
                   "format = json\nurl = http://127.0.0.1:%d/upload?token=s3cret\ntimeout = 5s\nretry_max = 2s\n"
                   % rx.port)
        daemon = Daemon(work, base_cfg + monthly)
        code, out, err = run_daemon(daemon.config, "--check")
        ck.eq((code, err), (0, ""), "--check accepts the feed")

        # (a) three scheduled runs while the receiver refuses, one --once each
        rx.mode = "down"
        for i, now in enumerate(("2021-10-05T09:30:00", "2021-11-05T09:30:00", "2021-12-05T09:30:00")):
            code, out, err = run_daemon(daemon.config, "--once", "--now", now)
            ck.eq(code, 0, "--once at %s: %s" % (now, err[-300:]))
            rows = store_rows(pg, "monthly")
            ck.eq([r[0] for r in rows], ["2021-09", "2021-10", "2021-11"][:i + 1], "due after the run of %s" % now)
            ck.true("feed monthly" in err and "HTTP 503" in err, "--once logs the refusal")
        ck.eq(rx.periods(accepted=False), ["2021-09", "2021-09", "2021-09"],
              "each --once tries the oldest pending period once")
        ck.eq([(r[1], r[2], r[3]) for r in store_rows(pg, "monthly")],
              [("3", "f", "HTTP 503"), ("0", "f", ""), ("0", "f", "")], "attempts counted, nothing delivered")
        first = rx.posts[0]
        ck.true(all(b == first[1] for _, b in rx.posts), "every attempt sends the bytes first made")
        ck.eq(first[0].get("idempotency-key"), "ggzy-monthly-2021-09", "Idempotency-Key")
        ck.eq(first[0].get("x-ggzy-sha256"), hashlib.sha256(first[1]).hexdigest(), "SHA-256 header")
        ck.eq(first[0].get("content-type"), "application/json; charset=utf-8", "content type")

        # A running daemon finds the receiver down, backs off, then delivers.
        daemon.args = ["--now", "2021-12-05T09:30:00"]
        daemon.start()
        wait_until(lambda: len(rx.posts) >= 5, timeout=30, what="retries while down")
        f = feeds_api(daemon)["monthly"]
        ck.eq((f["up"], f["pending"], f["what"], f["center"]), (False, 3, "statistics", "433100"), "/api/v1/feeds while down")
        ck.eq(f["destination"], "http://127.0.0.1:%d/upload" % rx.port, "the destination without its query")
        text = metrics(daemon)
        ck.eq((metric_value(text, "ggzy_feed_up", "monthly"), metric_value(text, "ggzy_feed_pending_deliveries", "monthly")),
              (0, 3), "ggzy_feed_* while down")
        ck.true("s3cret" not in text and "s3cret" not in json.dumps(feeds_api(daemon)), "the URL's query never shown")
        t_up = time.time()
        rx.mode = "up"
        wait_until(lambda: len(rx.accepted) >= 3, timeout=30, what="deliveries once up")
        ck.true(time.time() - t_up < 6, "delivered within retry_max of coming up")
        time.sleep(1.5)
        ck.eq(rx.periods(), ["2021-09", "2021-10", "2021-11"], "each period exactly once, oldest first")
        for h, body in rx.accepted:
            p = h["x-ggzy-period"]
            status, want = daemon.get("/api/v1/statistics?period=%s&center=433100" % p)
            ck.eq(strip_as_of(body), {k: v for k, v in want.items() if k != "as_of"}, "%s: the statistics table" % p)
            ck.eq(h["x-ggzy-sha256"], hashlib.sha256(body).hexdigest(), "%s: its SHA-256" % p)
            ck.true(h["content-disposition"] == 'attachment; filename="monthly-%s.json"' % p,
                    "%s: file name %s" % (p, h["content-disposition"]))
        ck.true(rx.accepted[0][1] == first[1], "2021-09 as first made")
        # The receiver counts a delivery before its 201 reaches the daemon,
        # which then writes the acknowledgement.
        acked = lambda: [r[2] for r in store_rows(pg, "monthly")]
        wait_until(lambda: acked() == ["t", "t", "t"], timeout=10, what="the acknowledgements")
        ck.eq(acked(), ["t", "t", "t"], "all acknowledged in the store")
        wait_until(lambda: feeds_api(daemon)["monthly"]["pending"] == 0, timeout=10, what="summary")
        f = feeds_api(daemon)["monthly"]
        ck.eq((f["up"], f["last_period"], f["next_period"]), (True, "2021-11", "2021-12"), "/api/v1/feeds after")
        ck.eq([d["state"] for d in f["deliveries"]], ["delivered"] * 3, "deliveries' states")
        ck.eq(f["next_run"], "2022-01-05T09:00:00+08:00", "next run in the zone's time")
        ck.true("s3cret" not in json.dumps(f) and "s3cret" not in pg.psql("store", "SELECT * FROM ggzy_api.feed_deliveries"),
                "the URL's query is neither in the API nor in the store")
        ck.eq(f["deliveries"][0]["delivered_to"], "http://127.0.0.1:%d/upload" % rx.port, "delivered_to")
        text = metrics(daemon)
        ck.eq(metric_value(text, "ggzy_feed_pending_deliveries", "monthly"), 0, "nothing pending")
        ck.true((metric_value(text, "ggzy_feed_last_success_timestamp_seconds", "monthly") or 0) > time.time() - 60,
                "last success timestamp")
        status, st = daemon.get("/api/v1/status")
        ck.eq([x["name"] for x in st.get("feeds", [])], ["monthly"], "/api/v1/status lists the feed")
        ck.eq(daemon.stop(), 0, "SIGTERM")
        daemon.start()
        time.sleep(3)
        ck.eq(len(rx.accepted), 3, "a restart sends nothing acknowledged again")
        daemon.stop()

        # Down on the scheduled days: a start months later catches up.
        daemon.args = ["--now", "2022-03-05T09:30:00"]
        daemon.start()
        wait_until(lambda: len(rx.accepted) >= 6, timeout=30, what="catch-up")
        time.sleep(1)
        ck.eq(rx.periods()[3:], ["2021-12", "2022-01", "2022-02"], "each missed period, once, in order")
        daemon.stop()

        # (b) kill -9 between sending and recording
        rx.mode = "stall"
        daemon.args = ["--now", "2022-04-05T09:30:00"]
        daemon.start()
        wait_until(lambda: rx.periods(accepted=False)[-1:] == ["2022-03"], timeout=30, what="the send to stall")
        daemon.kill9()
        rx.release.set()
        rows = store_rows(pg, "monthly")
        ck.eq(rows[-1][:3], ["2022-03", "1", "f"], "sent but not recorded")
        sent = rx.posts[-1]
        rx.mode = "up"
        daemon.start()
        wait_until(lambda: rx.periods()[-1:] == ["2022-03"], timeout=30, what="the re-send")
        again = rx.accepted[-1]
        ck.true(again[1] == sent[1], "the re-send is the same bytes")
        ck.eq((again[0]["idempotency-key"], again[0]["x-ggzy-attempt"]), ("ggzy-monthly-2022-03", "2"),
              "with the same Idempotency-Key, attempt 2")
        wait_until(lambda: store_rows(pg, "monthly")[-1][2] == "t", timeout=10, what="recorded")
        daemon.stop()
        n = len(rx.accepted)
        daemon.start()
        time.sleep(3)
        ck.eq(len(rx.accepted), n, "acknowledged: never again")
        ck.eq(rx.periods().count("2022-03"), 1, "2022-03 accepted once")

        # (c) feeds added by SIGHUP: a directory, HTTPS with and without the CA
        tls, cert = make_cert(work)
        srx = Receiver(tls=tls)
        outdir = os.path.join(work, "out")
        os.mkdir(outdir)
        # at 2022-04-05 the quarterly run of 10 April is still ahead: Q4 2021
        added = ("\n[feed files]\nwhat = statistics\nschedule = quarterly 10 08:00\nformat = csv\ndirectory = %s\n"
                 "\n[feed yearly]\nwhat = report\nschedule = yearly 01-15 09:00\nformat = xlsx\ndirectory = %s\n"
                 "\n[feed secure]\nwhat = statistics\nschedule = monthly 5 09:00\nformat = md\n"
                 "url = https://127.0.0.1:%d/in\nca_file = %s\nretry_max = 1s\n"
                 "\n[feed untrusted]\nwhat = statistics\nschedule = monthly 5 09:00\nformat = md\n"
                 "url = https://127.0.0.1:%d/in\nretry_max = 1s\n" % (outdir, outdir, srx.port, cert, srx.port))
        with open(daemon.config, "w") as fh:
            fh.write(base_cfg + monthly + added)
        code, out, err = run_daemon(daemon.config, "--check")
        ck.eq((code, err), (0, ""), "--check accepts the new feeds: %s" % err)
        daemon.proc.send_signal(signal.SIGHUP)
        csv_path = os.path.join(outdir, "files-2021-Q4.csv")
        xlsx_path = os.path.join(outdir, "yearly-2021.xlsx")
        wait_until(lambda: os.path.exists(csv_path) and os.path.exists(xlsx_path), timeout=30, what="the files")
        wait_until(lambda: len(srx.accepted) >= 1, timeout=30, what="the HTTPS delivery")
        ck.eq(sorted(os.listdir(outdir)), ["files-2021-Q4.csv", "yearly-2021.xlsx"], "only the files, no temporary ones")
        with urllib.request.urlopen("http://127.0.0.1:%d/api/v1/statistics?period=2021-Q4&format=csv" % port) as r:
            want = r.read()
        with open(csv_path, "rb") as fh:
            got = fh.read()
        ck.true(got == want, "the directory's CSV equals the HTTP statistics table")
        wb = openpyxl.load_workbook(xlsx_path)
        ws = wb.active
        status, rep = daemon.get("/api/v1/report?year=2021")
        ck.eq(ws["A1"].value, "2021年度绩效自评表", "the yearly report's workbook")
        ck.eq([ws.cell(6 + i, 3).value for i in range(len(rep["indicators"]))], [i["name"] for i in rep["indicators"]],
              "its lines are the report's")
        ck.eq(srx.accepted[0][0].get("x-ggzy-period"), "2022-03", "HTTPS delivery with the CA file")
        ck.true(srx.accepted[0][1].decode().startswith("# "), "a Markdown body")
        wait_until(lambda: (feeds_api(daemon).get("untrusted") or {}).get("last_error"), timeout=20, what="TLS refusal")
        u = feeds_api(daemon)["untrusted"]
        ck.true(not u["up"] and u["pending"] == 1 and "certificate" in u["last_error"].lower(),
                "HTTPS without the CA: refused for the certificate: %s" % u["last_error"])
        ck.eq(len([h for h, _ in srx.posts if h.get("x-ggzy-feed") == "untrusted"]), 0, "nothing reached the receiver")
        text = metrics(daemon)
        ck.eq((metric_value(text, "ggzy_feed_up", "untrusted"), metric_value(text, "ggzy_feed_up", "files")), (0, 1),
              "ggzy_feed_up per feed")
        promtool = shutil.which("promtool")
        ck.true(promtool or os.environ.get("CI") != "true", "promtool is required when CI=true")
        if promtool:
            res = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            ck.eq((res.returncode, res.stdout.strip()), (0, ""), "promtool check metrics with feeds")
        ck.eq([d["state"] for d in feeds_api(daemon)["yearly"]["deliveries"]], ["delivered"], "the yearly report delivered")

        # (d) --check with line numbers; a bad reload keeps the running feeds
        bad = base_cfg + monthly + "\n[feed broken]\nwhat = stats\nschedule = weekly 1 09:00\ndirectory = /nonexistent\n"
        with open(daemon.config, "w") as fh:
            fh.write(bad)
        code, out, err = run_daemon(daemon.config, "--check")
        lines = bad.splitlines()
        at = {k: lines.index(v) + 1 for k, v in (("what", "what = stats"), ("schedule", "schedule = weekly 1 09:00"),
                                                  ("directory", "directory = /nonexistent"))}
        ck.eq(code, 2, "--check refuses the bad feed")
        for key, msg in (("what", "what: must be statistics or report"), ("schedule", "schedule: must be"),
                         ("directory", "directory: is not an existing directory")):
            ck.true(("%s:%d: %s" % (daemon.config, at[key], msg)) in err, "--check: %s at line %d: %s" % (key, at[key], err))
        log_len = len(daemon.read_log())
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "configuration invalid" in daemon.read_log()[log_len:], timeout=10, what="refused reload")
        ck.eq(sorted(feeds_api(daemon)), ["files", "monthly", "secure", "untrusted", "yearly"], "the running feeds stay")
        ck.eq(daemon.stop(), 0, "SIGTERM with a feed retrying")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
