#!/usr/bin/env python3
"""Alerts (SPEC §8): a year replayed day by day with --once --now against a real
HTTP receiver, compared with an independent model computed in Python from the
source rows: when each alert goes pending, fires and resolves; what is POSTed
(Alertmanager v2: a JSON array, labels, annotations, startsAt/endsAt) each
day; a receiver that refuses for days and then comes back (nothing lost, one
POST per evaluation); kill -9 between firing and delivery; a `lower` target;
`last_year` pacing, and its linear fallback for a centre with no data last
year; the missed-target alert at year end; /metrics and /api/v1/alerts.
"""
import datetime as dt
import http.server
import json
import os
import sys
import tempfile
import threading
import time
from decimal import Decimal

sys.path.insert(0, os.path.dirname(__file__))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     wait_until)

TH = Decimal("0.9")
Z = dt.timezone(dt.timedelta(hours=8))

# The source: centres P > C1, C2; one deal a day at noon (Asia/Shanghai).
DATA = """
INSERT INTO centers VALUES ('P', '省中心', NULL, 'province'), ('C1', '一市', 'P', 'city'),
                           ('C2', '二市', 'P', 'city');
-- C1 in 2021: 100.00 a day to June, 200.00 from July (last year's seasonality)
INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                   fully_electronic, remote_opening, status, service_fee)
SELECT 'a' || d::date, 'p', 'C1', 'engineering', 'open', v, d + interval '12 hours', true, false,
       'awarded', v / 100
  FROM generate_series(timestamptz '2021-01-01 00:00+08', '2021-12-31 00:00+08', '1 day') d,
       LATERAL (SELECT CASE WHEN d < '2021-07-01 00:00+08' THEN 100.00 ELSE 200.00 END AS v) x;
-- C1 in 2022: 100.00 a day to March, nothing in April and May, 300.00 from June
INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                   fully_electronic, remote_opening, status, service_fee)
SELECT 'b' || d::date, 'p', 'C1', 'engineering', 'open', v, d + interval '12 hours', true, false,
       'awarded', v / 100
  FROM generate_series(timestamptz '2022-01-01 00:00+08', '2022-12-31 00:00+08', '1 day') d,
       LATERAL (SELECT CASE WHEN d < '2022-04-01 00:00+08' THEN 100.00
                            WHEN d < '2022-06-01 00:00+08' THEN NULL ELSE 300.00 END AS v) x
 WHERE v IS NOT NULL;
-- C2 only in 2022: 80.00 a day, nothing in February
INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                   fully_electronic, remote_opening, status, service_fee)
SELECT 'c' || d::date, 'p', 'C2', 'gov_procurement', 'open', 80.00, d + interval '12 hours', true,
       false, 'awarded', 0.80
  FROM generate_series(timestamptz '2022-01-01 00:00+08', '2022-12-31 00:00+08', '1 day') d
 WHERE extract(month FROM d AT TIME ZONE 'Asia/Shanghai') <> 2;
"""

TARGETS = {"years": [
    {"year": 2021, "center": "C1", "indicators": [
        {"metric": "deal_amount", "name": "成交额", "target": "60000.00", "weight": 50,
         "display_unit": "元"}]},
    {"year": 2022, "center": "C1", "indicators": [
        {"metric": "deal_amount", "name": "成交额", "target": "60000.00", "weight": 40,
         "display_unit": "万元"},
        {"metric": "service_fee_amount", "name": "服务费上限", "target": "450.00",
         "direction": "lower", "weight": 20, "display_unit": "元"},
        {"name": "满意度", "weight": 10, "manual": {"target": "≥90%", "actual": "95%", "score": 10}}]},
    {"year": 2022, "center": "C2", "indicators": [
        {"metric": "deals_count", "name": "宗数", "target": 330, "weight": 30, "display_unit": "宗"}]},
]}

SOURCE_COLUMN = {"deal_amount": "deal_amount", "service_fee_amount": "service_fee", "deals_count": None}


class Receiver:
    """A real HTTP receiver on loopback that records every POST; `up` False answers 503."""

    def __init__(self):
        self.up = True
        self.slow = 0      # seconds to stall before answering (and not recording)
        self.stalled = 0
        self.posts = []    # (label, payload) of accepted POSTs
        self.refused = []  # labels of POSTs answered 503
        self.label = None
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if receiver.slow:
                    receiver.stalled += 1
                    time.sleep(receiver.slow)
                    return  # the daemon gave up long ago
                if not receiver.up:
                    receiver.refused.append(receiver.label)
                    self.send_response(503)
                    self.end_headers()
                    return
                receiver.posts.append((receiver.label, json.loads(body)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def iso_z(day):
    """Noon of DAY in Asia/Shanghai, as the daemon writes instants (UTC)."""
    return dt.datetime(day.year, day.month, day.day, 12, tzinfo=Z).astimezone(
        dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Model:
    """Independent pacing: sums from the source rows, SPEC §8's rules in Decimal."""

    def __init__(self, pg):
        self.daily = {}  # (center, metric) -> {date: Decimal}
        for center in ("C1", "C2"):
            for metric, col in SOURCE_COLUMN.items():
                rows = pg.rows("trading", "SELECT (deal_at AT TIME ZONE 'Asia/Shanghai')::date, %s "
                               "FROM deals WHERE center_code = '%s' AND status = 'awarded'"
                               % (col or "1", center))
                d = {}
                for day, v in rows:
                    day = dt.date.fromisoformat(day)
                    d[day] = d.get(day, Decimal(0)) + Decimal(v)
                self.daily[(center, metric)] = d
        self.state = {}  # key -> dict(state, starts, ends)

    def upto(self, center, metric, start, end):
        return sum((v for k, v in self.daily[(center, metric)].items() if start <= k <= end), Decimal(0))

    def evaluate(self, day):
        """One evaluation on DAY; returns the keys whose state changed."""
        changed = []
        year = day.year
        for entry in TARGETS["years"]:
            center = entry["center"]
            for ind in entry["indicators"]:
                if "metric" not in ind:
                    continue
                m, t = ind["metric"], Decimal(str(ind["target"]))
                lower = ind.get("direction") == "lower"
                if entry["year"] == year:
                    key = (entry["year"], center, ind["name"], "GgzyTargetBehindPace")
                    a = self.upto(center, m, dt.date(year, 1, 1), day)
                    same = day.replace(year=year - 1) if not (day.month == 2 and day.day == 29) \
                        else dt.date(year - 1, 2, 28)
                    total = self.upto(center, m, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
                    if total > 0:
                        share = self.upto(center, m, dt.date(year - 1, 1, 1), same) / total
                    else:
                        doy = (day - dt.date(year, 1, 1)).days + 1
                        share = Decimal(doy) / Decimal((dt.date(year + 1, 1, 1) - dt.date(year, 1, 1)).days)
                    expected = t * share
                    behind = expected > 0 and ((TH * a > expected) if lower else (a < TH * expected))
                    s = self.state.get(key, {"state": "ok", "starts": None, "ends": None})
                    nxt = {"ok": "pending" if behind else "ok",
                           "resolved": "pending" if behind else "resolved",
                           "pending": "firing" if behind else "ok",
                           "firing": "firing" if behind else "resolved"}[s["state"]]
                    if nxt != s["state"]:
                        changed.append(key)
                        if nxt == "firing":
                            s = dict(s, starts=iso_z(day), ends=None)
                        if nxt == "resolved" and s["state"] == "firing":
                            s = dict(s, ends=iso_z(day))
                        s = dict(s, state=nxt, notify=nxt in ("firing", "resolved") or s.get("notify", False))
                    self.state[key] = s
                elif entry["year"] == year - 1:
                    key = (entry["year"], center, ind["name"], "GgzyTargetMissed")
                    if key in self.state:
                        s = self.state[key]
                        if s["state"] == "firing" and iso_z(day) >= s["ends"]:
                            self.state[key] = dict(s, state="resolved")  # expired, nothing to send
                            changed.append(key)
                        continue
                    a = self.upto(center, m, dt.date(year - 1, 1, 1), dt.date(year - 1, 12, 31))
                    if (a > t) if lower else (a < t):
                        self.state[key] = {"state": "firing", "starts": iso_z(day), "notify": True,
                                           "ends": (dt.datetime.strptime(iso_z(day), "%Y-%m-%dT%H:%M:%SZ")
                                                    + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")}
                        changed.append(key)
        # pace alerts of a closed year end with it
        for key, s in self.state.items():
            if key[0] < year and key[3] == "GgzyTargetBehindPace" and s["state"] in ("firing", "pending"):
                was = s["state"]
                self.state[key] = dict(s, state="resolved" if was == "firing" else "ok",
                                       ends=iso_z(day) if was == "firing" else s["ends"],
                                       notify=was == "firing" or s.get("notify", False))
                changed.append(key)
        return changed

    def to_send(self):
        """What a delivery now must carry: (key, startsAt, endsAt or None for firing)."""
        out = {}
        for key, s in self.state.items():
            if key[3] == "GgzyTargetBehindPace" and s["state"] == "firing":
                out[key] = (s["starts"], None)
            elif s.get("notify") and s["state"] in ("firing", "resolved"):
                out[key] = (s["starts"], s["ends"])
        return out

    def delivered(self):
        for s in self.state.values():
            s["notify"] = False


def key_of(alert):
    l = alert["labels"]
    return (int(l["year"]), l["center"], l["indicator"], l["alertname"])


def check_post(ck, payload, want, day, now_z):
    got = {key_of(a): a for a in payload}
    ck.eq(sorted(got), sorted(want), "%s: alerts sent" % day)
    for key, (starts, ends) in want.items():
        a = got.get(key)
        if not a:
            continue
        ck.eq(a["startsAt"], starts, "%s: %s startsAt" % (day, key))
        if ends is None:  # firing pace alert: re-sent, ends 4 intervals ahead
            ck.true(a["endsAt"] > now_z, "%s: %s endsAt %s after now" % (day, key, a["endsAt"]))
        else:
            ck.eq(a["endsAt"], ends, "%s: %s endsAt" % (day, key))
        ck.eq(a["labels"]["metric"] in SOURCE_COLUMN, True, "%s: metric label" % day)
        ck.eq(a["labels"]["severity"], "critical" if key[3] == "GgzyTargetMissed" else "warning",
              "%s: severity" % day)
        ck.true(a["generatorURL"].endswith("/api/v1/report?year=%d&center=%s" % (key[0], key[1])),
                "%s: generatorURL %s" % (day, a["generatorURL"]))
        summary = a["annotations"]["summary"]
        ck.true(" / " in summary and any("\u4e00" <= ch <= "\u9fff" for ch in summary.split(" / ")[0]),
                "%s: summary in Chinese and English: %s" % (day, summary))


def check_prometheus_rules(ck):
    """The shipped rules parse and use only series the daemon exports."""
    import shutil
    import subprocess
    from harness import SOURCE_DIR
    rules = os.path.join(SOURCE_DIR, "deploy", "prometheus", "ggzy-rules.yml")
    with open(rules) as f:
        text = f.read()
    for series in ("ggzy_target_pace_ratio", "ggzy_alerts_firing", "ggzy_source_up"):
        ck.true(series in text, "rules use %s" % series)
    promtool = shutil.which("promtool")
    if not promtool:
        ck.true(os.environ.get("CI") != "true", "promtool is required when CI=true")
        print("promtool not installed (Debian package prometheus): rules not checked by it")
        return
    res = subprocess.run([promtool, "check", "rules", rules], stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    ck.eq(res.returncode, 0, "promtool check rules: %s" % res.stdout)


def main():
    ck = Checker("test_alerts")
    check_prometheus_rules(ck)
    work = work_dir("alerts")
    pg = PgServer("alerts")
    receiver = Receiver()
    try:
        pg.createdb("trading")
        pg.psql("trading", source_sql("trading.sql"))
        pg.psql("trading", DATA)
        pg.createdb("store")
        targets = os.path.join(work, "targets.json")
        with open(targets, "w") as f:
            json.dump(TARGETS, f, ensure_ascii=False, indent=1)
        port = free_port()
        alerts = ("\n[alerts]\nwebhook = http://127.0.0.1:%d/api/v2/alerts\nevaluate_interval = 1h\n"
                  "pacing = last_year\nthreshold = 0.9\n" % receiver.port)
        extra = "targets = %s\n" % targets
        full = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")}, extra) + alerts
        # The replay needs no source: the store holds the whole data set.
        replay = config_text(port, pg.conninfo("store"), {}, extra) + alerts
        full_path, replay_path = os.path.join(work, "full.conf"), os.path.join(work, "replay.conf")
        for path, text in ((full_path, full), (replay_path, replay)):
            with open(path, "w") as f:
                f.write(text)
        code, out, err = run_daemon(full_path, "--check")
        ck.eq(code, 0, "config with [alerts] is valid: %s" % err)
        # load everything into the store (evaluating 2021-12-31 is harmless:
        # the model starts from the same first evaluation)
        model = Model(pg)
        first = dt.date(2021, 12, 31)
        receiver.label = first
        code, out, err = run_daemon(full_path, "--once", "--now", "%sT12:00:00" % first)
        ck.eq(code, 0, "initial --once: %s" % err[-2000:])
        model.evaluate(first)
        model.delivered()

        # Down while the fee ceiling resolves (April 9), and while it fires
        # again and C1's deal amount resolves (late June).
        down = {dt.date(2022, 4, 8) + dt.timedelta(days=i) for i in range(3)} | \
               {dt.date(2022, 6, 22) + dt.timedelta(days=i) for i in range(10)}
        fired, resolved = {}, {}
        kill_day = None
        day = dt.date(2022, 1, 1)
        while day <= dt.date(2023, 1, 2):
            receiver.label = day
            receiver.up = day not in down
            before = len(receiver.posts)
            changed = model.evaluate(day)
            for key in changed:
                st = model.state[key]["state"]
                if st == "firing":
                    fired.setdefault(key, day)
                if st == "resolved":
                    resolved.setdefault(key, day)
            want = model.to_send()
            if kill_day is None and any(model.state[k]["state"] == "firing" for k in changed) and not receiver.up:
                # kill -9 between firing and delivery: the server evaluates,
                # fails to deliver, and dies; a later run still sends it.
                kill_day = day
                d = Daemon(work, replay, ["--now", "%sT12:00:00" % day])
                d.start(wait_ready=False)
                wait_until(lambda: pg.rows("store", "SELECT count(*) FROM ggzy.alert WHERE year = 2022 "
                                           "AND evaluated_at = '%s 12:00+08'" % day)[0][0] != "0",
                           timeout=60, what="the evaluation of %s stored" % day)
                d.kill9()
                ck.eq(len(receiver.posts), before, "%s: nothing delivered before the kill" % day)
            else:
                code, out, err = run_daemon(replay_path, "--once", "--now", "%sT12:00:00" % day)
                ck.eq(code, 0, "%s: --once exit code (%s)" % (day, err[-500:]))
            new = receiver.posts[before:]
            if receiver.up and want:
                ck.eq(len(new), 1, "%s: exactly one POST per evaluation" % day)
            else:
                ck.eq(len(new), 0, "%s: no POST (receiver down or nothing to say)" % day)
            if new:
                check_post(ck, new[0][1], want, day, iso_z(day))
                model.delivered()
            day += dt.timedelta(days=1)

        # The scenario must have exercised what it claims.
        c1 = (2022, "C1", "成交额", "GgzyTargetBehindPace")
        fee = (2022, "C1", "服务费上限", "GgzyTargetBehindPace")
        c2 = (2022, "C2", "宗数", "GgzyTargetBehindPace")
        for key in (c1, fee, c2):
            ck.true(key in fired, "%s fired during the replay" % (key,))
        ck.true(c1 in resolved, "C1 deal amount resolved after June")
        ck.true(kill_day is not None, "a firing met a receiver that was down (kill -9 case)")
        ck.true(any(k[3] == "GgzyTargetMissed" and k[0] == 2021 for k in model.state), "2021 missed")
        ck.true(any(k[3] == "GgzyTargetMissed" and k[0] == 2022 for k in model.state), "2022 missed at year end")
        print("fired:", {k[1] + "/" + k[2]: str(v) for k, v in fired.items()},
              "resolved:", {k[1] + "/" + k[2]: str(v) for k, v in resolved.items()}, "killed on", kill_day)
        ck.true(len(receiver.refused) > 0, "the receiver refused while down")
        missed_posts = [p for _, payload in receiver.posts for p in payload
                        if p["labels"]["alertname"] == "GgzyTargetMissed"]
        ck.eq(sorted(key_of(p) for p in missed_posts), sorted(k for k in model.state if k[3] == "GgzyTargetMissed"),
              "each missed target delivered exactly once")

        # The store's states equal the model's.
        rows = pg.rows("store", "SELECT year, center, indicator, alertname, state FROM ggzy.alert")
        got = {(int(y), c or "all", i, a): s for y, c, i, a, s in rows}
        want = {k: v["state"] for k, v in model.state.items()}
        for k, v in want.items():
            ck.eq(got.get(k), v, "stored state of %s" % (k,))

        # Server mode on a day of 2022: /api/v1/alerts and /metrics agree with the model.
        # A receiver that stalls past the 10 s timeout: the loop keeps serving,
        # and the delivery is retried until it gets through.
        mid = dt.date(2022, 5, 20)
        receiver.up, receiver.slow, receiver.label = True, 13, "slow"
        # evaluations every second, so that the pending alert fires at once
        d = Daemon(work, replay.replace("evaluate_interval = 1h", "evaluate_interval = 1s"),
                   ["--now", "%sT12:00:00" % mid])
        d.start()
        wait_until(lambda: receiver.stalled > 0, timeout=30, what="a delivery stalled")
        t0 = time.time()
        status, _ = d.get("/healthz", timeout=5)
        ck.true(status == 200 and time.time() - t0 < 1, "/healthz answers while a delivery stalls")
        receiver.slow = 0
        wait_until(lambda: any(label == "slow" for label, _ in receiver.posts), timeout=60,
                   what="the stalled delivery retried and delivered")
        wait_until(lambda: "ggzy_target_pace_ratio{" in d.get("/metrics")[1], timeout=30, what="target series")
        metrics = d.get("/metrics")[1]
        for entry in TARGETS["years"]:
            if entry["year"] != 2022:
                continue
            for ind in entry["indicators"]:
                if "metric" not in ind:
                    continue
                m, t = ind["metric"], Decimal(str(ind["target"]))
                a = model.upto(entry["center"], m, dt.date(2022, 1, 1), mid)
                line = 'ggzy_target_completion_ratio{year="2022",center="%s",indicator="%s",metric="%s"} %s' % (
                    entry["center"], ind["name"], m, (a / t).quantize(Decimal("0.000001"), rounding="ROUND_HALF_UP"))
                ck.true(line in metrics, "metrics has %s" % line)
                ck.true('ggzy_target_value{year="2022",center="%s",indicator="%s",metric="%s"} %s' % (
                    entry["center"], ind["name"], m, ind["target"]) in metrics, "target value of %s" % ind["name"])
        status, body = d.get("/api/v1/alerts")
        ck.eq(status, 200, "/api/v1/alerts")
        ck.eq(body["year"], 2022, "alerts year")
        ck.true(len(body["alerts"]) >= 3, "alerts listed")
        for a in body["alerts"]:
            ck.true(a["state"] in ("ok", "pending", "firing", "resolved"), "state %s" % a["state"])
            if a["alertname"] == "GgzyTargetBehindPace" and a["year"] == 2022:
                m = a["metric"]
                actual = model.upto(a["center"], m, dt.date(2022, 1, 1), mid)
                want = int(actual) if m == "deals_count" else "%.2f" % actual  # SPEC §7 forms
                ck.eq(a["actual"], want, "/api/v1/alerts actual of %s/%s" % (a["center"], a["indicator"]))
                ck.eq(a["target"], next(i["target"] for e in TARGETS["years"] if e["year"] == 2022
                                        and e["center"] == a["center"] for i in e["indicators"]
                                        if i["name"] == a["indicator"]), "/api/v1/alerts target")
        ck.true(("\nggzy_alerts_firing %d\n" % body["firing"]) in metrics,
                "ggzy_alerts_firing equals the store's firing alerts (%d)" % body["firing"])
        status, _ = d.get("/api/v1/alerts?x=1")
        ck.eq(status, 400, "unknown parameter")
        ck.eq(d.stop(), 0, "clean stop")
    finally:
        receiver.server.shutdown()
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            import shutil
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
