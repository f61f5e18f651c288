#!/usr/bin/env python3
"""The built-in page (GET /) in headless Chromium, on the demo data.

The harness starts a private PostgreSQL with the contract and the demo data
(deploy/demo/, a small row count), the daemon with config/targets.json and
--now 2022-12-31T12:00:00 (as deploy/demo.sh runs it), after a --once run
the day before, so that behind-pace alerts are firing. page.mjs (Playwright,
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
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,  # noqa: E402
                     wait_until, SOURCE_DIR)

TZ = "Asia/Shanghai"
NOW = "2022-12-31T12:00:00"
ROWS = 3000
CHROMIUM = os.environ.get("GGZY_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = os.environ.get("GGZY_ARTIFACTS") or os.path.join(SOURCE_DIR, "tests", "artifacts", "browser")


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
    # The backfill, and a first evaluation behind pace the day before: the
    # daemon's own evaluation at start makes the 2022 alerts fire.
    code, out, err = run_daemon(daemon.config, "--once", "--now", "2022-12-30T12:00:00")
    if code != 0:
        raise RuntimeError("--once: exit %s\n%s" % (code, err[-3000:]))
    daemon.start(wait_ready=True)
    # Ready means a first poll; a reconciliation follows it at once and moves
    # as_of. Wait for it, so that the page and this test see the same as_of
    # (the next poll is an hour away).
    wait_until(lambda: all(s["last_reconcile"] and not s["running"]
                           for s in get(daemon, "/api/v1/status")["sources"]),
               timeout=60, what="the first reconciliation of every source")
    # And its first evaluation of the targets, at --now: the alerts stay put.
    wait_until(lambda: all(a["evaluated_at"] == NOW + "+08:00" for a in get(daemon, "/api/v1/alerts")["alerts"]
                           if a["year"] == 2022),
               timeout=60, what="the daemon's first evaluation of the alerts")
    return daemon


UNITS = {"元": 0, "万元": -4, "亿元": -8, "%": 2}
CATEGORIES = ["engineering", "gov_procurement", "land_mineral", "state_property", "medical", "other"]
# The headline cards of the page and their units (amounts: 亿元 from one 亿 up, else 万元).
HEADLINES = [("deal_amount", None), ("deals_count", "宗"), ("savings_amount", None),
             ("liquidity_released_amount", None), ("e_bid_rate", "%"), ("remote_opening_rate", "%"),
             ("remote_evaluations_count", "次"), ("service_fee_amount", None)]


def dec(v):
    """An API value as an exact Decimal: strings as written, numbers by their
    shortest text (what the page gets from JSON.parse too)."""
    return Decimal(v) if isinstance(v, str) else Decimal(repr(v))


def trimmed(d):
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def display(v, unit):
    """A figure as the reports write it: scaled, half-up to 2 decimals, no trailing zeros."""
    if v is None:
        return "—"
    shift = UNITS.get(unit, 0)
    return trimmed((dec(v).scaleb(shift)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)) + unit


def yoy_percent(a, p):
    if a is None or p is None or dec(p) == 0:
        return None
    r = ((dec(a) - dec(p)) * 100 / dec(p)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return trimmed(r) + "%"


def card_unit(metric, unit, value):
    if unit:
        return unit
    return "亿元" if value is not None and abs(dec(value)) >= Decimal(100000000) else "万元"


def get(daemon, path):
    status, body = daemon.get(path)
    if status != 200:
        raise RuntimeError("GET %s: %s %s" % (path, status, body))
    return body


def series(daemon, metric, period, center, **extra):
    q = {"metric": metric, "from": period["from"], "to": period["to"]}
    if center:
        q["center"] = center
    q.update(extra)
    return get(daemon, "/api/v1/series?" + urllib.parse.urlencode(q))


# The page's exact scaling on the edges: ties, negatives, 999.995 carrying
# into a new digit, beyond 2^53, exponent notation (a rate as JSON.parse
# gives it), integers.
DECIMAL_CASES = [["12345678.995", "万元"], ["-12345678.995", "万元"], ["0.00", "亿元"], ["-0.004", "元"],
                 ["99999999999.50", "亿元"], ["99999999.995", "万元"], ["123456789012345678.01", "亿元"],
                 ["150000000.00", "亿元"], ["-0.50", "%"], [5e-07, "%"], [0.123455, "%"], [0.5, "%"],
                 [1, "%"], [0, "%"], [4000, "宗"], [98765, "次"], ["20055000000.00", "亿元"], ["32810000", "万元"]]


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def http_raw(port, method, path, headers=None):
    req = urllib.request.Request("http://127.0.0.1:%d%s" % (port, path), method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def check_http(ck, daemon):
    """The page's HTTP contract: content types, a strong ETag and 304, the CSP."""
    port = daemon.port
    status, h, body = http_raw(port, "GET", "/")
    ck.eq(status, 200, "GET / status")
    ck.eq(h.get("Content-Type"), "text/html; charset=utf-8", "GET / content type")
    etag = h.get("ETag") or ""
    ck.true(etag.startswith('"') and etag.endswith('"') and len(etag) > 10, "strong ETag: %r" % etag)
    csp = h.get("Content-Security-Policy") or ""
    ck.true("default-src 'none'" in csp and "script-src 'self'" in csp and "connect-src 'self'" in csp
            and "http" not in csp and "*" not in csp and "unsafe" not in csp, "CSP allows only 'self': %r" % csp)
    ck.true(b"dashboard.js" in body and b"dashboard.css" in body, "index.html names its assets")
    for path, ctype in (("/dashboard.js", "text/javascript; charset=utf-8"),
                        ("/dashboard.css", "text/css; charset=utf-8")):
        st, hh, b = http_raw(port, "GET", path)
        ck.eq((st, hh.get("Content-Type")), (200, ctype), "GET %s" % path)
        ck.true(hh.get("ETag") not in (None, etag), "%s has its own ETag" % path)
        want = open(os.path.join(SOURCE_DIR, "daemon", "web", path[1:]), "rb").read()
        ck.true(b == want, "%s is daemon/web%s byte for byte (%d bytes served, %d in the tree; "
                "rebuild after editing it)" % (path, path, len(b), len(want)))
        st, _, b = http_raw(port, "GET", path, {"If-None-Match": hh.get("ETag")})
        ck.eq((st, b), (304, b""), "%s revalidated: 304, no body" % path)
    for inm, want in ((etag, 304), ('W/' + etag, 304), ('"nope", ' + etag, 304), ("*", 304),
                      ('"nope"', 200), ('W/"nope"', 200)):
        st, hh, b = http_raw(port, "GET", "/", {"If-None-Match": inm})
        ck.eq(st, want, "If-None-Match %r" % inm)
        ck.eq(hh.get("ETag"), etag, "ETag on the %d for %r" % (st, inm))
        if st == 304:
            ck.eq(b, b"", "304 has no body")
    st, hh, b = http_raw(port, "HEAD", "/")
    ck.eq((st, b), (200, b""), "HEAD /")
    st, _, _ = http_raw(port, "GET", "/dashboard.map")
    ck.eq(st, 404, "unknown asset: 404")
    st, _, _ = http_raw(port, "POST", "/")
    ck.eq(st, 405, "POST /: 405")
    st, _, b = http_raw(port, "GET", "/api/v1/status?x=1")
    ck.eq(st, 400, "/api/v1/status takes no parameters")
    for f in ("index.html", "dashboard.js", "dashboard.css"):
        text = open(os.path.join(SOURCE_DIR, "daemon", "web", f), encoding="utf-8").read()
        for bad in ("https:", "//cdn", "@import", "url(http", "<script>", "style=\""):
            ck.true(bad not in text, "daemon/web/%s has no %r" % (f, bad))


def check_step(ck, daemon, pg, subtree, seen, year, center, what):
    """What the page showed for year and centre against the API and SQL."""
    ck.eq(seen.get("key"), "%d|%s" % (year, center), "%s: page shows year and centre" % what)
    status = get(daemon, "/api/v1/status")
    q = {"year": year}
    if center:
        q["center"] = center
    report = get(daemon, "/api/v1/report?" + urllib.parse.urlencode(q))
    alerts = get(daemon, "/api/v1/alerts")
    period, prev = report["period"], report["previous_period"]

    ck.eq(seen["year"], str(year), "%s: year chosen" % what)
    ck.eq(seen["years"], [str(y) for y in reversed(status["years"])], "%s: years offered" % what)
    ck.eq(seen["center"], center, "%s: centre chosen" % what)
    ck.eq(seen["centers"], [""] + [c["code"] for c in status["centers"]], "%s: centres offered" % what)
    ck.eq(seen["asOf"], status["as_of"], "%s: as_of as /api/v1/status" % what)
    ck.eq(seen["asOf"], report["as_of"], "%s: as_of as the report" % what)
    ck.eq(seen["asOfText"], status["as_of"][:19].replace("T", " "), "%s: as_of shown" % what)
    if center:
        ck.eq(seen["centerName"], report["center_name"], "%s: centre name" % what)

    # Headline cards: the API's exact figures written as the reports write them.
    cards = {k["metric"]: k for k in seen["kpis"]}
    ck.eq([k["metric"] for k in seen["kpis"]], [m for m, _ in HEADLINES], "%s: headline cards" % what)
    by_metric = {i["metric"]: i for i in report["indicators"] if i["metric"] and not i["filter"]}
    for metric, unit in HEADLINES:
        card = cards.get(metric, {})
        cur = series(daemon, metric, period, center, step="year")["points"]
        old = series(daemon, metric, prev, center, step="year")["points"]
        a = cur[0]["value"] if cur else None
        p = old[0]["value"] if old else None
        u = card_unit(metric, unit, a)
        ck.eq(card.get("value"), "" if a is None else (a if isinstance(a, str) else json.dumps(a)),
              "%s: %s card value" % (what, metric))
        ck.eq(card.get("display"), display(a, u), "%s: %s card display" % (what, metric))
        ck.eq(card.get("text"), display(a, u), "%s: %s card text" % (what, metric))
        ck.eq(card.get("previousDisplay"), display(p, u), "%s: %s card previous year" % (what, metric))
        ck.eq(card.get("yoy") or None, yoy_percent(a, p), "%s: %s card 同比" % (what, metric))
        ind = by_metric.get(metric)
        if ind and (ind["display_unit"] == u):
            ck.eq(card.get("display"), ind["display"], "%s: %s card as the report writes it" % (what, metric))

    # Targets (or, without targets, every figure of the report).
    rows = seen["targets"]
    ck.eq([r["indicator"] for r in rows], [i["name"] for i in report["indicators"]], "%s: indicator rows" % what)
    ck.eq(seen["total"], None if report["total_score"] is None else json.dumps(report["total_score"]),
          "%s: total score" % what)
    ck.eq(seen["grade"], report["grade"], "%s: grade" % what)
    for r, ind in zip(rows, report["indicators"]):
        name = ind["name"]
        ck.eq((r["display"], r["actualText"]), (ind["display"], ind["display"]), "%s: %s actual" % (what, name))
        ck.eq(r["targetDisplay"], ind["target_display"] or "", "%s: %s target" % (what, name))
        ck.eq(r["completion"], "" if ind["completion"] is None else json.dumps(ind["completion"]),
              "%s: %s completion" % (what, name))
        if ind["metric"] and not ind["manual"]:
            unit = ind["display_unit"]
            ck.eq(r["yoy"] and r["yoy"].get("previousDisplay"), display(ind["previous_year"], unit),
                  "%s: %s previous year" % (what, name))
            ck.eq(r["yoy"] and r["yoy"].get("yoy") or None,
                  None if ind["yoy"] is None else display(ind["yoy"], "%"), "%s: %s 同比" % (what, name))
        if report["targets"] and ind["metric"]:
            pace = [a for a in alerts["alerts"] if a["year"] == year and a["center"] == (center or None)
                    and a["indicator"] == name and a["alertname"] == "GgzyTargetBehindPace"]
            want = {"paceRatio": json.dumps(pace[0]["pace_ratio"]), "state": pace[0]["state"]} if pace else None
            ck.eq(r["pace"], want, "%s: %s pace" % (what, name))
            if ind["completion"] is not None:
                fill = float(r["fill"].rstrip("%")) if r["fill"] else None
                ck.true(fill is not None and abs(fill - min(100.0, ind["completion"] * 100)) < 1e-6,
                        "%s: %s progress bar %r for completion %r" % (what, name, r["fill"], ind["completion"]))

    # Monthly bars: every segment carries the API's exact value.
    bars = {(b["metric"], b.get("category", ""), b["month"]): b for b in seen["bars"]}
    nbars = 0
    for metric in ("deal_amount", "deals_count"):
        for cat in CATEGORIES:
            for pt in series(daemon, metric, period, center, step="month", category=cat)["points"]:
                b = bars.get((metric, cat, pt["start"][:7]))
                v = pt["value"] if isinstance(pt["value"], str) else json.dumps(pt["value"])
                ck.eq(b and b["value"], v, "%s: %s %s %s bar" % (what, metric, cat, pt["start"][:7]))
                nbars += 1
                if b and metric == "deal_amount":
                    ck.true(display(pt["value"], card_unit(metric, None, pt["value"])) in b["title"],
                            "%s: bar title %r shows %s" % (what, b["title"], pt["value"]))
    for pt in series(daemon, "remote_evaluations_count", period, center, step="month")["points"]:
        b = bars.get(("remote_evaluations_count", "", pt["start"][:7]))
        ck.eq(b and b["value"], json.dumps(pt["value"]), "%s: remote evaluations %s" % (what, pt["start"][:7]))
        nbars += 1
    ck.eq(len(seen["bars"]), nbars, "%s: no other bars" % what)
    points = {(p["metric"], p["month"]): p for p in seen["points"]}
    npoints = 0
    for metric in ("e_bid_rate", "remote_opening_rate"):
        for pt in series(daemon, metric, period, center, step="month")["points"]:
            p = points.get((metric, pt["start"][:7]))
            if pt["value"] is None:
                ck.true(p is None, "%s: %s %s has no point (null)" % (what, metric, pt["start"]))
                continue
            npoints += 1
            ck.true(p is not None and float(p["value"]) == pt["value"] and p["display"] == display(pt["value"], "%"),
                    "%s: %s %s point %r, API %r" % (what, metric, pt["start"][:7], p, pt["value"]))
    ck.eq(len(seen["points"]), npoints, "%s: no other points" % what)

    # Alerts, sources, downloads.
    firing = sorted((a["indicator"], str(a["year"]), a["center"] or "") for a in alerts["alerts"]
                    if a["state"] == "firing")
    ck.eq(sorted((a["indicator"], a["year"], a["center"]) for a in seen["alerts"]), firing,
          "%s: firing alerts" % what)
    ck.eq(seen["alertCount"], str(len(firing)), "%s: alert count" % what)
    ck.eq([(s["source"], s["up"]) for s in seen["sources"]],
          [("store", json.dumps(status["store_up"]))] + [(s["name"], json.dumps(s["up"])) for s in status["sources"]],
          "%s: source health" % what)
    want_q = urllib.parse.urlencode(q)
    ck.eq((seen["csv"], seen["md"]), ("/api/v1/report?%s&format=csv" % want_q, "/api/v1/report?%s&format=md" % want_q),
          "%s: download links" % what)
    st, h, body = http_raw(daemon.port, "GET", seen["csv"])
    ck.true(st == 200 and h.get("Content-Type", "").startswith("text/csv") and body.startswith(b"\xef\xbb\xbf"),
            "%s: CSV download works (%s %s)" % (what, st, h.get("Content-Type")))
    st, h, body = http_raw(daemon.port, "GET", seen["md"])
    ck.true(st == 200 and "attachment" in (h.get("Content-Disposition") or ""), "%s: Markdown download works" % what)
    ck.eq(seen["banner"], "", "%s: no error banner" % what)
    ck.true(not seen["overflowX"], "%s: no horizontal scrolling" % what)

    # Independent of the daemon: the year's deal amount, deal count and the
    # monthly amounts per category from the source rows, to the fen.
    cond = "status = 'awarded' AND (deal_at AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'" % (
        TZ, period["from"], period["to"])
    if center:
        cond += " AND center_code IN (%s)" % ",".join("'%s'" % c for c in subtree(center))
    amount, count = pg.rows("trading", "SELECT coalesce(sum(deal_amount), 0), count(*) FROM deals WHERE %s" % cond)[0]
    ck.eq(cards.get("deal_amount", {}).get("value"), amount, "%s: deal amount equals SQL to the fen" % what)
    ck.eq(cards.get("deal_amount", {}).get("display"), display(amount, card_unit("deal_amount", None, amount)),
          "%s: deal amount shown equals SQL, scaled" % what)
    ck.eq(cards.get("deals_count", {}).get("display"), count + "宗", "%s: deals count equals SQL" % what)
    monthly = pg.rows("trading", "SELECT category, to_char(deal_at AT TIME ZONE '%s', 'YYYY-MM'), sum(deal_amount) "
                      "FROM deals WHERE %s GROUP BY 1, 2" % (TZ, cond))
    for cat, month, value in monthly:
        b = bars.get(("deal_amount", cat, month))
        ck.eq(b and b["value"], value, "%s: %s %s amount equals SQL" % (what, cat, month))
    ck.true(len(monthly) > 12, "%s: SQL found monthly figures (%d)" % (what, len(monthly)))
    return cards


def break_expert(ck, daemon, pg):
    """The expert database refuses connections; a poll marks that source down."""
    pg.psql("postgres", "ALTER DATABASE expert ALLOW_CONNECTIONS false; "
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = 'expert'")
    status, _ = daemon.post("/api/v1/refresh")
    ck.eq(status, 502, "refresh with the expert source down")
    # That poll failed on a connection the server ended; the retries that
    # follow (after 1 s, 2 s, ...) fail to connect, each with the same error.
    # Wait for it, so that the page and this test read the same error (under
    # AddressSanitizer the page once read the first one, this test a retry's).
    def expert_error():
        return [x for x in get(daemon, "/api/v1/status")["sources"] if x["name"] == "expert"][0]["last_error"]
    wait_until(lambda: "connect:" in (expert_error() or ""), timeout=30,
               what="the expert source's retry to fail to connect")


def check_source_down(ck, daemon, seen):
    """After its next refresh the page shows the expert source down, with the
    daemon's error summary, and the others up."""
    api = get(daemon, "/api/v1/status")
    expert = [s for s in api["sources"] if s["name"] == "expert"][0]
    ck.true(expert["up"] is False and expert["last_error"], "status: expert down with an error: %r" % expert)
    after = seen.get("after")
    if not after:
        ck.true(False, "the page was not read after the source went down")
        return
    rows = {r["source"]: r for r in after["sources"]}
    want = {"store": "true", "trading": "true", "deposit": "true", "expert": "false"}
    ck.eq({k: r["up"] for k, r in rows.items()}, want, "source rows after the refresh")
    ck.true(expert["last_error"] in rows.get("expert", {}).get("text", ""),
            "the expert row shows %r" % expert["last_error"])
    ck.eq(after["pills"], want, "health pills after the refresh")
    ck.eq(after["key"], "2022|", "the refresh kept the year and centre")


def npm_ci():
    """playwright-core as tests/browser/package-lock.json pins it: npm ci when
    node_modules is missing or holds another version."""
    with open(os.path.join(HERE, "package-lock.json")) as f:
        want = json.load(f)["packages"]["node_modules/playwright-core"]["version"]
    try:
        with open(os.path.join(HERE, "node_modules", "playwright-core", "package.json")) as f:
            if json.load(f)["version"] == want:
                return
    except (OSError, ValueError, KeyError):
        pass
    res = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=HERE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, timeout=300)
    if res.returncode != 0:
        raise RuntimeError("npm ci failed:\n" + res.stdout[-3000:])


def run_page(base, steps, while_paused=None):
    """Runs page.mjs; while_paused(what the page showed) (if given) runs
    while the browser waits after the steps, before the page's next refresh."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("%s is missing: deploy/install-deps.sh test installs it" % CHROMIUM)
    npm_ci()
    env = dict(os.environ, GGZY_CHROMIUM=CHROMIUM, GGZY_PAGE_PAUSE="1" if while_paused else "",
               GGZY_DECIMAL_CASES=json.dumps(DECIMAL_CASES))
    proc = subprocess.Popen(["node", os.path.join(HERE, "page.mjs"), base, ARTIFACTS, json.dumps(steps)],
                            cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    killer = threading.Timer(150, proc.kill)  # bounded, whatever happens
    killer.start()
    try:
        if while_paused:
            line = proc.stdout.readline()
            if line.startswith("PAUSED "):
                try:
                    while_paused(json.loads(line[len("PAUSED "):]))
                finally:
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
        out, err = proc.communicate()
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    finally:
        killer.cancel()
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError("page.mjs exit %s:\n%s" % (proc.returncode, err[-4000:]))
    return json.loads(out)


def main():
    serve = "--serve" in sys.argv
    # SIGTERM (a timeout, Ctrl-C in --serve) still stops PostgreSQL and the daemon.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    started = time.time()
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
        t0 = time.time()
        check_http(ck, daemon)
        parents = {r[0]: r[1] or None for r in
                   pg.rows("trading", "SELECT center_code, coalesce(parent_code, '') FROM centers")}

        def subtree(c):
            return [c] + [x for k, p in parents.items() if p == c for x in subtree(k)]

        expect = [(2022, ""), (2022, "433100"), (2021, "433100"), (2022, ""), (2022, "")]
        cards = []

        def while_paused(partial):
            # The API and the sources as the page saw them: check every step
            # now, then take the expert source down.
            steps = partial.get("steps", [])
            ck.eq(len(steps), len(expect), "every step ran")
            for step, (year, center) in zip(steps[:4], expect):
                cards.append(check_step(ck, daemon, pg, subtree, step, year, center, step["name"]))
            # The last step only puts the page back on the wall screen.
            ck.eq(steps[-1].get("key") if steps else None, "2022|", "back to the defaults")
            break_expert(ck, daemon, pg)

        seen = run_page(base, [
            {"name": "wall screen, defaults", "screenshot": "page-1920x1080.png"},
            {"name": "centre switched", "year": 2022, "center": "433100"},
            {"name": "year switched", "year": 2021, "center": "433100", "screenshot": "page-2021-433100.png"},
            {"name": "laptop", "year": 2022, "center": "", "width": 1366, "height": 768,
             "screenshot": "page-1366x768.png"},
            {"name": "back on the wall", "year": 2022, "center": ""},
        ], while_paused=while_paused)
        t1 = time.time()
        if seen.get("error"):
            ck.true(False, "the browser run failed: %s\npage: %s" % (seen["error"], seen.get("failureState")))
        steps = seen.get("steps", [])
        if len(cards) >= 2:
            ck.true(cards[0]["deal_amount"]["value"] != cards[1]["deal_amount"]["value"],
                    "the centre switch changed the figures")
        ck.true(len(steps) >= 3 and any(t.get("state") == "firing" for t in steps[0]["targets"]),
                "a target row shows its firing alert")
        ck.eq(seen.get("problems"), [], "no console errors, CSP violations or page errors")
        ck.eq(seen.get("loads"), 1, "the page was loaded once (refreshes fetch, never reload)")
        ck.eq(seen.get("decimals"), [display(v, u) for v, u in DECIMAL_CASES], "the page's decimal arithmetic")
        ck.eq(seen.get("decimals", [])[-2:], ["200.55亿元", "3281万元"], "SPEC's examples")
        urls = seen.get("requests", [])
        ck.true(len(urls) > 30, "requests recorded (%d)" % len(urls))
        outside = [u for u in urls if not u.startswith(base + "/")]
        ck.eq(outside, [], "every request goes to the daemon at 127.0.0.1")
        for name, size in (("page-1920x1080.png", (1920, 1080)), ("page-1366x768.png", (1366, 768))):
            ck.eq(png_size(os.path.join(ARTIFACTS, name)), size, "screenshot %s" % name)
        check_source_down(ck, daemon, seen)
        print("setup %.1fs, browser %.1fs, checks %.1fs" % (t0 - started, t1 - t0, time.time() - t1))
        code = daemon.stop()
        log = daemon.read_log()
        daemon = None
        ck.eq(code, 0, "the daemon stopped cleanly")
        ck.true("Sanitizer" not in log and "runtime error" not in log, "no sanitizer report in the daemon's log")
        errors = [line for line in log.splitlines() if "Z error " in line]
        ck.eq(errors, [], "no error in the daemon's log")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
