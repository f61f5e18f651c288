"""A new operator's first hour (issue 15, item 1): the daemon started on an
empty store with targets and a real webhook receiver must not send a false
"target missed" while the sources' first load has not finished (an empty
store is not a missed target); once loaded, only the target that really
missed fires; a late correction that meets it resolves the alert and the
receiver hears the resolution; pace and actual read "not yet known" (no
alert row, null figures) before the load.

The load is held (its first write waits on a SHARE lock of ggzy.image)
so that an evaluation certainly runs before it: the daemon of version 8
fired GgzyTargetMissed for every 2021 target here, actual 0."""
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql,
                     wait_until)
from test_alerts import Receiver
from test_row_store import hold_share, release

# C1 in 2021: 100.00 a day (36,500.00 over 365 deals).
DATA = """
INSERT INTO centers VALUES ('P', '省中心', NULL, 'province'), ('C1', '一市', 'P', 'city');
INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                   fully_electronic, remote_opening, status, service_fee)
SELECT 'a' || d::date, 'p', 'C1', 'engineering', 'open', 100.00, d + interval '12 hours', true,
       false, 'awarded', 1.00
  FROM generate_series(timestamptz '2021-01-01 00:00+08', '2021-12-31 00:00+08', '1 day') d;
"""
TARGETS = {"years": [{"year": 2021, "center": "C1", "indicators": [
    {"metric": "deal_amount", "name": "成交额", "target": "30000.00", "weight": 50},
    {"metric": "deals_count", "name": "宗数", "target": 400, "weight": 50, "display_unit": "宗"}]}]}


def missed_posts(receiver):
    """(indicator, startsAt, endsAt) of every GgzyTargetMissed POSTed."""
    out = []
    for _, payload in receiver.posts:
        for a in payload:
            if a["labels"]["alertname"] == "GgzyTargetMissed":
                out.append((a["labels"]["indicator"], a["startsAt"], a["endsAt"]))
    return out


def main():
    ck = Checker("test_first_hour")
    pg = PgServer("firsthour")
    work = work_dir("firsthour")
    receiver = Receiver()
    daemon = None
    try:
        pg.createdb("trading")
        pg.psql("trading", source_sql("trading.sql"))
        pg.psql("trading", DATA)
        pg.createdb("store")
        targets = os.path.join(work, "targets.json")
        with open(targets, "w") as f:
            json.dump(TARGETS, f, ensure_ascii=False)
        port = free_port()
        extra = "targets = %s\n" % targets
        alerts = ("\n[alerts]\nwebhook = http://127.0.0.1:%d/api/v2/alerts\nevaluate_interval = 2s\n"
                  % receiver.port)
        # The schema first, then the load held at its first write.
        bare = os.path.join(work, "bare.conf")
        with open(bare, "w") as f:
            f.write(config_text(port, pg.conninfo("store"), {}))
        code, _, err = run_daemon(bare, "--once")
        ck.eq(code, 0, "migrating the empty store: %s" % err[-300:])
        holder = hold_share(pg, "store", "ggzy.image")
        cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")}, extra) + alerts
        daemon = Daemon(work, cfg, ["--now", "2022-01-05T12:00:00"])
        daemon.start(wait_ready=False)
        # Evaluations run every 2 s; wait for some while the load is held.
        wait_until(lambda: "no watermark yet, loading history" in daemon.read_log(), timeout=30,
                   what="the load to start")
        time.sleep(5)
        status, body = daemon.get("/api/v1/alerts")
        ck.eq((status, body.get("alerts")), (200, []), "before the first load: no alert at all")
        ck.eq(missed_posts(receiver), [], "before the first load: nothing sent")
        _, metrics = daemon.get("/metrics")
        ck.true("ggzy_target_completion_ratio{" not in metrics, "no completion before the first load")
        release(pg, "store", holder)
        wait_until(lambda: daemon.get("/readyz")[0] == 200, timeout=60, what="ready")
        wait_until(lambda: missed_posts(receiver), timeout=30, what="the missed target's alert")
        sent = missed_posts(receiver)
        ck.eq(sorted(set(s[0] for s in sent)), ["宗数"], "only the missed target fires (365 of 400 deals)")
        status, body = daemon.get("/api/v1/alerts")
        state = {(a["indicator"], a["alertname"]): a for a in body["alerts"]}
        ck.true(("成交额", "GgzyTargetMissed") not in state, "the met target (36,500 of 30,000) has no alert")
        ck.eq(state.get(("宗数", "GgzyTargetMissed"), {}).get("state"), "firing", "the missed one fires")

        # A late correction: 40 more deals of 2021 meet the target; the
        # alert resolves and the receiver hears it (endsAt no later than now).
        pg.psql("trading", """
            INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                               fully_electronic, remote_opening, status, service_fee)
            SELECT 'late' || g, 'p', 'C1', 'engineering', 'open', 10.00,
                   timestamptz '2021-06-01 10:00+08', true, false, 'awarded', 0.10
              FROM generate_series(1, 40) g""")
        daemon.refresh()
        wait_until(lambda: daemon.get("/api/v1/alerts")[1]["alerts"] and all(
            a["state"] == "resolved" for a in daemon.get("/api/v1/alerts")[1]["alerts"]
            if a["alertname"] == "GgzyTargetMissed"), timeout=30, what="the resolution")

        def last_missed():
            return [a for _, p in receiver.posts for a in p
                    if a["labels"]["alertname"] == "GgzyTargetMissed"][-1]

        def now_utc():
            return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        # The state is stored before the outbox is sent: the POST may follow
        # (a firing alert's endsAt is null).
        wait_until(lambda: (last_missed()["endsAt"] or "9") <= now_utc(), timeout=30,
                   what="the receiver to hear the resolution")
        last = last_missed()
        ck.true(last["endsAt"] <= now_utc() and last["endsAt"] >= last["startsAt"],
                "the receiver heard the resolution (endsAt %s)" % last["endsAt"])
        ck.true("met its annual target" in last["annotations"]["summary"],
                "the resolution says the target is met: %s" % last["annotations"]["summary"])
        # A restart neither fires it again nor forgets it.
        posts = len(receiver.posts)
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = Daemon(work, cfg, ["--now", "2022-01-05T12:00:00"])
        daemon.start()
        time.sleep(4)
        again = [a for _, p in receiver.posts[posts:] for a in p
                 if a["labels"]["alertname"] == "GgzyTargetMissed" and a["endsAt"] > a["startsAt"]
                 and a["endsAt"] > time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())]
        ck.eq(again, [], "after a restart the met target stays resolved")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
