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
the figures that are not sums of days (remotely evaluated deals joined
across the trading and expert sources, experts counted once, deposits held
and the expert pool on the period's last day) against spec_metrics' SQL,
and that none is the sum of its months; the monthly bars; the rate series;
alerts; as_of; the downloads; that the centre switch changed the figures to
the new centre's; and that nothing outside 127.0.0.1 was requested. Also the
page's HTTP contract: ETag and 304, the Content-Security-Policy, HEAD.
The expert source has the demo's optional relation experts. Last, a daemon
without the deposit source, replaying 2022-06-30: its deposit figures read
不可用 (never 0, never asked for), the stocks are those of 06-30.

  --serve   set everything up, print the URL and wait (for working on the page)
"""
import datetime
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
import zoneinfo
from decimal import Decimal, ROUND_HALF_UP

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "integration"))
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,  # noqa: E402
                     wait_until, SOURCE_DIR)
import spec_metrics as sm  # noqa: E402

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
    # The expert source's optional relation experts (the pool), as the demo
    # loads it: expert_pool_count is available.
    pg.psql("expert", source_sql("expert_pool.sql"))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", "expert_pool_data.sql")) as f:
        pg.psql("expert", f.read())
    # Seven times the fees in 2022, so that the all-centres ceiling of
    # 1400万元 on expert fees is exceeded (the 20000-row demo exceeds it too):
    # the page must show a lower target over its ceiling as exceeded.
    pg.psql("expert", "UPDATE assignments SET fee_amount = fee_amount * 7 "
            "WHERE drawn_at >= '2022-01-01 00:00+08' AND drawn_at < '2023-01-01 00:00+08'")
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
    # 2021 of 433100 published (version 1): the page shows its badge there.
    code, out, err = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2021", "--center", "433100",
                                "--publish")
    if code != 0:
        raise RuntimeError("report --publish: exit %s\n%s" % (code, err[-3000:]))
    daemon.start(wait_ready=True)
    settle(daemon, NOW)
    return daemon


def settle(daemon, now):
    """Ready means a first poll; a reconciliation follows it at once and moves
    as_of. Wait for it, so that the page and this test see the same as_of
    (the next poll is an hour away), and for the first evaluation of the
    targets at --now: the alerts stay put."""
    wait_until(lambda: all(s["last_reconcile"] and not s["running"]
                           for s in get(daemon, "/api/v1/status")["sources"]),
               timeout=60, what="the first reconciliation of every source")
    wait_until(lambda: all(a["evaluated_at"] == now + "+08:00" for a in get(daemon, "/api/v1/alerts")["alerts"]
                           if a["year"] == 2022),
               timeout=60, what="the daemon's first evaluation of the alerts")


UNITS = {"元": 0, "万元": -4, "亿元": -8, "%": 2}
# The headline cards of the page, in order; their names and units come from
# /api/v1/metrics (amounts: 亿元 from one 亿 up, else 万元). A pair is the
# count and amount of one thing on one card ("199宗 26.82亿元").
HEADLINES = ["deal_amount", "deals_count", "savings_amount", "liquidity_released_amount", "e_bid_rate",
             "remote_opening_rate", ("remote_evaluated_deals_count", "remote_evaluated_deal_amount"),
             "experts_participating_count", "deposit_held_amount", "service_fee_amount"]
# The figures SPEC §3 does not make as sums of days, and the monthly chart
# whose period total the page writes in its caption.
NOT_SUMS = ["remote_evaluated_deals_count", "remote_evaluated_deal_amount", "experts_participating_count",
            "deposit_held_amount", "deposit_held_count", "expert_pool_count"]
MONTHLY_COUNT = "remote_evaluations_count"
NA = "不可用"


def dec(v):
    """An API value as an exact Decimal: strings as written, numbers by their
    shortest text (what the page gets from JSON.parse too)."""
    return v if isinstance(v, Decimal) else Decimal(v) if isinstance(v, str) else Decimal(repr(v))


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


# 同比 of rates in percentage points: ties, falls, no change, exponents.
POINTS_CASES = [[0.900741, 0.898051], [0.606822, 0.624031], [0.5, 0.5], [0.123455, 0.12340], [1, 0],
                [5e-07, 0], [0.340551, 0.343284], [None, 0.5]]


def png_size(path):
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError:
        return None
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
    # One list of each thing: no metric, label value or source name of the
    # daemon is written in the page's files (they come from the API).
    raw = get(daemon, "/api/v1/metrics")
    names = {m["name_zh"] for m in raw["metrics"]} | {s["title_zh"] for s in get(daemon, "/api/v1/status")["sources"]}
    names |= {v["name_zh"] for values in raw["labels"].values() for v in values or []}
    for f in ("index.html", "dashboard.js", "dashboard.css"):
        text = open(os.path.join(SOURCE_DIR, "daemon", "web", f), encoding="utf-8").read()
        ck.eq(sorted(n for n in names if n in text), [], "daemon/web/%s writes none of the daemon's names" % f)
        for bad in ("https:", "//cdn", "@import", "url(http", "<script>", "style=\""):
            ck.true(bad not in text, "daemon/web/%s has no %r" % (f, bad))


def unit_of(m, value):
    """The unit a figure of catalogue entry m is written in: rates in %,
    amounts by the display unit ("亿元|万元": 亿元 from one 亿 up), counts in theirs."""
    if m is None:
        return ""
    if m["kind"] == "rate":
        return "%"
    du = m.get("display_unit") or m.get("unit") or ""
    if "|" in du:
        big, small = du.split("|")
        return big if value is not None and abs(dec(value)) >= Decimal(10) ** -UNITS[big] else small
    return du


def points_text(pts):
    """Percentage points as the reports write them: 提高0.26个百分点, 降低…, 持平."""
    if pts is None:
        return "—"
    t = trimmed(dec(pts).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return "持平" if t == "0" else "降低%s个百分点" % t[1:] if t.startswith("-") else "提高%s个百分点" % t


def yoy_points(a, p):
    if a is None or p is None:
        return None
    return trimmed(((dec(a) - dec(p)) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def jv(v):
    """An API value as the page writes it in a data- attribute: strings as
    they are, numbers as JavaScript's String() writes them (1.0 is "1")."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool) or isinstance(v, int):
        return json.dumps(v)
    if v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    r = repr(v)
    if "e" in r:
        mant, exp = r.split("e")
        return mant + "e" + ("-" if exp.startswith("-") else "+") + exp.lstrip("+-").lstrip("0")
    return r


def loaded(status, m):
    """Have the sources a metric reads finished their first load?"""
    for kind in m["sources"]:
        mine = [s for s in status["sources"] if s["name"] == kind or s["name"].startswith(kind + ".")]
        if not mine or not all(s["first_poll_done"] for s in mine):
            return False
    return True


def reading(ind, report, pace, status, catalog):
    """How a computed target must read (what dashboard.js writes in data-reading)."""
    lower = ind["direction"] == "lower"
    if ind["actual"] is None and not catalog[ind["metric"]]["available"]:
        return "unavailable"
    if ind["actual"] is None:
        return "none" if report["period"]["closed"] else "unknown"
    cmp = (dec(ind["actual"]) > dec(ind["target"])) - (dec(ind["actual"]) < dec(ind["target"]))
    if report["period"]["closed"]:
        return "met" if (cmp <= 0 if lower else cmp >= 0) else "missed"
    if lower and cmp > 0:
        return "exceeded"
    if not lower and cmp >= 0:
        return "met"
    if not pace or pace["pace_ratio"] is None or not loaded(status, catalog[ind["metric"]]):
        return "unknown"
    if pace["state"] in ("firing", "pending"):
        return pace["state"]
    return "ahead" if lower and pace["pace_ratio"] > 1 else "on-pace"


GREEN, RED, GREY = "rgb(60, 198, 138)", "rgb(232, 97, 95)", "rgb(107, 125, 144)"
TONE_COLOR = {"met": GREEN, "on-pace": GREEN, "missed": RED, "exceeded": RED, "firing": RED, "unknown": GREY}
ALERT_ORDER = {"firing": 0, "pending": 1, "resolved": 2}
# Where the page shows what (dashboard.js says the same): the deposit rows
# ([amount, count]; a row whose amount metric the catalogue lacks is left
# out), today's figures, the last days' chart, the expert figures.
DEPOSITS = [("deposit_amount", "deposits_count"), ("refund_amount", "refunds_count"),
            ("remitted_amount", "remitted_count"), ("deposit_held_amount", "deposit_held_count")]
TODAY = ["opened_count", "deals_count", "deal_amount"]
DAYS = 30
EXPERT_MORE = ["expert_fee_amount", "expert_fee_online_rate", "expert_violations_count",
               "experts_participating_count", "expert_pool_count"]
FAKE = "〔测〕"  # page.mjs's suffix on every name in a "fake names" step
BIG = 97  # and its factor on monthly remote evaluations in a "big" step


def yoy_text(a, p):
    """同比 of a sum as the page writes it: ▲ 1.13%, ▼ 9.91%, 0%, —."""
    y = yoy_percent(a, p)
    return "—" if y is None else y if y == "0%" else "▼ " + y[1:] if y.startswith("-") else "▲ " + y


def shared_name(names):
    """The longest beginning the names share (at least 2 characters), else the first."""
    n = 0
    while all(len(x) > n and x[n] == names[0][n] for x in names):
        n += 1
    return names[0][:n] if n >= 2 else names[0]


def year_value(daemon, metric, period, center):
    """A metric's figure over a whole period: one point (step=year)."""
    pts = series(daemon, metric, period, center, step="year")["points"]
    return pts[0]["value"] if pts else None


def check_figure(ck, fig, m, a, p, what):
    """One figure the page shows (a card, a part of a pair card) against the
    API's values for the period (a) and the same days a year before (p)."""
    u = unit_of(m, a)
    ck.eq(fig.get("unit"), u, "%s unit" % what)
    ck.eq(fig.get("value"), jv(a), "%s value" % what)
    ck.eq(fig.get("display"), display(a, u), "%s display" % what)
    ck.eq(fig.get("text"), display(a, u), "%s text" % what)
    ck.eq(fig.get("previousDisplay"), display(p, u), "%s previous year" % what)
    ck.eq(fig.get("available"), "true", "%s available" % what)
    if m["kind"] == "rate":
        pts = yoy_points(a, p)
        ck.eq((fig.get("yoyPoints"), fig.get("yoy")), (pts or "", None), "%s 同比 in points" % what)
    else:
        ck.eq(fig.get("yoy") or None, yoy_percent(a, p), "%s 同比" % what)


def check_unavailable(ck, fig, m, what):
    """A figure this daemon cannot give reads 不可用 with the catalogue's
    reason (on hover), never a number."""
    ck.eq((fig.get("available"), fig.get("display"), fig.get("value"), fig.get("unavailable")),
          ("false", NA, "", m["unavailable"]), "%s: 不可用 with the daemon's reason" % what)
    ck.true(m["unavailable"] and m["unavailable"] in (fig.get("title") or "") and NA in (fig.get("text") or ""),
            "%s: says 不可用, the reason on hover: %r" % (what, fig))


# The figures clicked on the laptop (2022, all centres): headline cards (a
# sum, a stock, a rate: its numerator's rows) and a target line over three
# categories (config/targets.json); each panel must show the first rows of
# GET /api/v1/rows for the same figure, its count and its CSV.
DRILLS = ['.kpi[data-metric="deal_amount"]', '.kpi[data-metric="deposit_held_amount"]',
          '.kpi[data-metric="e_bid_rate"]', '.target[data-metric="savings_amount"]']
DRILL_ROWS = 20


def check_drills(ck, daemon, seen, year, center, what):
    q = {"year": year}
    if center:
        q["center"] = center
    report = get(daemon, "/api/v1/report?" + urllib.parse.urlencode(q))
    catalog = {m["name"]: m for m in get(daemon, "/api/v1/metrics")["metrics"]}
    drills = seen.get("drills", [])
    ck.eq([d["selector"] for d in drills], DRILLS, "%s: every figure clicked" % what)
    for d in drills:
        w = "%s: rows of %s" % (what, d["selector"])
        metric = d["selector"].split('"')[1]
        period, flt = report["period"], {}
        if d["selector"].startswith(".target"):
            ind = next(i for i in report["indicators"] if i["metric"] == metric)
            period, flt = ind.get("period") or period, ind["filter"]
        listed = catalog[metric].get("numerator") if catalog[metric]["kind"] == "rate" else metric
        rq = {"metric": listed, "from": period["from"], "to": period["to"]}
        if center:
            rq["center"] = center
        rq.update({k: ",".join(v) if isinstance(v, list) else v for k, v in flt.items()})
        api = get(daemon, "/api/v1/rows?" + urllib.parse.urlencode(dict(rq, limit=DRILL_ROWS)))
        ck.eq((d.get("state"), d.get("metric"), d.get("hidden")), ("ready", listed, False), w + ": ready")
        ck.eq((d.get("count"), d.get("value"), d.get("shown")),
              (str(api["count"]), str(api["value"]), str(len(api["rows"]))), w + ": count and value")
        ck.true(api["count"] > DRILL_ROWS, w + ": more rows than shown (%d)" % api["count"])
        ck.eq([(r["source"], r["id"], r["day"], r["value"]) for r in d.get("rows", [])],
              [(r["source"], r["id"], r["day"], str(r["value"])) for r in api["rows"]], w + ": its first rows")
        ck.true(str(api["count"]) in d.get("countText", ""), w + ": says the count: %r" % d.get("countText"))
        csv = urllib.parse.urlsplit(d.get("csv") or "")
        ck.eq((csv.path, dict(urllib.parse.parse_qsl(csv.query))),
              ("/api/v1/rows", dict(rq, format="csv", limit="10000")), w + ": CSV link")
        st, h, body = http_raw(daemon.port, "GET", d.get("csv") or "/")
        ck.true(st == 200 and body.startswith(b"\xef\xbb\xbf") and
                len(body.decode("utf-8-sig").strip("\r\n").split("\r\n")) == api["count"] + 1,
                w + ": the CSV holds every row (%s)" % st)
        if catalog[metric]["kind"] == "rate":
            ck.true("metric=%s" % catalog[metric]["denominator"] in (d.get("denominatorCsv") or ""),
                    w + ": links its denominator's CSV")
        ck.true(d.get("hiddenAfterClose"), w + ": closed by its button")


def check_step(ck, daemon, pg, subtree, seen, year, center, what, fake=None, started=None, sql=True):
    """What the page showed for year and centre against the API and SQL.
    fake: page.mjs rewrote the daemon's names (FAKE) and added a metric
    ("names"), or multiplied the monthly remote evaluations by BIG ("big")."""
    big = BIG if fake == "big" else 1
    fake = fake == "names"
    ck.eq(seen.get("key"), "%d|%s" % (year, center), "%s: page shows year and centre" % what)
    status = get(daemon, "/api/v1/status")
    raw = get(daemon, "/api/v1/metrics")
    catalog = {m["name"]: dict(m) for m in raw["metrics"]}
    labels = raw["labels"]
    sfx = FAKE if fake else ""
    ck.eq(sorted(x["metric"] for x in status["unavailable"]), sorted(k for k, m in catalog.items() if not m["available"]),
          "%s: /api/v1/status and /api/v1/metrics agree on what is unavailable" % what)
    q = {"year": year}
    if center:
        q["center"] = center
    report = get(daemon, "/api/v1/report?" + urllib.parse.urlencode(q))
    alerts = get(daemon, "/api/v1/alerts")
    ranking = get(daemon, "/api/v1/ranking?" + urllib.parse.urlencode(q))
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

    # Times: under --now the replayed time and the real clock of as_of are
    # told apart; the footer's refresh time is in the centre's zone (the
    # browser runs in America/Los_Angeles).
    ck.eq(seen["nowFixed"], json.dumps(status["now_fixed"]), "%s: now_fixed" % what)
    if status["now_fixed"]:
        rp = seen.get("replay") or ""
        ck.true(rp.startswith("回放时间") and status["now"][:16].replace("T", " ") in rp and "(--now)" in rp,
                "%s: the replayed time is labelled as such: %r" % (what, rp))
        ck.true("实际时钟" in seen["asOfLine"], "%s: as_of says it is the real clock: %r" % (what, seen["asOfLine"]))
    else:
        ck.eq(seen.get("replay"), None, "%s: no replay label without --now" % what)
    ref = seen["refreshed"]
    ms = int(ref.get("epochMs") or 0)
    local = datetime.datetime.fromtimestamp(ms / 1000, zoneinfo.ZoneInfo(status["timezone"]))
    ck.eq((ref["text"], ref.get("zone")), (local.strftime("%H:%M:%S"), status["timezone"]),
          "%s: refresh time in the centre's zone" % what)
    ck.true(status["timezone"] in ref["line"], "%s: the refresh line names the zone: %r" % (what, ref["line"]))
    if started:
        # the page's clock is the test's fake one, moved on by the rotations
        ck.true(started - 5 <= ms / 1000 <= time.time() + 300, "%s: refresh time %s is now" % (what, local))

    # Headline cards: named by the catalogue, the API's exact figures written
    # as the reports write them, 同比 relative for sums, in points for rates;
    # a pair card holds the count and the amount of one thing. Every figure
    # is one point over the whole period: a distinct count or a stock is
    # never the sum of its months (checked against SQL below).
    cards = {k["metric"]: k for k in seen["kpis"]}
    heads = [h for h in HEADLINES if all(x in catalog for x in (h if isinstance(h, tuple) else (h,)))]
    ck.eq([k["metric"] for k in seen["kpis"]], [h[0] if isinstance(h, tuple) else h for h in heads],
          "%s: headline cards" % what)
    by_metric = {i["metric"]: i for i in report["indicators"] if i["metric"] and not i["filter"]}
    figures = {}  # metric: what the page shows of it on a card
    for h in heads:
        if isinstance(h, tuple):
            card = cards.get(h[0], {})
            ck.eq([x.get("metric") for x in card.get("parts", [])], list(h), "%s: %s card's figures" % (what, h[0]))
            ck.eq(card.get("label"), shared_name([catalog[x]["name_zh"] + sfx for x in h]),
                  "%s: %s card named by what the catalogue's names share" % (what, h[0]))
            for x in card.get("parts", []):
                figures[x["metric"]] = dict(x, title=x.get("title"), card=card)
        else:
            card = cards.get(h, {})
            ck.eq(card.get("label"), catalog[h]["name_zh"] + sfx, "%s: %s card named by the catalogue" % (what, h))
            figures[h] = dict(card, text=card.get("text"), card=card)
    values = {}  # metric: (period value, previous period value) as the API gives them
    for metric, fig in figures.items():
        m = catalog[metric]
        card = fig["card"]
        ck.eq(fig.get("totalKind"), m["total"], "%s: %s card says how its total is made" % (what, metric))
        if not m["available"]:
            check_unavailable(ck, fig, m, "%s: %s card" % (what, metric))
            ck.eq(card.get("why"), m["unavailable"], "%s: %s card shows why it is unavailable" % (what, metric))
            continue
        a, p = year_value(daemon, metric, period, center), year_value(daemon, metric, prev, center)
        values[metric] = (a, p)
        check_figure(ck, fig, m, a, p, "%s: %s card" % (what, metric))
        if m["total"] == "stock":
            # the stock on the period's last day: today in the current year, Dec 31 of a closed one
            ck.eq(period["to"], status["today"] if not period["closed"] else "%d-12-31" % year,
                  "%s: the period ends today, or on Dec 31 of a closed year" % what)
            ck.eq(fig.get("day"), period["to"], "%s: %s card is the stock on %s" % (what, metric, period["to"]))
            ck.true("截至 " + period["to"] in (fig.get("title") or ""), "%s: %s card says its day on hover: %r"
                    % (what, metric, fig.get("title")))
        if m["total"] == "distinct":
            ck.true("每人只计一次" in (fig.get("title") or ""), "%s: %s card says each person counts once" % (what, metric))
        if not card.get("parts"):
            u = unit_of(m, a)
            if m["kind"] == "rate":
                pts = yoy_points(a, p)
                ck.true(points_text(pts) in card.get("yoyText", ""), "%s: %s card says %r: %r"
                        % (what, metric, points_text(pts), card.get("yoyText")))
            else:
                ck.eq(card.get("yoyText"), "同比 " + yoy_text(a, p), "%s: %s card 同比 text" % (what, metric))
            ck.eq(card.get("prevText"), "上年同期 " + display(p, u), "%s: %s card previous text" % (what, metric))
            ind = by_metric.get(metric)
            if ind and (ind["display_unit"] == u):
                ck.eq(card.get("display"), ind["display"], "%s: %s card as the report writes it" % (what, metric))
                if m["kind"] == "rate" and ind.get("yoy_points") is not None:
                    ck.eq(points_text(card.get("yoyPoints")), points_text(ind["yoy_points"]),
                          "%s: %s card 同比 as the report" % (what, metric))
    for h in heads:
        if isinstance(h, tuple) and all(x in values for x in h):
            card = cards.get(h[0], {})
            ck.eq(card.get("yoyParts"), [yoy_text(*values[x]) for x in h], "%s: %s card's 同比" % (what, h[0]))
            # each a year before in the unit of its figure now, as on every card
            ck.eq(card.get("prevText"), "上年同期 " + " · ".join(
                display(values[x][1], unit_of(catalog[x], values[x][0])) for x in h), "%s: %s card's last year" % (what, h[0]))
    # Every card's value fits its card (the page draws a value smaller rather than cut it).
    for k in seen["kpis"]:
        ck.true(k.get("valueFont", 0) >= 18, "%s: %s card's value drawn at %spx" % (what, k.get("metric"), k.get("valueFont")))

    # Targets (or, without targets, every figure of the report).
    rows = seen["targets"]
    ck.eq([r["indicator"] for r in rows], [i["name"] for i in report["indicators"]], "%s: indicator rows" % what)
    ck.eq(seen["total"], None if report["total_score"] is None else json.dumps(report["total_score"]),
          "%s: total score" % what)
    ck.eq(seen["grade"], report["grade"], "%s: grade" % what)
    readings = {}
    for r, ind in zip(rows, report["indicators"]):
        name = ind["name"]
        ck.eq((r["display"], r["actualText"]), (ind["display"], ind["display"]), "%s: %s actual" % (what, name))
        ck.eq(r["targetDisplay"], ind["target_display"] or "", "%s: %s target" % (what, name))
        ck.eq(r["completion"], "" if ind["completion"] is None else json.dumps(ind["completion"]),
              "%s: %s completion" % (what, name))
        if ind["filter"]:
            def named(k, x):  # a union of values is named by each of them
                return "、".join([v["name_zh"] + sfx for v in labels[k] if v["value"] == y][0]
                                for y in (x if isinstance(x, list) else [x]))
            ck.eq(r["filterText"], " · ".join(named(k, x) for k, x in ind["filter"].items()),
                  "%s: %s filter named by the catalogue" % (what, name))
        if ind["metric"] and not ind["manual"]:
            unit = ind["display_unit"]
            m = catalog[ind["metric"]]
            ck.eq(r["yoy"] and r["yoy"].get("previousDisplay"), display(ind["previous_year"], unit),
                  "%s: %s previous year" % (what, name))
            if m["kind"] == "rate":
                ck.eq(r["yoy"] and r["yoy"].get("yoyPoints") or None,
                      None if ind.get("yoy_points") is None else jv(ind["yoy_points"]),  # 1.0 is "1"
                      "%s: %s 同比 in points" % (what, name))
                ck.true(r["yoy"] and ("同比 " + points_text(ind.get("yoy_points"))) in r["yoy"]["text"],
                        "%s: %s says %r: %r" % (what, name, points_text(ind.get("yoy_points")), r["yoy"]))
            else:
                ck.eq(r["yoy"] and r["yoy"].get("yoy") or None,
                      None if ind["yoy"] is None else display(ind["yoy"], "%"), "%s: %s 同比" % (what, name))
        if report["targets"] and ind["metric"]:
            pace = [a for a in alerts["alerts"] if a["year"] == year and a["center"] == (center or None)
                    and a["indicator"] == name and a["alertname"] == "GgzyTargetBehindPace"]
            pace = pace[0] if pace else None
            m = catalog[ind["metric"]]
            known = pace is not None and pace["pace_ratio"] is not None and loaded(status, m)
            if report["period"]["closed"]:
                ck.eq(r["pace"], None, "%s: %s: a closed year shows no pace" % (what, name))
                ck.true(not r["hasMark"], "%s: %s: a closed year has no expected-by-now mark" % (what, name))
            else:
                want = {"known": json.dumps(known), "paceRatio": json.dumps(pace["pace_ratio"]) if known else "",
                        "state": pace["state"] if known else "unknown"}
                got = {k: (r["pace"] or {}).get(k) for k in want}
                ck.eq(got, want, "%s: %s pace" % (what, name))
                if not known:
                    ck.true("未知" in (r["pace"] or {}).get("text", "") and "%" not in (r["pace"] or {}).get("text", "%"),
                            "%s: %s pace reads 未知: %r" % (what, name, r["pace"]))
            want_reading = reading(ind, report, pace, status, catalog)
            readings[name] = want_reading
            ck.eq((r.get("reading"), (r.get("badge") or {}).get("reading")), (want_reading, want_reading),
                  "%s: %s reads" % (what, name))
            if want_reading in TONE_COLOR:
                ck.eq(r["fillColor"], TONE_COLOR[want_reading], "%s: %s bar colour (%s)" % (what, name, want_reading))
            if want_reading == "exceeded" or (want_reading == "missed" and ind["direction"] == "lower"):
                over = dec(ind["actual"]) - dec(ind["target"])
                ck.eq(((r["over"] or {}).get("over"), (r["over"] or {}).get("text")),
                      (trimmed(over), "超出 " + display(over, ind["display_unit"])), "%s: %s by how much" % (what, name))
            if ind["completion"] is not None:
                fill = float(r["fill"].rstrip("%")) if r["fill"] else None
                ck.true(fill is not None and abs(fill - min(100.0, ind["completion"] * 100)) < 1e-6,
                        "%s: %s progress bar %r for completion %r" % (what, name, r["fill"], ind["completion"]))

    # Monthly bars: every segment carries the API's exact value, and says it on hover.
    cats = [c["value"] for c in labels["category"]]
    ck.eq([(x["category"], x["text"]) for x in seen["legend"]],
          [(c["value"], c["name_zh"] + sfx) for c in labels["category"]], "%s: legend named by the catalogue" % what)
    bars = {(b["metric"], b.get("category", ""), b["month"]): b for b in seen["bars"] if "month" in b}
    nbars = 0
    for metric in ("deal_amount", "deals_count"):
        m = catalog[metric]
        for cat in cats:
            catname = [c["name_zh"] for c in labels["category"] if c["value"] == cat][0] + sfx
            for pt in series(daemon, metric, period, center, step="month", category=cat)["points"]:
                b = bars.get((metric, cat, pt["start"][:7]))
                ck.eq(b and b["value"], jv(pt["value"]), "%s: %s %s %s bar" % (what, metric, cat, pt["start"][:7]))
                nbars += 1
                if b:
                    ck.true(b["title"] and display(pt["value"], unit_of(m, pt["value"])) in b["title"]
                            and catname in b["title"], "%s: bar title %r shows %s of %s" % (what, b["title"], pt["value"], catname))
    for pt in series(daemon, "remote_evaluations_count", period, center, step="month")["points"]:
        pt["value"] *= big
        b = bars.get(("remote_evaluations_count", "", pt["start"][:7]))
        ck.eq(b and b["value"], jv(pt["value"]), "%s: remote evaluations %s" % (what, pt["start"][:7]))
        ck.true(b and b["title"] and display(pt["value"], catalog["remote_evaluations_count"]["unit"]) in b["title"],
                "%s: remote evaluations %s title %r" % (what, pt["start"][:7], b and b["title"]))
        nbars += 1
    points = {(p["metric"], p["month"]): p for p in seen["points"] if "month" in p}
    npoints = 0
    for metric in ("e_bid_rate", "remote_opening_rate"):
        for pt in series(daemon, metric, period, center, step="month")["points"]:
            p = points.get((metric, pt["start"][:7]))
            if pt["value"] is None:
                ck.true(p is None, "%s: %s %s has no point (null)" % (what, metric, pt["start"]))
                continue
            npoints += 1
            ck.true(p is not None and float(p["value"]) == pt["value"] and p["display"] == display(pt["value"], "%")
                    and display(pt["value"], "%") in (p["title"] or ""),
                    "%s: %s %s point %r, API %r" % (what, metric, pt["start"][:7], p, pt["value"]))

    # The last 30 days to today: deals as bars, openings as a line, the amount on hover.
    today = status["today"]
    first_day = (datetime.date.fromisoformat(today) - datetime.timedelta(days=DAYS - 1)).isoformat()
    day = {"from": first_day, "to": today}
    dbars = [b for b in seen["bars"] if "day" in b]
    dpts = {p["day"]: p for p in seen["points"] if "day" in p}
    want_d = series(daemon, "deals_count", day, center, step="day")["points"]
    want_o = {p["start"]: p["value"] for p in series(daemon, "opened_count", day, center, step="day")["points"]}
    want_a = {p["start"]: p["value"] for p in series(daemon, "deal_amount", day, center, step="day")["points"]}
    ck.eq([(b["day"], b["value"], b["line"], b["more"]) for b in dbars],
          [(p["start"], jv(p["value"]), jv(want_o[p["start"]]), want_a[p["start"]]) for p in want_d],
          "%s: the last %d days" % (what, DAYS))
    ck.eq(len(want_d), DAYS, "%s: %d days to today" % (what, DAYS))
    for b in dbars:
        ck.true(display(b["more"], unit_of(catalog["deal_amount"], b["more"])) in (b["title"] or "") and b["day"] in b["title"],
                "%s: day %s title %r" % (what, b["day"], b["title"]))
    ck.eq(sorted(dpts), [p["start"] for p in want_d], "%s: a point of openings per day" % what)
    nbars += len(want_d)
    npoints += len(want_d)
    ck.eq(len(seen["bars"]), nbars, "%s: no other bars" % what)
    ck.eq(len(seen["points"]), npoints, "%s: no other points" % what)
    ck.true(any(c.startswith("近%d日" % DAYS) for c in seen["captions"].values()), "%s: the days chart is named" % what)

    # Today: series from = to = today.
    ck.eq([(t["metric"], t["day"]) for t in seen["today"]], [(m, today) for m in TODAY if m in catalog],
          "%s: today's figures" % what)
    for t in seen["today"]:
        v = series(daemon, t["metric"], {"from": today, "to": today}, center, step="day")["points"][0]["value"]
        m = catalog[t["metric"]]
        ck.eq((t["value"], t["display"], t["text"], t["label"]), (jv(v), display(v, unit_of(m, v)), display(v, unit_of(m, v)),
              m["name_zh"] + sfx), "%s: today's %s" % (what, t["metric"]))
    ck.true(today in seen["todayDate"], "%s: today's date shown: %r" % (what, seen["todayDate"]))

    # Ranking: the subordinate centres (all centres: the top), as /api/v1/ranking.
    rk = seen["ranking"]
    if big > 1:  # page.mjs made the ranking answer 503: its panel says so, the rest stands
        ck.true(rk["rows"] == [] and "排名暂不可用" in (rk["unavailable"] or "") and "503" in rk["unavailable"],
                "%s: the ranking failing is said in its panel: %r" % (what, rk["unavailable"]))
        ranking = {"centers": [], "metrics": []}
    else:
        ck.eq(rk["unavailable"], None, "%s: the ranking is available" % what)
    ck.eq([(r["code"], r["rank"], r["name"]) for r in rk["rows"]],
          [(c["code"], str(i + 1), c["name"]) for i, c in enumerate(ranking["centers"])], "%s: ranking rows" % what)
    ck.eq(rk["none"], not ranking["centers"], "%s: ranking says when there is no subordinate centre" % what)
    cols = [x for x in ranking["metrics"] if x in catalog]
    ck.eq([h.get("metric") for h in rk["head"] if h.get("metric")], cols, "%s: ranking columns" % what)
    ck.eq([h["text"] for h in rk["head"] if h.get("metric")], [catalog[x]["name_zh"] + sfx for x in cols],
          "%s: ranking columns named by the catalogue" % what)
    for r, c in zip(rk["rows"], ranking["centers"]):
        ck.eq(r["link"], "#" + urllib.parse.urlencode({"year": year, "center": c["code"]}), "%s: %s link" % (what, c["code"]))
        ck.eq([(x["metric"], x["value"], x["previous"], x["display"], x["text"]) for x in r["cells"]],
              [(x, jv(c["figures"][x]["value"]), jv(c["figures"][x]["previous"]),
                display(c["figures"][x]["value"], unit_of(catalog[x], c["figures"][x]["value"])),
                display(c["figures"][x]["value"], unit_of(catalog[x], c["figures"][x]["value"]))) for x in cols],
              "%s: ranking %s figures" % (what, c["code"]))
        da = c["figures"]["deal_amount"]
        ck.eq(r["yoy"] or None, yoy_percent(da["value"], da["previous"]), "%s: ranking %s 同比" % (what, c["code"]))
    if rk["rows"] and ranking["centers"]:
        ck.true(all(dec(a["figures"]["deal_amount"]["value"]) >= dec(b["figures"]["deal_amount"]["value"])
                    for a, b in zip(ranking["centers"], ranking["centers"][1:])), "%s: ranked by deal amount" % what)

    # Deposits: received, refunded, remitted (flows over the period) and held
    # (a stock: the balance on the period's last day, which its row says).
    want_dep = [(a, c) for a, c in DEPOSITS if a in catalog]
    ck.eq([d["metric"] for d in seen["deposits"]], [a for a, _ in want_dep], "%s: deposit rows" % what)
    shown = {}  # metric: the panel's cell of it
    for d, (a, c) in zip(seen["deposits"], want_dep):
        ck.eq(d["label"], catalog[a]["name_zh"] + sfx, "%s: deposit row %s named by the catalogue" % (what, a))
        stock = catalog[a]["total"] == "stock"
        ck.eq((d.get("day"), d.get("when")), (period["to"], "截至" + period["to"][5:]) if stock else (None, None),
              "%s: deposit row %s says the day of a stock" % (what, a))
        cells = {x["metric"]: x for x in d["cells"]}
        ck.eq(sorted(cells), sorted(x for x in (a, c) if x in catalog), "%s: deposit row %s cells" % (what, a))
        for metric in (a, c):
            if metric not in catalog:
                continue
            cell = cells.get(metric, {})
            shown[metric] = cell
            if not catalog[metric]["available"]:
                check_unavailable(ck, cell, catalog[metric], "%s: deposit %s" % (what, metric))
                continue
            v, pv = year_value(daemon, metric, period, center), year_value(daemon, metric, prev, center)
            u = unit_of(catalog[metric], v)
            ck.eq((cell.get("value"), cell.get("display"), cell.get("text"), cell.get("previous")),
                  (jv(v), display(v, u), display(v, u), jv(pv)), "%s: deposit %s to the fen" % (what, metric))
            if metric == a:
                ck.eq(d["yoy"].get("yoy") or None, yoy_percent(v, pv), "%s: deposit %s 同比" % (what, a))
    kinds = labels.get("kind") or []
    if not catalog["deposit_amount"]["available"]:
        ck.eq(seen["kinds"], [], "%s: no deposit kinds without the figures" % what)
        ck.eq((seen.get("kindsUnavailable") or {}).get("unavailable"), catalog["deposit_amount"]["unavailable"],
              "%s: deposit kinds 不可用" % what)
    else:
        ck.eq([(k["kind"], k["name"]) for k in seen["kinds"]], [(k["value"], k["name_zh"] + sfx) for k in kinds],
              "%s: deposit kinds named by the catalogue" % what)
    for k in seen["kinds"]:
        v = series(daemon, "deposit_amount", period, center, step="year", kind=k["kind"])["points"][0]["value"]
        ck.eq((k["value"], k["display"], k["text"]), (v, display(v, unit_of(catalog["deposit_amount"], v)),
              display(v, unit_of(catalog["deposit_amount"], v))), "%s: deposits of kind %s" % (what, k["kind"]))

    # Experts: the attendance rate with its numerator and denominator, then
    # the fees, people counted once over the period, the pool on its last day.
    er = seen["expertRate"] or {}
    m = catalog["expert_attendance_rate"]
    if not m["available"]:
        ck.eq((er.get("available"), er.get("display"), er.get("unavailable")), ("false", NA, m["unavailable"]),
              "%s: expert attendance 不可用" % what)
    else:
        a = series(daemon, "expert_attendance_rate", period, center, step="year")["points"][0]["value"]
        p = series(daemon, "expert_attendance_rate", prev, center, step="year")["points"][0]["value"]
        ck.eq((er.get("value"), er.get("display"), er.get("text")), (jv(a), display(a, "%"), display(a, "%")),
              "%s: expert attendance rate" % what)
        ck.eq(er.get("yoyPoints"), yoy_points(a, p) or "", "%s: expert attendance 同比 in points" % what)
        ck.true(points_text(yoy_points(a, p)) in er.get("yoyText", ""), "%s: expert attendance says %r" % (what, er.get("yoyText")))
        parts = []
        for x in (m["numerator"], m["denominator"]):
            v = series(daemon, x, period, center, step="year")["points"][0]["value"]
            parts.append({"metric": x, "value": jv(v), "display": display(v, unit_of(catalog[x], v))})
        ck.eq(er.get("parts"), parts, "%s: expert attendance parts" % what)
    ck.eq([x["metric"] for x in seen["experts"]], [x for x in EXPERT_MORE if x in catalog], "%s: expert rows" % what)
    for x in seen["experts"]:
        m = catalog[x["metric"]]
        shown[x["metric"]] = x["cell"]
        ck.eq(x["label"], m["name_zh"] + sfx, "%s: expert row %s named by the catalogue" % (what, x["metric"]))
        stock = m["total"] == "stock"
        ck.eq((x.get("day"), x.get("when")), (period["to"], "截至" + period["to"][5:]) if stock else (None, None),
              "%s: expert row %s says the day of a stock" % (what, x["metric"]))
        if not m["available"]:
            check_unavailable(ck, x["cell"], m, "%s: expert %s" % (what, x["metric"]))
            continue
        v = series(daemon, x["metric"], period, center, step="year")["points"][0]["value"]
        ck.eq((x["cell"]["value"], x["cell"]["display"], x["cell"]["text"]),
              (jv(v), display(v, unit_of(m, v)), display(v, unit_of(m, v))), "%s: expert %s" % (what, x["metric"]))

    # The remote evaluation sessions (no card of their own): the period's
    # total in the caption of their monthly chart.
    if catalog[MONTHLY_COUNT]["available"]:
        v = year_value(daemon, MONTHLY_COUNT, period, center)
        ck.eq([(t["metric"], t["caption"], t["value"], t["display"]) for t in seen.get("captionTotals", [])],
              [(MONTHLY_COUNT, "cap-remote", jv(v), display(v, catalog[MONTHLY_COUNT]["unit"]))],
              "%s: the remote sessions' total in their chart's caption" % what)
        ck.true(any(t["text"] == " · %s %s" % ("全年" if period["closed"] else "年初至今",
                                                display(v, catalog[MONTHLY_COUNT]["unit"]))
                    for t in seen.get("captionTotals", [])), "%s: the caption says the period: %r" % (what, seen.get("captionTotals")))

    # Alerts: the chosen centre's (all centres: centre null), firing first.
    mine = [a for a in alerts["alerts"] if a["center"] == (center or None) and a["state"] in ALERT_ORDER]
    ck.eq(sorted((a["indicator"], a["year"], a["center"], a["state"], a["alertname"]) for a in seen["alerts"]),
          sorted((a["indicator"], str(a["year"]), a["center"] or "", a["state"], a["alertname"]) for a in mine),
          "%s: the centre's alerts" % what)
    order = [ALERT_ORDER[a["state"]] for a in seen["alerts"]]
    ck.eq(order, sorted(order), "%s: firing alerts first" % what)
    firing = len([a for a in mine if a["state"] == "firing"])
    ck.eq((seen["alertCount"], seen["alertPill"]), (str(firing), str(firing)), "%s: alert count" % what)
    ck.eq([(s["source"], s["up"]) for s in seen["sources"]][:1 + len(status["sources"])],
          [("store", json.dumps(status["store_up"]))] + [(s["name"], json.dumps(s["up"])) for s in status["sources"]],
          "%s: source health" % what)
    for s, row in zip(status["sources"], seen["sources"][1:]):
        ck.true(row["text"].startswith(s["title_zh"] + sfx), "%s: source %s named %r: %r" % (what, s["name"], s["title_zh"], row["text"]))
        ck.eq(seen["pillText"].get(s["name"]), s["title_zh"] + sfx, "%s: source %s pill" % (what, s["name"]))
        ck.eq(row["loading"], json.dumps(not s["first_poll_done"]), "%s: source %s first load" % (what, s["name"]))
    if fake:
        ck.true(seen["sources"][-1]["source"] == "trading.hn2" and seen["sources"][-1]["text"].startswith("第二交易平台" + FAKE),
                "%s: a source added to the daemon is named by it: %r" % (what, seen["sources"][-1]))
    else:
        ck.eq(len(seen["sources"]), 1 + len(status["sources"]), "%s: no other source rows" % what)
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
    # No chart text on another (bar labels, ticks, legends), at every size.
    ck.eq({k: v for k, v in seen["overlaps"].items() if v}, {}, "%s: chart texts never overlap" % what)

    if not sql:
        return {"cards": cards, "readings": readings}
    # Independent of the daemon: the year's deal amount, deal count and the
    # monthly amounts per category from the source rows, to the fen.
    cond = "status = 'awarded' AND (deal_at AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'" % (
        TZ, period["from"], period["to"])
    if center:
        cond += " AND center_code IN (%s)" % ",".join("'%s'" % c for c in subtree(center))
    amount, count = pg.rows("trading", "SELECT coalesce(sum(deal_amount), 0), count(*) FROM deals WHERE %s" % cond)[0]
    ck.eq(cards.get("deal_amount", {}).get("value"), amount, "%s: deal amount equals SQL to the fen" % what)
    ck.eq(cards.get("deal_amount", {}).get("display"), display(amount, unit_of(catalog["deal_amount"], amount)),
          "%s: deal amount shown equals SQL, scaled" % what)
    ck.eq(cards.get("deals_count", {}).get("display"), count + "宗", "%s: deals count equals SQL" % what)
    monthly = pg.rows("trading", "SELECT category, to_char(deal_at AT TIME ZONE '%s', 'YYYY-MM'), sum(deal_amount) "
                      "FROM deals WHERE %s GROUP BY 1, 2" % (TZ, cond))
    for cat, month, value in monthly:
        b = bars.get(("deal_amount", cat, month))
        ck.eq(b and b["value"], value, "%s: %s %s amount equals SQL" % (what, cat, month))
    ck.true(len(monthly) > 12, "%s: SQL found monthly figures (%d)" % (what, len(monthly)))
    # Ranking to the fen: each subordinate centre's deal amount over its subtree.
    for c in ranking["centers"]:
        cc = cond.split(" AND center_code IN")[0] + " AND center_code IN (%s)" % ",".join("'%s'" % x for x in subtree(c["code"]))
        v = pg.rows("trading", "SELECT coalesce(sum(deal_amount), 0) FROM deals WHERE %s" % cc)[0][0]
        r = [x for x in rk["rows"] if x["code"] == c["code"]]
        cell = [x for x in r[0]["cells"] if x["metric"] == "deal_amount"] if r else []
        ck.eq(cell and cell[0]["value"], v, "%s: ranking %s deal amount equals SQL to the fen" % (what, c["code"]))

    # The figures that are not sums of one table's days, from SPEC §3's
    # wording (spec_metrics), not from the daemon: remotely evaluated deals
    # (trading and expert sources joined on deal_id), people counted once
    # over the period, stocks on its last day; for the centre's subtree, over
    # the period and the same days a year before, wherever the page shows them.
    def rows(db, q):
        return pg.rows(db, q)
    centers = subtree(center) if center else None
    deals = sm.remote_deals(rows)
    for metric in NOT_SUMS:
        if metric not in catalog or not catalog[metric]["available"]:
            continue
        want = [sm.value(rows, metric, pr["from"], pr["to"], centers, deals=deals) for pr in (period, prev)]
        places = [f for f in (figures.get(metric), shown.get(metric)) if f]
        ck.true(places, "%s: %s is on the page" % (what, metric))
        for f in places:
            ck.eq(dec(f["value"]) if f.get("value") else None, want[0],
                  "%s: %s equals SQL over the source rows (%s)" % (what, metric, f.get("display")))
            ck.eq(dec(f["previous"]) if f.get("previous") else None, want[1],
                  "%s: %s a year before equals SQL" % (what, metric))
        if catalog[metric]["total"] in ("distinct", "stock"):
            # what adding its months up would give is another figure: the
            # page must have asked for the whole period
            months = series(daemon, metric, period, center, step="month")["points"]
            ck.true(len(months) > 1 and sum(dec(x["value"]) for x in months) != want[0],
                    "%s: %s's months do not add up to the period's figure" % (what, metric))
            if catalog[metric]["total"] == "stock":
                ck.eq(dec(months[-1]["value"]) if months else None, want[0],
                      "%s: %s's last month-end value is the period's" % (what, metric))
    return {"cards": cards, "readings": readings}


def check_wall(ck, seen, what):
    """A wall-screen step: the rotation showed every page, by itself, and on
    each everything fits: on the screen, nothing clipped, cut or scrolled."""
    rot = seen.get("rotation") or []
    ck.eq((seen.get("rotate"), seen.get("pages")), ("on", "2"), "%s: the wall screen rotates between 2 pages" % what)
    ck.eq(sorted(a["page"] for a in rot), ["1", "2"], "%s: the rotation showed every page" % what)
    ck.eq(seen.get("rotatedBack"), rot[0]["page"] if rot else None, "%s: and came back to the first" % what)
    for a in rot:
        ck.eq(a["issues"], [], "%s, page %s of 2: everything fits" % (what, a["page"]))
        ck.true(a["items"] > 40, "%s, page %s: items audited (%d)" % (what, a["page"], a["items"]))
        ck.eq(a["pager"], [a["page"]], "%s, page %s: the pager says which page" % (what, a["page"]))
        ck.eq(png_size(a.get("screenshot") or ""), (1920, 1080), "%s, page %s: screenshot" % (what, a["page"]))
    ck.true(all("/2" in t["text"] for t in seen.get("pager", [])) and len(seen.get("pager", [])) == 2,
            "%s: the pager shows page of pages: %r" % (what, seen.get("pager")))


def check_hovers(ck, hovers, what):
    """A hover on a mark of every chart finds the mark and its value."""
    for h in hovers:
        ck.true(h.get("marks", 0) > 0 and h.get("title") and h.get("value") is not None
                and (h["hovered"] or "").split(".")[0] in ("rect", "circle"),
                "%s: hovering %s shows a value: %r" % (what, h["chart"], h))


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
               GGZY_DECIMAL_CASES=json.dumps(DECIMAL_CASES), GGZY_POINTS_CASES=json.dumps(POINTS_CASES))
    proc = subprocess.Popen(["node", os.path.join(HERE, "page.mjs"), base, ARTIFACTS, json.dumps(steps)],
                            cwd=HERE, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    killer = threading.Timer(150, proc.kill)  # bounded, whatever happens
    killer.start()
    try:
        line = ""
        if while_paused:
            line = proc.stdout.readline()
            if line.startswith("PAUSED "):
                try:
                    while_paused(json.loads(line[len("PAUSED "):]))
                finally:
                    proc.stdin.write("go\n")
                    proc.stdin.flush()
                line = ""
        # A run that failed before its pause printed its result (with the
        # error) as that first line: keep it.
        out, err = proc.communicate()
        out = line + out
    except BaseException:
        proc.kill()
        proc.communicate()
        raise
    finally:
        killer.cancel()
    if proc.returncode != 0 or not out.strip():
        raise RuntimeError("page.mjs exit %s:\n%s" % (proc.returncode, err[-4000:]))
    return json.loads(out)


def restart_unloaded(ck, daemon, base, started):
    """The daemon restarted while the expert database still refuses
    connections: the expert source has not finished its first load, so the
    targets it feeds have no fresh alert row (the store keeps the old one).
    Their pace must read 未知, never the old ratio or 0; the others keep theirs."""
    daemon.stop()
    daemon.start(wait_ready=False)

    def state():
        return {s["name"]: s["first_poll_done"] for s in get(daemon, "/api/v1/status")["sources"]}
    wait_until(lambda: state() == {"trading": True, "deposit": True, "expert": False}, timeout=60,
               what="trading and deposit loaded, expert not")
    seen = run_page(base, [{"name": "expert not loaded", "screenshot": "page-expert-loading.png"},
                           {"name": "page 2 pinned", "hash": "#year=2022&page=2", "audit": True,
                            "screenshot": "page-expert-loading-p2.png"}])
    if seen.get("error"):
        ck.true(False, "the browser run failed: %s\npage: %s" % (seen["error"], seen.get("failureState")))
        return
    step = seen["steps"][0]
    check_step(ck, daemon, None, None, step, 2022, "", "expert not loaded", started=started, sql=False)
    rows = {r["indicator"]: r for r in step["targets"]}
    alerts = {a["indicator"]: a for a in get(daemon, "/api/v1/alerts")["alerts"]
              if a["year"] == 2022 and a["center"] is None and a["alertname"] == "GgzyTargetBehindPace"}
    for name in ("跨区域远程异地评标场次", "专家评审费支出"):
        r = rows.get(name, {})
        ck.true(alerts.get(name, {}).get("pace_ratio") is not None, "%s: the store still has its old pace row" % name)
        ck.eq((r.get("pace") or {}).get("known"), "false", "expert not loaded: %s pace not known" % name)
        ck.true("未知" in (r.get("pace") or {}).get("text", ""), "expert not loaded: %s reads 未知: %r" % (name, r.get("pace")))
    ck.eq(rows.get("跨区域远程异地评标场次", {}).get("reading"), "unknown", "expert not loaded: remote evaluations unknown")
    ck.eq(rows.get("专家评审费支出", {}).get("reading"), "exceeded", "expert not loaded: the fee ceiling is still exceeded")
    ck.eq((rows.get("全省进场交易额", {}).get("pace") or {}).get("known"), "true", "expert not loaded: deal amount pace known")
    ck.eq({r["source"]: r["loading"] for r in step["sources"]},
          {"store": "false", "trading": "false", "deposit": "false", "expert": "true"}, "expert not loaded: source rows")
    ck.eq(seen.get("problems"), [], "expert not loaded: no console errors")
    # "#page=2" keeps page 2 on the wall screen: no rotation, and it fits.
    pin = seen["steps"][1] if len(seen.get("steps", [])) > 1 else {}
    ck.eq((pin.get("rotate"), pin.get("page"), pin.get("pinnedAfter")), ("pinned", "2", "2"),
          "#page=2 pins page 2 through a rotation period")
    ck.eq((pin.get("audit") or {}).get("issues"), [], "page 2 pinned, a source loading: everything fits")


MIDYEAR = "2022-06-30T12:00:00"


def without_deposits(ck, pg, work, subtree, started):
    """A daemon without the deposit source, replaying mid-2022. Every deposit
    figure (保证金在途余额 among them) reads 不可用 with the daemon's reason,
    never 0, and the page asks the series API for none of them (it would
    answer 409); the other figures stand, and everything still fits the wall
    screen. The current year ends today here, not on Dec 31: the expert pool
    is the stock on 06-30 and the people who took part are counted once over
    01-01 to 06-30, against SQL (check_step)."""
    pg.psql("postgres", "ALTER DATABASE expert ALLOW_CONNECTIONS true")
    pg.createdb("store_nodeposit")
    home = os.path.join(work, "no-deposit")
    os.makedirs(home)
    cfg = config_text(free_port(), pg.conninfo("store_nodeposit"), {s: pg.conninfo(s) for s in ("trading", "expert")},
                      extra_daemon="targets = %s\n" % os.path.join(SOURCE_DIR, "config", "targets.json"))
    daemon = Daemon(home, cfg, args=["--now", MIDYEAR])
    try:
        daemon.start(wait_ready=True)
        settle(daemon, MIDYEAR)
        base = "http://127.0.0.1:%d" % daemon.port
        steps = [{"name": "no deposit source", "pages": True, "screenshot": "page-no-deposit.png"},
                 {"name": "no deposit source, 433100", "year": 2022, "center": "433100"}]
        seen = run_page(base, steps)
        if seen.get("error"):
            ck.true(False, "no deposit source: the browser run failed: %s" % seen["error"])
            return
        got = seen.get("steps", [])
        ck.eq(len(got), len(steps), "no deposit source: every step ran")
        for step, (year, center) in zip(got, [(2022, ""), (2022, "433100")]):
            check_step(ck, daemon, pg, subtree, step, year, center, step["name"], started=started)
        if got:
            check_wall(ck, got[0], "no deposit source")
        status = get(daemon, "/api/v1/status")
        catalog = {m["name"]: m for m in get(daemon, "/api/v1/metrics")["metrics"]}
        gone = sorted(m for m, x in catalog.items() if not x["available"])
        ck.true("deposit_held_amount" in gone and "liquidity_released_amount" in gone
                and all("deposit" in catalog[m]["sources"] for m in gone),
                "no deposit source: the deposit figures are unavailable: %r" % gone)
        ck.eq(status["today"], MIDYEAR[:10], "no deposit source: today is the replayed day")
        card = {k["metric"]: k for k in got[0]["kpis"]} if got else {}
        ck.eq(card.get("deposit_held_amount", {}).get("text"), NA, "no deposit source: 保证金在途余额 reads 不可用")
        asked = [urllib.parse.parse_qs(urllib.parse.urlparse(u).query).get("metric", [""])[0]
                 for u in seen.get("requests", []) if "/api/v1/series?" in u]
        ck.eq(sorted(set(asked) & set(gone)), [], "no deposit source: the page asks for no unavailable figure")
        ck.true("experts_participating_count" in asked and "expert_pool_count" in asked,
                "no deposit source: the expert figures were asked for")
        ck.eq(seen.get("problems"), [], "no deposit source: no console errors (no 409 asked for)")
    finally:
        code = daemon.stop()
        ck.eq(code, 0, "no deposit source: the daemon stopped cleanly")


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

        steps = [
            {"name": "wall screen, defaults", "screenshot": "page-1920x1080.png", "pages": True, "hover": True},
            {"name": "centre switched", "year": 2022, "center": "433100"},
            {"name": "year switched", "year": 2021, "center": "433100", "screenshot": "page-2021-433100.png",
             "pages": True},
            {"name": "laptop", "year": 2022, "center": "", "width": 1366, "height": 768,
             "screenshot": "page-1366x768.png", "full": True, "hover": True, "auditKpis": True,
             "drill": DRILLS},
            {"name": "laptop, 2021", "year": 2021, "center": "433100", "width": 1366, "height": 768,
             "screenshot": "page-1366x768-2021-433100.png", "full": True, "auditKpis": True},
            {"name": "names from the daemon", "year": 2021, "center": "433100", "fake": "names"},
            {"name": "laptop, four-digit counts", "year": 2022, "center": "", "width": 1366, "height": 768,
             "fake": "big"},
            {"name": "back on the wall", "year": 2022, "center": ""},
        ]
        expect = [(2022, ""), (2022, "433100"), (2021, "433100"), (2022, ""), (2021, "433100"), (2021, "433100"),
                  (2022, ""), (2022, "")]
        results = []

        def while_paused(partial):
            # The API and the sources as the page saw them: check every step
            # now, then take the expert source down.
            got = partial.get("steps", [])
            ck.eq(len(got), len(expect), "every step ran")
            for step, spec, (year, center) in zip(got[:-1], steps, expect):
                results.append(check_step(ck, daemon, pg, subtree, step, year, center, step["name"],
                                          fake=spec.get("fake"), started=started))
                if spec.get("pages"):
                    check_wall(ck, step, step["name"])
                if spec.get("auditKpis"):
                    ck.eq((step.get("auditKpis") or {}).get("issues"), [], "%s: the headline cards fit" % step["name"])
                if spec.get("drill"):
                    check_drills(ck, daemon, step, year, center, step["name"])
                if spec.get("hover"):
                    check_hovers(ck, step.get("hovers", []) + [h for a in step.get("rotation", [])
                                                                for h in a.get("hovers", [])], step["name"])
            # The last step only puts the page back on the wall screen.
            ck.eq(got[-1].get("key") if got else None, "2022|", "back to the defaults")
            names = {m["name"]: m["name_zh"] for m in get(daemon, "/api/v1/metrics")["metrics"]}
            ck.eq([k["label"] for k in got[-1].get("kpis", [])][:1], [names["deal_amount"]], "back to the daemon's own names")
            break_expert(ck, daemon, pg)

        seen = run_page(base, steps, while_paused=while_paused)
        t1 = time.time()
        if seen.get("error"):
            ck.true(False, "the browser run failed: %s\npage: %s" % (seen["error"], seen.get("failureState")))
            ck.finish()  # nothing after it means anything (the source was never taken down)
        got = seen.get("steps", [])
        if len(results) >= 3:
            ck.true(results[0]["cards"]["deal_amount"]["value"] != results[1]["cards"]["deal_amount"]["value"],
                    "the centre switch changed the figures")
            # Targets read right: a ceiling passed in the current year is
            # exceeded (red, not a full green bar "on pace"); a closed year is
            # met or missed, never a pace; behind pace fires.
            ck.eq(results[0]["readings"].get("专家评审费支出"), "exceeded", "2022: the fee ceiling reads exceeded")
            ck.true("firing" in results[0]["readings"].values(), "2022: a target row shows its firing alert")
            ck.true(set(results[2]["readings"].values()) == {"met", "missed"},
                    "2021 (closed): every target met or missed: %r" % results[2]["readings"])
            ck.eq((results[2]["readings"].get("不见面开标率"), results[2]["readings"].get("专家评审费支出"),
                   results[2]["readings"].get("入场项目成交额")), ("met", "met", "missed"), "2021: which were met")
        ck.true(len(got) >= 3 and len(got[2]["targets"]) == 10 and len(got[2]["alerts"]) >= 5,
                "2021/433100: the demo's 10 targets and its 5 alerts (the demo covers 2021 and 2022)")
        if len(got) >= 3:
            pub = got[2].get("published") or {}
            ck.eq((pub.get("version"), pub.get("changed")), ("1", "0"), "2021/433100: its published version")
            ck.true(pub.get("text", "").startswith("已发布 第1版 (20"), "the published badge: %r" % pub.get("text"))
            ck.eq(got[0].get("published"), None, "2022 (current): nothing published shown")
        ck.true(len(got) >= 4 and got[3]["rotate"] == "off" and not got[3].get("page"),
                "a laptop does not rotate: both pages follow each other")
        if len(got) >= 7:
            # bar labels on a laptop: four digits cannot all fit, so none is
            # drawn (the values are on hover), and two digits all are
            ck.eq(got[6]["barLabels"], [], "four-digit counts on a laptop: no bar labels")
            ck.true(len(got[3]["barLabels"]) == 12, "two-digit counts on a laptop: every bar labelled")
        # (the browser logs the ranking's 503 that page.mjs answers in one step)
        ck.eq([p for p in seen.get("problems", []) if not p.startswith(
            "[laptop, four-digit counts] console error: Failed to load resource: the server responded with a status of 503")],
            [], "no console errors, CSP violations or page errors")
        ck.eq(seen.get("loads"), 1, "the page was loaded once (refreshes fetch, never reload)")
        ck.eq(seen.get("decimals"), [display(v, u) for v, u in DECIMAL_CASES], "the page's decimal arithmetic")
        ck.eq(seen.get("decimals", [])[-2:], ["200.55亿元", "3281万元"], "SPEC's examples")
        ck.eq(seen.get("points"), [points_text(yoy_points(a, p)) for a, p in POINTS_CASES], "the page's percentage points")
        urls = seen.get("requests", [])
        ck.true(len(urls) > 30, "requests recorded (%d)" % len(urls))
        outside = [u for u in urls if not u.startswith(base + "/")]
        ck.eq(outside, [], "every request goes to the daemon at 127.0.0.1")
        for name, size in (("page-1920x1080.png", (1920, 1080)), ("page-1920x1080-p2.png", (1920, 1080)),
                           ("page-1366x768.png", (1366, 768))):
            ck.eq(png_size(os.path.join(ARTIFACTS, name)), size, "screenshot %s" % name)
        check_source_down(ck, daemon, seen)
        restart_unloaded(ck, daemon, base, started)
        print("setup %.1fs, browser %.1fs, checks and restart %.1fs" % (t0 - started, t1 - t0, time.time() - t1))
        code = daemon.stop()
        log = daemon.read_log()
        daemon = None
        ck.eq(code, 0, "the daemon stopped cleanly")
        ck.true("Sanitizer" not in log and "runtime error" not in log, "no sanitizer report in the daemon's log")
        errors = [line for line in log.splitlines() if "Z error " in line]
        ck.eq(errors, [], "no error in the daemon's log")
        t2 = time.time()
        without_deposits(ck, pg, work, subtree, started)
        print("without the deposit source %.1fs" % (time.time() - t2))
    finally:
        if daemon:
            daemon.stop()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
