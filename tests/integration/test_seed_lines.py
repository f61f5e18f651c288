"""The lines of the published self-evaluations this product replaces, rebuilt
from generated source rows and printed by the report as the seeds print
them (issue 17):

  全年入场项目成交额200.55亿元
  工程、政府采购和医药采购类项目节约资金11.83亿元 (a filter over three categories)
  资源和国有资产类项目溢价1.59亿元 (two categories)
  工程建设项目全流程电子化率累计达87.5%，自9月起达100% (a part of the year)
  完成远程异地评标22项6.17亿元 (deals of the trading source joined with the
      expert source's remote evaluations on deal_id)
  征集入库评标专家196名 (the pool, a stock on the year's last day)
  沉淀保证金22.92万元…上缴国库 (deposits remitted)
  交易主体满意度 ≥85% against 82% on 5 points: 4.82 (a manual line scored)
  参评专家 (people counted once), 保证金在途余额 (deposits held on a day)

Then corrections in either source — a deal's amount corrected after its
remote evaluation, an evaluation turned remote and then cancelled, an expert
leaving the pool, a deposit remitted — each checked against an independent
computation (spec_metrics) after a poll, for the centre with its descendants
and for all centres; and the centre's other figures (outside the subtree,
outside the year, cancelled rows) must not leak in."""
import json
import os
import sys
import tempfile
import urllib.parse
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import Checker, Daemon, PgServer, config_text, free_port, run_daemon, source_sql
import spec_metrics as sm

CENTERS = """
INSERT INTO centers VALUES
    ('430000', '湖南省公共资源交易中心', NULL, 'province'),
    ('433100', '湘西州公共资源交易中心', '430000', 'city'),
    ('433101', '吉首市公共资源交易中心', '433100', 'county'),
    ('433122', '泸溪县公共资源交易中心', '433100', 'county'),
    ('430100', '长沙市公共资源交易中心', '430000', 'city');
"""
SUBTREE = ["433100", "433101", "433122"]

# Deals of 2021 in 湘西州 (433100 and its counties), built to the seeds'
# figures; then rows that must not count (another city, other years,
# cancelled).
DEALS = """
INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
                   reserve_price, deal_amount, opened_at, deal_at, fully_electronic,
                   remote_opening, status, service_fee)
VALUES
 -- engineering: 8 deals of 10亿 (savings 1亿 each); 3 of the 4 before
 -- September fully electronic, the 4 from September all: 87.5%, then 100%
 ('E1', 'p', '433100', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-02-10 10:00+08', true, false, 'awarded', 0),
 ('E2', 'p', '433101', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-04-10 10:00+08', false, false, 'awarded', 0),
 ('E3', 'p', '433122', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-06-10 10:00+08', true, false, 'awarded', 0),
 ('E4', 'p', '433100', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-08-31 23:30+08', true, false, 'awarded', 0),
 ('E5', 'p', '433100', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-09-01 00:20+08', true, false, 'awarded', 0),
 ('E6', 'p', '433101', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-10-10 10:00+08', true, false, 'awarded', 0),
 ('E7', 'p', '433122', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-11-10 10:00+08', true, false, 'awarded', 0),
 ('E8', 'p', '433100', 'engineering', 'open', 1100000000.00, NULL, 1000000000.00, NULL, '2021-12-31 23:30+08', true, false, 'awarded', 0),
 -- government procurement: 3 deals of 5亿 (savings 1亿 each); medical: 2亿 (0.83亿)
 ('G1', 'p', '433100', 'gov_procurement', 'open', 600000000.00, NULL, 500000000.00, NULL, '2021-03-03 10:00+08', true, false, 'awarded', 0),
 ('G2', 'p', '433101', 'gov_procurement', 'open', 600000000.00, NULL, 500000000.00, NULL, '2021-05-03 10:00+08', true, false, 'awarded', 0),
 ('G3', 'p', '433122', 'gov_procurement', 'open', 600000000.00, NULL, 500000000.00, NULL, '2021-07-03 10:00+08', true, false, 'awarded', 0),
 ('M1', 'p', '433100', 'medical', 'open', 283000000.00, NULL, 200000000.00, NULL, '2021-05-05 10:00+08', true, false, 'awarded', 0),
 -- land 10亿 over a 9亿 reserve, state property 3亿 over 2.41亿: premium 1.59亿
 ('L1', 'p', '433101', 'land_mineral', 'auction', NULL, 900000000.00, 1000000000.00, NULL, '2021-06-06 10:00+08', true, false, 'awarded', 0),
 ('S1', 'p', '433122', 'state_property', 'auction', NULL, 241000000.00, 300000000.00, NULL, '2021-09-09 10:00+08', true, false, 'awarded', 0),
 -- other: savings 5亿 and premium 1亿 the filters must leave out
 ('O1', 'p', '433100', 'other', 'open', 1200000000.00, 600000000.00, 700000000.00, NULL, '2021-04-04 10:00+08', true, false, 'awarded', 0),
 -- the rest of 200.55亿
 ('F1', 'p', '433100', 'other', 'open', NULL, NULL, 7738000000.00, NULL, '2021-07-07 10:00+08', true, false, 'awarded', 0),
 -- not counted: another city, another year, cancelled
 ('X1', 'p', '430100', 'engineering', 'open', 9000000000.00, NULL, 5000000000.00, NULL, '2021-07-07 10:00+08', false, false, 'awarded', 0),
 ('X2', 'p', '433100', 'engineering', 'open', 9000000000.00, NULL, 5000000000.00, NULL, '2022-01-01 00:10+08', false, false, 'awarded', 0),
 ('X3', 'p', '433100', 'engineering', 'open', 9000000000.00, NULL, 5000000000.00, NULL, '2020-12-31 23:50+08', false, false, 'awarded', 0),
 ('X4', 'p', '433100', 'engineering', 'open', 9000000000.00, NULL, 5000000000.00, NULL, '2021-07-07 10:00+08', false, false, 'cancelled', 0);
-- 22 deals remotely evaluated: 21 of 2800万 and one of 2900万, 6.17亿
INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                   fully_electronic, remote_opening, status, service_fee)
SELECT 'R' || g, 'p', (ARRAY['433100', '433101', '433122'])[1 + g % 3], 'other', 'open',
       CASE WHEN g = 22 THEN 29000000.00 ELSE 28000000.00 END,
       timestamptz '2021-01-05 10:00+08' + g * interval '15 days', true, true, 'awarded', 0
  FROM generate_series(1, 22) g;
"""
# Their evaluations, and evaluations that must not count.
EVALUATIONS = """
INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at, remote,
                         remote_scope, venue_role, status)
SELECT 'V' || g, 'R' || g, '433100', 'other', timestamptz '2021-01-04 10:00+08' + g * interval '15 days',
       true, CASE WHEN g % 4 = 0 THEN 'cross_province' ELSE 'intra_province' END, 'host', 'done'
  FROM generate_series(1, 22) g;
INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at, remote,
                         remote_scope, venue_role, status)
VALUES
 -- R1 evaluated twice remotely: counted once, cross_province
 ('V1b', 'R1', '433101', 'other', '2021-01-20 10:00+08', true, 'cross_province', 'guest', 'done'),
 -- a local evaluation, a cancelled remote one, a remote one of a cancelled deal
 ('N1', 'E1', '433100', 'engineering', '2021-02-09 10:00+08', false, NULL, NULL, 'done'),
 ('N2', 'E2', '433100', 'engineering', '2021-04-09 10:00+08', true, 'intra_province', 'host', 'cancelled'),
 ('N3', 'X4', '433100', 'engineering', '2021-07-06 10:00+08', true, 'intra_province', 'host', 'done');
-- experts drawn for them: 60 people, most more than once
INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at, attended,
                         fee_amount, fee_paid_online, rating, violation)
SELECT 'A' || g, 'V' || (1 + g % 22), 'X' || (1 + (g * 7) % 60),
       (ARRAY['433100', '433101', '433122', '430100'])[1 + g % 4],
       timestamptz '2021-01-03 10:00+08' + (g % 360) * interval '1 day', g % 9 <> 0,
       500.00, g % 3 <> 0, NULL, false
  FROM generate_series(1, 300) g;
"""
# The pool: 201 enrolled in 湘西州 by the end of 2021, 5 of them gone in
# 2021, one leaving in 2022 (still in at the year's end); 3 enrolled in
# 2022; 10 elsewhere.
EXPERTS = """
INSERT INTO experts (expert_id, center_code, enrolled_at, left_at)
SELECT 'X' || g, (ARRAY['433100', '433101', '433122'])[1 + g % 3],
       timestamptz '2019-01-01 09:00+08' + g * interval '3 days',
       CASE WHEN g <= 5 THEN timestamptz '2021-06-01 09:00+08' + g * interval '1 day'
            WHEN g = 6 THEN timestamptz '2022-01-05 09:00+08' END
  FROM generate_series(1, 201) g;
INSERT INTO experts (expert_id, center_code, enrolled_at)
SELECT 'Y' || g, '433100', timestamptz '2022-02-01 09:00+08' FROM generate_series(1, 3) g;
INSERT INTO experts (expert_id, center_code, enrolled_at)
SELECT 'Z' || g, '430100', timestamptz '2020-02-01 09:00+08' FROM generate_series(1, 10) g;
"""
# Deposits: 22.92万 remitted (and forfeited) in 2021, refunds, held ones.
DEPOSITS = """
INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind, amount,
                      received_at, refunded_at, refund_amount, status)
VALUES
 ('P1', 'E1', '433100', 'engineering', 'B1', 'cash', 100000.00, '2021-01-10 10:00+08', '2021-11-10 10:00+08', 100000.00, 'remitted'),
 ('P2', 'E2', '433101', 'engineering', 'B2', 'cash', 100000.00, '2021-02-10 10:00+08', '2021-12-31 23:40+08', 100000.00, 'remitted'),
 ('P3', 'E3', '433122', 'engineering', 'B3', 'cash', 29200.00, '2021-03-10 10:00+08', '2021-08-10 10:00+08', 29200.00, 'forfeited'),
 ('P4', 'E4', '433100', 'engineering', 'B4', 'cash', 50000.00, '2021-03-10 10:00+08', '2021-04-10 10:00+08', 50000.00, 'refunded'),
 ('P5', 'E5', '433100', 'engineering', 'B5', 'e_guarantee', 70000.00, '2021-09-10 10:00+08', NULL, NULL, 'held'),
 ('P6', 'E6', '433101', 'engineering', 'B5', 'cash', 80000.00, '2021-10-10 10:00+08', '2022-01-10 10:00+08', 80000.00, 'refunded'),
 ('P7', 'E7', '433100', 'engineering', 'B6', 'cash', 90000.00, '2021-12-01 10:00+08', '2022-02-01 10:00+08', 90000.00, 'remitted'),
 ('P8', 'X1', '430100', 'engineering', 'B7', 'cash', 99999.99, '2021-05-01 10:00+08', '2021-07-01 10:00+08', 99999.99, 'remitted');
"""

TARGETS = {"years": [{"year": 2021, "center": "433100", "indicators": [
    {"metric": "deal_amount", "name": "入场项目成交额", "level1": "产出指标", "level2": "数量指标",
     "target": "20000000000.00", "weight": 20, "display_unit": "亿元"},
    {"metric": "savings_amount", "name": "工程、政府采购和医药采购类项目节约资金", "level1": "效益指标",
     "level2": "经济效益指标", "filter": {"category": ["engineering", "gov_procurement", "medical"]},
     "target": "1000000000.00", "weight": 10, "display_unit": "亿元"},
    {"metric": "premium_amount", "name": "资源和国有资产类项目溢价", "level1": "效益指标",
     "level2": "经济效益指标", "filter": {"category": ["land_mineral", "state_property"]},
     "target": "100000000.00", "weight": 10, "display_unit": "亿元"},
    {"metric": "e_bid_rate", "name": "工程建设项目全流程电子化率", "level1": "产出指标", "level2": "质量指标",
     "filter": {"category": "engineering"}, "target": "0.85", "weight": 10},
    {"metric": "e_bid_rate", "name": "工程建设项目全流程电子化率（自9月起）", "level1": "产出指标",
     "level2": "质量指标", "filter": {"category": "engineering"}, "period": {"from": "09-01"},
     "target": "1.0", "weight": 10},
    {"metric": "remote_evaluated_deals_count", "name": "远程异地评标项目", "level1": "产出指标",
     "level2": "数量指标", "target": 20, "weight": 5, "display_unit": "项"},
    {"metric": "remote_evaluated_deal_amount", "name": "远程异地评标项目成交额", "level1": "产出指标",
     "level2": "数量指标", "target": "500000000.00", "weight": 5, "display_unit": "亿元"},
    {"metric": "expert_pool_count", "name": "征集入库评标专家", "level1": "产出指标", "level2": "数量指标",
     "target": 180, "weight": 5, "display_unit": "名"},
    {"metric": "remitted_amount", "name": "沉淀保证金上缴国库", "level1": "产出指标", "level2": "数量指标",
     "target": "200000.00", "weight": 5, "display_unit": "万元"},
    {"metric": "experts_participating_count", "name": "参评专家", "level1": "产出指标",
     "level2": "数量指标", "target": 50, "weight": 5, "display_unit": "名"},
    {"metric": "deposit_held_amount", "name": "保证金在途余额", "level1": "产出指标", "level2": "数量指标",
     "target": "1000000.00", "direction": "lower", "weight": 5, "display_unit": "万元"},
    {"name": "交易主体满意度", "level1": "满意度指标", "level2": "服务对象满意度指标", "weight": 5,
     "manual": {"target": "≥85%", "actual": "82%"}}]}]}

SEED_LINES = {"入场项目成交额": "200.55亿元",
              "工程、政府采购和医药采购类项目节约资金": "11.83亿元",
              "资源和国有资产类项目溢价": "1.59亿元",
              "工程建设项目全流程电子化率": "87.5%",
              "工程建设项目全流程电子化率（自9月起）": "100%",
              "远程异地评标项目": "22项",
              "远程异地评标项目成交额": "6.17亿元",
              "征集入库评标专家": "196名",
              "沉淀保证金上缴国库": "22.92万元"}


class Sources:
    def __init__(self, pg):
        self.pg = pg

    def rows(self, db, sql):
        return self.pg.rows(db, sql)


def series_year(daemon, metric, center, flt=None):
    q = {"metric": metric, "from": "2021-01-01", "to": "2021-12-31", "step": "year"}
    if center:
        q["center"] = center
    q.update({k: ",".join(v) if isinstance(v, list) else v for k, v in (flt or {}).items()})
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    return body["points"][0]["value"] if status == 200 and body["points"] else (status, body)


def want(src, metric, centers, flt=None):
    kind = sm.KINDS[metric]
    v = sm.value(src.rows, metric, "2021-01-01", "2021-12-31", centers, flt)
    return int(v) if kind == "count" else str(v.quantize(Decimal("0.01")))


def check_new_metrics(ck, daemon, src, what):
    """Every metric of issue 17 for 湘西州 with its counties and for all
    centres, in 2021, against spec_metrics."""
    for metric in sm.KINDS:
        for root, centers in (("433100", SUBTREE), (None, None)):
            ck.eq(series_year(daemon, metric, root), want(src, metric, centers),
                  "%s: %s %s" % (what, metric, root or "all"))
    for metric in ("remote_evaluated_deals_count", "remote_evaluated_deal_amount"):
        for scope in ("intra_province", "cross_province"):
            ck.eq(series_year(daemon, metric, "433100", {"scope": scope}),
                  want(src, metric, SUBTREE, {"scope": scope}), "%s: %s scope=%s" % (what, metric, scope))


def main():
    ck = Checker("test_seed_lines")
    pg = PgServer("seeds")
    work = work_dir("seeds")
    daemon = None
    try:
        for db, contract in (("trading", "trading.sql"), ("expert", "expert.sql"), ("deposit", "deposit.sql")):
            pg.createdb(db)
            pg.psql(db, source_sql(contract))
        pg.psql("expert", source_sql("expert_pool.sql"))
        pg.psql("trading", CENTERS + DEALS)
        pg.psql("expert", EVALUATIONS + EXPERTS)
        pg.psql("deposit", DEPOSITS)
        pg.createdb("store")
        src = Sources(pg)
        targets = os.path.join(work, "targets.json")
        with open(targets, "w") as f:
            json.dump(TARGETS, f, ensure_ascii=False, indent=1)
        port = free_port()
        opts = {s: {"interval": "1h", "reconcile_interval": "1h"} for s in ("trading", "expert", "deposit")}
        cfg = config_text(port, pg.conninfo("store"),
                          {s: pg.conninfo(s) for s in ("trading", "expert", "deposit")},
                          extra_daemon="targets = %s\n" % targets, source_opts=opts)
        daemon = Daemon(work, cfg, ["--now", "2022-03-01T10:00:00"])
        daemon.start()

        status, report = daemon.get("/api/v1/report?year=2021&center=433100")
        ck.eq(status, 200, "report")
        lines = {i["name"]: i for i in report["indicators"]}
        for name, text in SEED_LINES.items():
            ck.eq(lines[name]["display"], text, "the seeds' line %s" % name)
        sat = lines["交易主体满意度"]
        ck.eq(sat["score"], 4.82, "≥85%% against 82%% on 5 points scores 4.82: %s" % sat)
        ck.eq(lines["工程、政府采购和医药采购类项目节约资金"]["filter"],
              {"category": ["engineering", "gov_procurement", "medical"]}, "a filter over a union")
        ck.eq(lines["工程建设项目全流程电子化率（自9月起）"]["period"], {"from": "2021-09-01", "to": "2021-12-31"},
              "the part of the year")
        ck.eq(lines["参评专家"]["actual"], want(src, "experts_participating_count", SUBTREE), "参评专家")
        ck.eq(lines["保证金在途余额"]["actual"], want(src, "deposit_held_amount", SUBTREE), "保证金在途余额")
        status, md = daemon.get("/api/v1/report?year=2021&center=433100&format=md")
        for name, text in SEED_LINES.items():
            ck.true("| %s |" % name in md and text in md, "the Markdown prints %s %s" % (name, text))
        ck.true("4.82" in md, "and the manual line's 4.82")
        # The series API over the same unions, as a list or in Chinese.
        ck.eq(series_year(daemon, "savings_amount", "433100",
                          {"category": ["engineering", "gov_procurement", "medical"]}), "1183000000.00",
              "series over a union of categories")
        ck.eq(series_year(daemon, "premium_amount", "433100", {"category": "土地使用权和矿业权,国有产权"}),
              "159000000.00", "a union named in Chinese")
        check_new_metrics(ck, daemon, src, "loaded")

        # Corrections in either source, each seen by the next poll.
        pg.psql("trading", "UPDATE deals SET deal_amount = deal_amount + 1000000.05 WHERE deal_id = 'R3'")
        pg.psql("expert", "UPDATE evaluations SET remote = true, remote_scope = 'cross_province', "
                          "venue_role = 'host' WHERE evaluation_id = 'N1'")
        pg.psql("expert", "UPDATE experts SET left_at = '2021-10-01 10:00+08' WHERE expert_id = 'X100'")
        pg.psql("deposit", "UPDATE deposits SET refunded_at = '2021-12-20 10:00+08', refund_amount = 70000.00, "
                           "status = 'remitted' WHERE deposit_id = 'P5'")
        daemon.refresh()
        check_new_metrics(ck, daemon, src, "after corrections")
        ck.eq(series_year(daemon, "remote_evaluated_deals_count", "433100"), 23, "E1 turned remote counts")
        ck.eq(series_year(daemon, "expert_pool_count", "433100"), 195, "X100 left the pool")
        ck.eq(series_year(daemon, "remitted_amount", "433100"), "299200.00", "P5 remitted")
        pg.psql("expert", "UPDATE evaluations SET status = 'cancelled' WHERE evaluation_id = 'N1'")
        pg.psql("trading", "UPDATE deals SET status = 'cancelled' WHERE deal_id = 'R5'")
        pg.psql("expert", "DELETE FROM evaluations WHERE evaluation_id = 'V7'")
        daemon.refresh()
        # A row deleted outright is found by the reconciliation (--once
        # runs one of every source), not by a poll.
        ck.eq(daemon.stop(), 0, "clean exit")
        code, _, err = run_daemon(daemon.config, "--once", "--now", "2022-03-01T10:00:00")
        ck.eq(code, 0, "--once: %s" % err[-300:])
        daemon = Daemon(work, cfg, ["--now", "2022-03-01T10:00:00"])
        daemon.start()
        check_new_metrics(ck, daemon, src, "after cancellations and a deletion")
        ck.eq(series_year(daemon, "remote_evaluated_deals_count", "433100"), 20,
              "N1 cancelled, R5 cancelled, V7 gone")
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
