"""Hostile HTTP: malformed request lines and headers, huge headers and bodies,
hostile values (SQL-looking, %00, invalid UTF-8, very long) in every
parameter of every endpoint, impossible dates and huge series, slowloris
clients and a full connection table. Each is refused with a clear 4xx (the
SPEC §7 JSON body once a request reaches routing), the daemon's memory stays
bounded (VmRSS before and after each phase), the store is untouched by
SQL-looking input (row counts), and a probe thread hitting /healthz
throughout is always answered within PROBE_BOUND seconds.

The limits are set small in the configuration (max_header_size 4k,
max_body_size 1k, request_timeout 3s, max_series_points 1000) and the
connection cap is lowered and raised again with SIGHUP."""
import datetime
import os
import resource
import select
import signal
import socket
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import Checker, Daemon, PgServer, SOURCE_DIR, config_text, free_port, source_sql, wait_until

PROBE_BOUND = 2.0           # seconds a /healthz may take, whatever else is going on
REQUEST_TIMEOUT = 3         # [daemon] request_timeout of this test
MAX_POINTS = 1000           # [daemon] max_series_points of this test
SLOW_CLIENTS = 300
UNDER_ASAN = "detect_leaks" in os.environ.get("ASAN_OPTIONS", "") or bool(os.environ.get("GGZY_ASAN"))
# RSS growth allowed per phase and overall (the sanitizer build's allocator
# keeps freed memory in quarantine and maps shadow memory: looser there).
RSS_PHASE_KB = 64 * 1024 if UNDER_ASAN else 8 * 1024
RSS_TOTAL_KB = 128 * 1024 if UNDER_ASAN else 16 * 1024


def raise_nofile():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096) if hard != resource.RLIM_INFINITY else 4096
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def raw_request(port, data, timeout=5.0):
    """Sends DATA on a fresh connection; returns (status, headers, body,
    closed_after) where status is None when no response came."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            s.sendall(data)
        except OSError:
            pass  # the daemon may refuse before reading it all
        buf = b""
        deadline = time.time() + timeout
        while b"\r\n\r\n" not in buf and time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            buf += chunk
        if b"\r\n\r\n" not in buf:
            return None, {}, b"", True
        head, body = buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {}
        for l in lines[1:]:
            k, _, v = l.partition(":")
            headers[k.strip().lower()] = v.strip()
        want = int(headers.get("content-length", "0"))
        while len(body) < want and time.time() < deadline:
            try:
                chunk = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not chunk:
                break
            body += chunk
        closed = False
        if headers.get("connection", "").lower() == "close":
            try:
                s.settimeout(2)
                closed = s.recv(1) == b""
            except (ConnectionResetError, socket.timeout):
                closed = True
        return status, headers, body, closed
    finally:
        s.close()


class Probe(threading.Thread):
    """GET /healthz every 100 ms on a fresh connection; records latencies."""

    def __init__(self, port):
        super().__init__(daemon=True)
        self.port = port
        self.stop_flag = threading.Event()
        self.paused = threading.Event()
        self.latencies = []
        self.failures = []

    def run(self):
        while not self.stop_flag.is_set():
            if not self.paused.is_set():
                t = time.time()
                try:
                    status, _, body, _ = raw_request(self.port, b"GET /healthz HTTP/1.1\r\nHost: p\r\n"
                                                     b"Connection: close\r\n\r\n", timeout=PROBE_BOUND * 3)
                    if status != 200 or b'"ok"' not in body:
                        self.failures.append("status %s" % status)
                except OSError as e:
                    self.failures.append(repr(e))
                self.latencies.append(time.time() - t)
            time.sleep(0.1)


def main():
    raise_nofile()
    ck = Checker("test_hostile_http")
    work = work_dir("hostile")
    if UNDER_ASAN:
        # A small quarantine, so that RSS tracks what the daemon really holds.
        os.environ["ASAN_OPTIONS"] = os.environ.get("ASAN_OPTIONS", "") + ":quarantine_size_mb=16"
    pg = PgServer("hostile")
    daemon = None
    probe = None
    try:
        pg.createdb("trading")
        pg.createdb("store")
        pg.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            pg.psql("trading", "\\set rows 400\n" + f.read())
        port = free_port()
        limits = ("max_header_size = 4k\nmax_body_size = 1k\nrequest_timeout = %ds\n"
                  "max_series_points = %d\n" % (REQUEST_TIMEOUT, MAX_POINTS))

        def write_config(max_connections):
            return config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")},
                               extra_daemon=limits + "max_connections = %d\n" % max_connections)

        daemon = Daemon(work, write_config(SLOW_CLIENTS + 100))
        daemon.start()
        pid = daemon.proc.pid
        good = "/api/v1/series?metric=deal_amount&from=2021-01-01&to=2021-12-31&step=month"
        status, reference = daemon.get(good)
        ck.eq((status, len(reference.get("points", []))), (200, 12), "a good series")

        def table_counts():
            store = pg.rows("store", "SELECT table_schema || '.' || table_name FROM information_schema.tables "
                                     "WHERE table_schema = 'ggzy' ORDER BY 1")
            counts = {}
            for (t,) in store:
                counts["store " + t] = pg.rows("store", "SELECT count(*) FROM %s" % t)[0][0]
            for t in ("deals", "centers"):
                counts["trading " + t] = pg.rows("trading", "SELECT count(*) FROM %s" % t)[0][0]
            return counts

        counts_before = table_counts()
        ck.true(int(counts_before["store ggzy.image"]) > 0 and int(counts_before["trading deals"]) == 400,
                "tables filled before: %s" % counts_before)

        probe = Probe(port)
        probe.start()
        rss = [("start", rss_kb(pid))]

        def phase_done(name):
            rss.append((name, rss_kb(pid)))
            grown = rss[-1][1] - rss[-2][1]
            print("phase %-22s VmRSS %7d kB (%+d kB)" % (name, rss[-1][1], grown))
            ck.true(grown <= RSS_PHASE_KB, "phase %s: RSS grew %d kB (bound %d)" % (name, grown, RSS_PHASE_KB))

        # A warm-up pass, so that the phases measure growth, not first use.
        for _ in range(3):
            for q in (good, "/api/v1/series?metric=nope", "/api/v1/report?year=2021", "/metrics",
                      "/api/v1/alerts", "/api/v1/metrics"):
                daemon.get(q)
            raw_request(port, b"garbage\r\n\r\n")
        phase_done("warm-up")

        # ---- 1. Malformed request lines and headers, huge headers and bodies.
        # Requests libevent refuses before routing get its status (400, 413,
        # 501) and the connection is closed; the rest get the JSON body.
        big = b"a" * 8000
        malformed = [
            ("garbage", b"garbage\r\n\r\n", 400, None),
            ("binary", b"\x00\x01\x02\xff\xfe\r\n\r\n", 400, None),
            ("no version", b"GET /healthz\r\n\r\n", 400, None),
            ("HTTP/9.9", b"GET /healthz HTTP/9.9\r\n\r\n", 400, None),
            ("unknown method", b"BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n", 501, None),
            ("header without colon", b"GET /healthz HTTP/1.1\r\nNoColonHere\r\n\r\n", 400, None),
            ("NUL in the path", b"GET /healthz\x00x HTTP/1.1\r\nHost: x\r\n\r\n", 400, None),
            ("header over max_header_size", b"GET /healthz HTTP/1.1\r\nX-A: " + big + b"\r\n\r\n", 400, None),
            ("1000 headers", b"GET /healthz HTTP/1.1\r\n" +
             b"".join(b"X-%d: y\r\n" % i for i in range(1000)) + b"\r\n", 400, None),
            ("10 kB URI", b"GET /" + b"a" * 10000 + b" HTTP/1.1\r\n\r\n", 400, None),
            ("100 MB Content-Length", b"POST /api/v1/refresh HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: 100000000\r\n\r\n" + b"x" * 2000, 413, None),
            ("negative Content-Length", b"POST /api/v1/refresh HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: -5\r\n\r\n", 400, None),
            ("Content-Length not a number", b"POST /api/v1/refresh HTTP/1.1\r\nHost: x\r\n"
             b"Content-Length: abc\r\n\r\n", 400, None),
            ("chunked body over max_body_size", b"POST /api/v1/refresh HTTP/1.1\r\nHost: x\r\n"
             b"Transfer-Encoding: chunked\r\n\r\n" + (b"400\r\n" + b"x" * 1024 + b"\r\n") * 3, 413, None),
            ("bad chunk size", b"POST /api/v1/refresh HTTP/1.1\r\nHost: x\r\n"
             b"Transfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 413, None),
            ("DELETE", b"DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed"),
            ("PUT with a body", b"PUT /api/v1/refresh HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
             405, "method_not_allowed"),
            ("OPTIONS *", b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found"),
            ("bad %-escape and traversal", b"GET /%zz/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n",
             404, "not_found"),
            ("UTF-8 path", "GET /健康 HTTP/1.1\r\nHost: x\r\n\r\n".encode(), 404, "not_found"),
            ("bad %-escape in the query", b"GET /api/v1/series?metric=%zz HTTP/1.1\r\nHost: x\r\n\r\n",
             400, "unknown_metric"),
        ]
        for name, data, want, code in malformed:
            status, headers, body, closed = raw_request(port, data)
            ck.eq(status, want, "raw: %s" % name)
            if code:
                ck.true(headers.get("content-type", "").startswith("application/json") and
                        ('"code":"%s"' % code).encode() in body, "raw: %s: JSON error %s: %r" % (name, code, body))
            else:
                ck.true(closed, "raw: %s: connection closed after the refusal" % name)
        phase_done("malformed requests")

        # ---- 2. Hostile values in every parameter of every endpoint.
        long_value = "9" * 300
        hostile = [
            "%27%3B%20DROP%20TABLE%20ggzy.bucket%3B--", "1%27%20OR%20%271%27%3D%271",
            "deals_count%27%20UNION%20SELECT%20passwd%20FROM%20pg_shadow--", "%241", "%5C%27",
            "1%3B%20DELETE%20FROM%20deals", "%00", "abc%00def", "%FF%FE", "%C0%AF", "%ED%A0%80",
            "%F4%90%80%80", "%E4%B8", urllib.parse.quote("中文"), long_value, "9" * 3000, "9" * 5000,
            "%0D%0ASet-Cookie:%20x=1", "", "%25%32%37", "..%2F..%2Fetc%2Fpasswd", "+", "%09",
        ]
        bases = {
            "/api/v1/series": ("metric=deal_amount&from=2021-01-01&to=2021-12-31&step=month",
                               ["metric", "from", "to", "step", "center", "category", "kind", "scope",
                                "role", "cumulative"]),
            "/api/v1/rows": ("metric=deal_amount&from=2021-01-01&to=2021-12-31",
                             ["metric", "from", "to", "center", "category", "kind", "scope", "role",
                              "format", "limit", "after"]),
            "/api/v1/report": ("year=2021", ["year", "center", "format"]),
            "/api/v1/alerts": ("", ["year"]),
        }
        tried = 0
        for path, (base, params) in bases.items():
            for param in params:
                for value in hostile:
                    pairs = [p for p in base.split("&") if p and not p.startswith(param + "=")]
                    url = "%s?%s" % (path, "&".join(pairs + ["%s=%s" % (param, value)]))
                    status, body = daemon.get(url, timeout=30)
                    tried += 1
                    what = "%s %s=%s" % (path, param, value[:40])
                    if len(url) > 4096:
                        # A request line over max_header_size: refused by
                        # libevent before routing (its 400, no JSON).
                        ck.eq(status, 400, "%s: over max_header_size" % what)
                    elif 400 <= status < 500:
                        ok = isinstance(body, dict) and isinstance(body.get("error"), dict) and \
                            body["error"].get("code") and len(body["error"].get("message", "")) > 5
                        ck.true(ok, "%s: %s without the JSON error body: %r" % (what, status, body))
                    elif status == 200 and path == "/api/v1/series" and param in ("center", "category"):
                        # A centre code is open-ended and a category
                        # unknown: an empty series, never an error or a row.
                        ck.eq(body.get("points"), [], "%s: an unknown label value is an empty series" % what)
                    elif status == 200 and path == "/api/v1/rows" and param in ("center", "category"):
                        ck.eq((body.get("rows"), body.get("count")), ([], 0),
                              "%s: an unknown label value has no rows" % what)
                    else:
                        ck.true(False, "%s: status %s %r" % (what, status, body))
        # Endpoints without parameters ignore a query string, hostile or not.
        for path in ("/healthz", "/readyz", "/metrics", "/api/v1/metrics"):
            for value in hostile[:8]:
                status, _ = daemon.get("%s?x=%s" % (path, value))
                tried += 1
                ck.eq(status, 200, "%s?x=%s" % (path, value[:30]))
        status, headers, _, _ = raw_request(port, b"GET /api/v1/report?year=2021&center=%0D%0AX-Injected:%201 "
                                                  b"HTTP/1.1\r\nHost: x\r\n\r\n")
        ck.true("x-injected" not in headers and status in (400, 404), "no header injection (%s)" % status)
        print("hostile values: %d requests" % tried)
        phase_done("hostile values")

        # ---- 3. Dates out of range, from after to, huge series.
        def series(q):
            return daemon.get("/api/v1/series?metric=deals_count&" + q)

        for d in ["0000-01-01", "99999-01-01", "2021-02-30", "2021-13-01", "2021-00-10", "1899-12-31",
                  "2201-01-01", "-2021-01-01", "2021-1-1", "20210101", "2021-01-01T00:00:00Z", "2021/01/01",
                  "2021-01-01%20", "%EF%BC%92021-01-01"]:
            for q in ("from=%s&to=2021-12-31" % d, "from=2021-01-01&to=%s" % d):
                status, body = series(q)
                ck.eq((status, body.get("error", {}).get("code")), (400, "bad_parameter"), "date %s" % q)
        status, body = series("from=2021-12-31&to=2021-01-01")
        ck.eq((status, body["error"]["code"]), (400, "bad_parameter"), "from after to")
        start = datetime.date(2021, 1, 1)
        edge = (start + datetime.timedelta(days=MAX_POINTS - 1)).isoformat()
        over = (start + datetime.timedelta(days=MAX_POINTS)).isoformat()
        status, body = series("from=2021-01-01&to=%s&step=day" % edge)
        ck.eq((status, len(body.get("points", []))), (200, MAX_POINTS), "exactly max_series_points days")
        status, body = series("from=2021-01-01&to=%s&step=day" % over)
        ck.eq((status, body.get("error", {}).get("code")), (400, "too_many_points"), "one day more")
        for step, want in (("day", 400), ("week", 400), ("month", 400), ("quarter", 400), ("year", 200)):
            status, body = series("from=1900-01-01&to=2200-12-31&step=%s" % step)
            ck.eq(status, want, "1900..2200 by %s" % step)
            if want == 400:
                ck.eq(body["error"]["code"], "too_many_points", "1900..2200 by %s: code" % step)
                ck.true("%d" % MAX_POINTS in body["error"]["message"], "the message names the limit")
            else:
                ck.eq(len(body["points"]), 301, "1900..2200 by year: 301 points")
        for y in ["0000", "99999", "-1", "2021.5", "1900", "3000", "２０２１"]:
            status, body = daemon.get("/api/v1/report?year=%s" % urllib.parse.quote(y))
            ck.eq(status, 400, "report year %s" % y)
            ck.true(isinstance(body, dict) and "error" in body, "report year %s: JSON error" % y)
        phase_done("dates and sizes")

        # ---- 4. After all the SQL-looking input the store is intact.
        counts_after = table_counts()
        ck.eq(counts_after, counts_before, "row counts of every store table and of the source")
        status, again = daemon.get(good)
        ck.eq(again, reference, "the good series is unchanged")

        # ---- 5. Slowloris: SLOW_CLIENTS connections sending a header byte a
        # second, half of them after one whole request (kept alive, idle).
        slow = []
        for i in range(SLOW_CLIENTS):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            if i % 2:
                s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                s.recv(4096)  # answered; the connection stays open
            else:
                s.sendall(b"GET /healthz HTTP/1.1\r\nX-Slow: ")
            slow.append(s)
        opened = time.time()
        closed_at = {}
        served_during = []
        while time.time() - opened < REQUEST_TIMEOUT + 3 and len(closed_at) < len(slow):
            for i, s in enumerate(slow):
                if i in closed_at:
                    continue
                r, _, _ = select.select([s], [], [], 0)
                if r:
                    try:
                        data = s.recv(4096)
                    except ConnectionResetError:
                        data = b""
                    if not data:
                        closed_at[i] = time.time() - opened
                        continue
                if i % 2 == 0:
                    try:
                        s.send(b"a")
                    except OSError:
                        closed_at[i] = time.time() - opened
            t = time.time()
            status, _ = daemon.get(good, timeout=PROBE_BOUND * 3)
            served_during.append((status, time.time() - t))
            time.sleep(max(0, 1 - (time.time() - t)))
        for s in slow:
            s.close()
        ck.eq(len(closed_at), SLOW_CLIENTS, "every slow or idle connection closed by the daemon")
        latest = max(closed_at.values()) if closed_at else None
        ck.true(latest is not None and latest <= REQUEST_TIMEOUT + 2.5,
                "closed within request_timeout (+ 2.5 s): latest after %s s" % latest)
        ck.true(all(st == 200 and dt < PROBE_BOUND for st, dt in served_during),
                "series requests served during the slowloris: %s" % served_during)
        print("slowloris: %d connections, all closed by %.1f s; series answered in %s s" % (
            len(closed_at), latest or -1, ", ".join("%.3f" % dt for _, dt in served_during)))
        phase_done("slowloris")

        # ---- 6. The connection cap, lowered with SIGHUP.
        cap = 20
        probe.paused.set()
        time.sleep(0.5)
        with open(daemon.config, "w") as f:
            f.write(write_config(cap))
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: daemon.read_log().count("reload: done") >= 1, 10, what="reload")
        idle = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(cap)]
        time.sleep(0.3)
        status, headers, body, closed = raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        ck.eq((status, b'"code":"too_many_connections"' in body, closed), (503, True, True),
              "connection %d of a cap of %d: 503 too_many_connections (%r)" % (cap + 1, cap, body))
        # The idle ones go after request_timeout; then the daemon serves again.
        wait_until(lambda: raw_request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")[0] == 200,
                   REQUEST_TIMEOUT + 5, 0.5, "a free connection slot")
        for s in idle:
            s.close()
        with open(daemon.config, "w") as f:
            f.write(write_config(SLOW_CLIENTS + 100))
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: daemon.read_log().count("reload: done") >= 2, 10, what="second reload")
        probe.paused.clear()
        time.sleep(1)
        phase_done("connection cap")

        probe.stop_flag.set()
        probe.join(10)
        worst = max(probe.latencies) if probe.latencies else None
        print("probe: %d answered, worst %.3f s, failures %s" % (len(probe.latencies), worst or -1,
                                                                   probe.failures[:5]))
        ck.eq(probe.failures, [], "every /healthz probe answered 200")
        ck.true(len(probe.latencies) > 50 and worst < PROBE_BOUND,
                "every probe within %s s (worst %s)" % (PROBE_BOUND, worst))
        total = rss[-1][1] - rss[1][1]
        ck.true(total <= RSS_TOTAL_KB, "RSS after warm-up grew %d kB in all (bound %d)" % (total, RSS_TOTAL_KB))
        ck.eq(daemon.get("/healthz")[0], 200, "still serving after all that")
        code = daemon.stop()
        daemon = None
        ck.eq(code, 0, "clean exit")
        log = open(os.path.join(work, "daemon.log")).read()
        ck.true("Sanitizer" not in log and "runtime error" not in log, "no sanitizer report in the log")
    finally:
        if probe:
            probe.stop_flag.set()
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
