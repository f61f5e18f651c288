"""Trading figures against an independent SQL computation, to the fen: after
the initial load, after corrections, cancellations and late inserts (a poll
suffices), after moves, hard deletes and a late commit (reconciliation
needed), across the Asia/Shanghai year boundary and with amounts at the top
of numeric(18,2); monthly and cumulative series."""
import os
import shutil
import subprocess
from datetime import date, timedelta
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, run_daemon,
                     source_sql, SOURCE_DIR)
import trading_expect as te

YEARS = [2021, 2022]

EDGE_ROWS = """
INSERT INTO centers VALUES ('439900', '边界测试中心', '430000', 'city');
INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
    reserve_price, deal_amount, opened_at, deal_at, fully_electronic, remote_opening,
    status, service_fee) VALUES
 -- 2021-12-31 23:30 in Shanghai is still 2021, although 15:30Z
 ('EDGE1', 'PE', '439900', 'engineering', 'open_tender', 100.00, NULL, 99.99,
  '2021-12-30 10:00+08', '2021-12-31 23:30+08', true, true, 'awarded', 0.10),
 -- 2022-01-01 00:10 in Shanghai is 2022, although 2021-12-31 16:10Z
 ('EDGE2', 'PE', '439900', 'engineering', 'open_tender', NULL, 50.00, 60.01,
  NULL, '2022-01-01 00:10+08', false, false, 'awarded', 0.06),
 -- the largest numeric(18,2) amounts: their sums need more than 18 digits
 ('BIG1', 'PB', '439900', 'land_mineral', 'auction', 9999999999999999.99, 0.01,
  9999999999999999.99, NULL, '2022-06-01 12:00+08', true, false, 'awarded', 9999999999999999.99),
 ('BIG2', 'PB', '439900', 'land_mineral', 'auction', 9999999999999999.99, 0.01,
  9999999999999999.98, NULL, '2022-06-01 13:00+08', true, false, 'awarded', 9999999999999999.99),
 ('BIG3', 'PB', '439900', 'land_mineral', 'auction', 9999999999999999.99, 9999999999999999.99,
  9999999999999999.99, NULL, '2022-06-30 23:59:59.999+08', true, false, 'awarded', 0.01);
"""


def main():
    ck = Checker("test_figures")
    pg = PgServer("figures")
    work = work_dir("figures")
    daemon = None
    try:
        pg.createdb("trading")
        pg.createdb("store")
        pg.psql("trading", source_sql("trading.sql"))
        with open(os.path.join(SOURCE_DIR, "deploy", "demo", "trading_data.sql")) as f:
            pg.psql("trading", "\\set rows 3000\n\\set seed 0.17\n" + f.read())
        pg.psql("trading", EDGE_ROWS)

        port = free_port()
        cfg = config_text(port, pg.conninfo("store"), {"trading": pg.conninfo("trading")})
        cfg_path = os.path.join(work, "once.conf")
        with open(cfg_path, "w") as f:
            f.write(cfg)

        # Initial load with --once (exit 0), then the server reads the store.
        code, _, err = run_daemon(cfg_path, "--once")
        ck.eq(code, 0, "--once exit code (%s)" % err[-500:])
        daemon = Daemon(work, cfg)
        daemon.start()
        te.compare_years(ck, daemon, pg, "trading", YEARS, "initial")

        # The year boundary, by the SPEC's own example.
        body = te.series(daemon, "deals_count", "2021-01-01", "2022-12-31", "year", "439900",
                         "engineering")
        ck.eq([p["value"] for p in body["points"]], [1, 1], "EDGE1 in 2021, EDGE2 in 2022")
        body = te.series(daemon, "deal_amount", "2022-06-01", "2022-06-30", "month", "439900",
                         "land_mineral")
        ck.eq(body["points"], [{"start": "2022-06-01", "value": "29999999999999999.96"}],
              "sum beyond numeric(18,2)")

        # Monthly and cumulative series of a centre subtree.
        exp_m = te.expected(pg, "trading", "YYYY-MM")
        for cumulative in (False, True):
            body = te.series(daemon, "deal_amount", "2021-01-01", "2021-12-31", "month", "433100",
                             cumulative=cumulative)
            ck.eq(len(body["points"]), 12, "12 months")
            running = te.Decimal(0)
            for i, p in enumerate(body["points"]):
                month = "2021-%02d" % (i + 1)
                ck.eq(p["start"], month + "-01", "month start")
                v = exp_m.get(("433100", "*", month), {}).get("deal_amount", te.Decimal(0))
                running += v
                ck.eq(p["value"], te.fmt_amount(running if cumulative else v),
                      "deal_amount %s cumulative=%s" % (month, cumulative))
        # Every step over a range that starts and ends inside a month (steps
        # of months read whole months from the monthly totals and the ends
        # from the days): each period is the sum of its days.
        exp_d = te.expected(pg, "trading", "YYYY-MM-DD")
        frm, to = date(2021, 2, 17), date(2022, 5, 9)

        def trunc(d, step):
            return {"day": d, "week": d - timedelta(d.weekday()), "month": d.replace(day=1),
                    "quarter": date(d.year, 3 * ((d.month - 1) // 3) + 1, 1),
                    "year": date(d.year, 1, 1)}[step]
        for step in ("day", "week", "month", "quarter", "year"):
            for center, cat in (("*", "*"), ("433100", "*"), ("433100", "engineering")):
                want, d = {}, frm
                while d <= to:
                    start = max(trunc(d, step), frm).isoformat()
                    v = exp_d.get((center, cat, d.isoformat()), {}).get("deal_amount", te.Decimal(0))
                    want[start] = want.get(start, te.Decimal(0)) + v
                    d += timedelta(days=1)
                body = te.series(daemon, "deal_amount", frm.isoformat(), to.isoformat(), step,
                                 None if center == "*" else center, None if cat == "*" else cat)
                ck.eq({p["start"]: p["value"] for p in body["points"]},
                      {k: te.fmt_amount(v) for k, v in want.items()},
                      "deal_amount by %s from %s to %s, %s/%s" % (step, frm, to, center, cat))

        # A period that starts before `from` is reported from `from`.
        body = te.series(daemon, "deals_count", "2021-03-15", "2021-04-10", "month")
        ck.eq([p["start"] for p in body["points"]], ["2021-03-15", "2021-04-01"], "clamped start")

        # Phase 1: corrections, cancellations, late inserts, a centre moved
        # to another parent (the next poll stores the new hierarchy, although
        # polls skip storing an unchanged one): one poll suffices.
        pg.psql("trading", """
            UPDATE centers SET parent_code = '430100' WHERE center_code = '439900';
            UPDATE deals SET deal_amount = deal_amount + 0.01 WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE deal_id LIKE 'D%' ORDER BY deal_id LIMIT 50);
            UPDATE deals SET budget_amount = NULL WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE deal_id LIKE 'D%' ORDER BY deal_id DESC LIMIT 20);
            UPDATE deals SET status = 'cancelled' WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE status = 'awarded' AND deal_id LIKE 'D%'
                  ORDER BY md5(deal_id) LIMIT 20);
            INSERT INTO deals (deal_id, project_code, center_code, category, method,
                budget_amount, reserve_price, deal_amount, opened_at, deal_at,
                fully_electronic, remote_opening, status, service_fee)
            SELECT 'LATE' || g, 'PL', '433122', 'medical', 'listing', 1000.00 + g, NULL, 999.50 + g,
                   timestamptz '2021-03-01 09:00+08' + g * interval '1 day', 
                   timestamptz '2021-03-02 09:00+08' + g * interval '1 day',
                   g % 2 = 0, g % 3 = 0, 'awarded', 1.25
              FROM generate_series(1, 20) g;
        """)
        summary = daemon.refresh()
        ck.eq(summary["sources"][0]["ok"], True, "refresh ok")
        te.compare_years(ck, daemon, pg, "trading", YEARS, "after corrections")
        # The centre moves back: seen by a poll of a daemon that has stored
        # the hierarchy already (it stores it again only because it changed).
        pg.psql("trading", "UPDATE centers SET parent_code = '430000' WHERE center_code = '439900'")
        daemon.refresh()
        te.compare_years(ck, daemon, pg, "trading", YEARS, "after a centre moved back")

        # Phase 2: moves (also across the year boundary), hard deletes, and a
        # row whose transaction committed long after its updated_at.
        pg.psql("trading", """
            UPDATE deals SET deal_at = deal_at + interval '40 days' WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE deal_id LIKE 'D%' ORDER BY md5(deal_id || 'm') LIMIT 30);
            UPDATE deals SET deal_at = '2022-01-01 00:30+08' WHERE deal_id = 'EDGE1';
            UPDATE deals SET center_code = '430104' WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE center_code = '433101' ORDER BY deal_id LIMIT 10);
            DELETE FROM deals WHERE deal_id IN
                (SELECT deal_id FROM deals WHERE deal_id LIKE 'D%' ORDER BY md5(deal_id || 'd') LIMIT 25);
            ALTER TABLE deals DISABLE TRIGGER deals_touch;
            INSERT INTO deals (deal_id, project_code, center_code, category, method,
                budget_amount, reserve_price, deal_amount, opened_at, deal_at,
                fully_electronic, remote_opening, status, service_fee, updated_at)
            VALUES ('SLOW1', 'PS', '430102', 'other', 'listing', NULL, NULL, 77777.77, NULL,
                    '2022-02-02 10:00+08', true, false, 'awarded', 7.77, now() - interval '3 hours');
            ALTER TABLE deals ENABLE TRIGGER deals_touch;
        """)
        daemon.refresh()
        ck.true(te.mismatches(daemon, pg, "trading", YEARS) > 0,
                "moves and deletes are not all visible to a poll alone (else this test proves nothing)")
        # One poll and one reconciliation (the cron path, concurrently with
        # the running daemon on the same store).
        code, _, err = run_daemon(cfg_path, "--once")
        ck.eq(code, 0, "--once after moves (%s)" % err[-500:])
        te.compare_years(ck, daemon, pg, "trading", YEARS, "after reconciliation")

        # /metrics with --now in 2022: year-to-date per centre and category.
        ck.eq(daemon.stop(), 0, "SIGTERM exit code")
        daemon = Daemon(work, cfg, ["--now", "2022-07-01T00:00:00+08:00"])
        daemon.start()
        status, text = daemon.get("/metrics")
        ck.eq(status, 200, "/metrics status")
        exp = te.expected(pg, "trading")
        direct = {}
        for row in pg.rows("trading", """SELECT center_code, category, sum(deal_amount),
                count(*) FROM deals WHERE status = 'awarded'
                AND (deal_at AT TIME ZONE 'Asia/Shanghai')::date BETWEEN '2022-01-01' AND '2022-07-01'
                GROUP BY 1, 2"""):
            direct[(row[0], row[1])] = (row[2], row[3])
        seen = 0
        for line in text.splitlines():
            if line.startswith("ggzy_deal_amount_yuan{"):
                labels = dict(kv.split("=") for kv in line[line.index("{") + 1:line.index("}")].split(","))
                key = (labels["center"].strip('"'), labels["category"].strip('"'))
                ck.eq(line.rsplit(" ", 1)[1], direct.get(key, ("?",))[0], "/metrics deal_amount %s" % (key,))
                seen += 1
        ck.eq(seen, len(direct), "/metrics has every centre x category of 2022 to date")
        ck.true('ggzy_source_up{source="trading"} 1' in text, "source up in /metrics")
        ck.true("ggzy_e_bid_ratio{" in text, "derived rate in /metrics")
        # Prometheus' own linter on a scrape with data: names, types, help,
        # units as its naming guide asks (promtool from Debian's prometheus).
        promtool = shutil.which("promtool")
        ck.true(promtool or os.environ.get("CI") != "true", "promtool is required when CI=true")
        if promtool:
            res = subprocess.run([promtool, "check", "metrics"], input=text, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            ck.eq((res.returncode, res.stdout.strip()), (0, ""),
                  "promtool check metrics on a scrape with data")
        ck.eq(exp[("*", "*", "2022")]["deals_count"] > 0, True, "2022 has deals")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
