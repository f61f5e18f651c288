"""The year-end report against an independent computation: every figure from
SQL over the sources (the centre with its descendants, days in the centre's
zone, the same period of the previous year), every score, completion, grade
and display string from SPEC §6 in Python's Decimal, for a closed year and for
the current year to date (--now); a year without targets; the CSV (BOM,
quoting, the form's columns) and Markdown feeds; the `report` command giving
the same bytes as HTTP; --check and SIGHUP on the targets file; bad requests."""
import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request
from decimal import Decimal, ROUND_HALF_UP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, hold_lock, release_lock,
                     run_daemon, source_sql, wait_until, SOURCE_DIR)
import sources_expect as se
import spec_metrics as sm

TZ = "Asia/Shanghai"
NOW = "2022-06-15T10:00:00"  # 2022 is the current year, 2021 closed
# metric: (database, table, event time, rows, value, label columns)
BASE = {
    "deals_count": ("trading", "deals", "deal_at", "status = 'awarded'", "count(*)", {"category": "category"}),
    "deal_amount": ("trading", "deals", "deal_at", "status = 'awarded'", "sum(deal_amount)", {"category": "category"}),
    "budget_amount": ("trading", "deals", "deal_at", "status = 'awarded' AND budget_amount IS NOT NULL",
                      "sum(budget_amount)", {"category": "category"}),
    "savings_amount": ("trading", "deals", "deal_at", "status = 'awarded' AND budget_amount IS NOT NULL",
                       "sum(budget_amount - deal_amount)", {"category": "category"}),
    "reserve_amount": ("trading", "deals", "deal_at", "status = 'awarded' AND reserve_price IS NOT NULL",
                       "sum(reserve_price)", {"category": "category"}),
    "premium_amount": ("trading", "deals", "deal_at", "status = 'awarded' AND reserve_price IS NOT NULL",
                       "sum(deal_amount - reserve_price)", {"category": "category"}),
    "fully_electronic_count": ("trading", "deals", "deal_at", "status = 'awarded' AND fully_electronic",
                               "count(*)", {"category": "category"}),
    "opened_count": ("trading", "deals", "deal_at", "status = 'awarded' AND opened_at IS NOT NULL", "count(*)",
                     {"category": "category"}),
    "remote_opening_count": ("trading", "deals", "deal_at",
                             "status = 'awarded' AND opened_at IS NOT NULL AND remote_opening", "count(*)",
                             {"category": "category"}),
    "service_fee_amount": ("trading", "deals", "deal_at", "status = 'awarded'", "sum(service_fee)",
                           {"category": "category"}),
    "cancelled_count": ("trading", "deals", "deal_at", "status = 'cancelled'", "count(*)", {"category": "category"}),
    "evaluations_count": ("expert", "evaluations", "started_at", "status = 'done'", "count(*)",
                          {"category": "category"}),
    "remote_evaluations_count": ("expert", "evaluations", "started_at", "status = 'done' AND remote", "count(*)",
                                 {"category": "category", "scope": "remote_scope", "role": "venue_role"}),
    "expert_draws_count": ("expert", "assignments", "drawn_at", "true", "count(*)", {}),
    "expert_attended_count": ("expert", "assignments", "drawn_at", "attended", "count(*)", {}),
    "expert_fee_amount": ("expert", "assignments", "drawn_at", "true", "sum(fee_amount)", {}),
    "expert_fee_online_amount": ("expert", "assignments", "drawn_at", "fee_paid_online", "sum(fee_amount)", {}),
    "expert_reviews_count": ("expert", "assignments", "drawn_at", "rating IS NOT NULL", "count(*)", {}),
    "expert_violations_count": ("expert", "assignments", "drawn_at", "violation", "count(*)", {}),
    "deposits_count": ("deposit", "deposits", "received_at", "true", "count(*)", {"category": "category", "kind": "kind"}),
    "deposit_amount": ("deposit", "deposits", "received_at", "true", "sum(amount)",
                       {"category": "category", "kind": "kind"}),
    "refunds_count": ("deposit",) + sm.DEPOSIT_SUMS["refunds_count"][:5],
    "refund_amount": ("deposit",) + sm.DEPOSIT_SUMS["refund_amount"][:5],
    "remitted_count": ("deposit",) + sm.DEPOSIT_SUMS["remitted_count"][:5],
    "remitted_amount": ("deposit",) + sm.DEPOSIT_SUMS["remitted_amount"][:5],
    "liquidity_released_amount": ("deposit", "deposits", "received_at", "kind <> 'cash'", "sum(amount)",
                                  {"category": "category", "kind": "kind"}),
}
RATES = {"savings_rate": ("savings_amount", "budget_amount"),
         "premium_rate": ("premium_amount", "reserve_amount"),
         "e_bid_rate": ("fully_electronic_count", "deals_count"),
         "remote_opening_rate": ("remote_opening_count", "opened_count"),
         "remote_evaluation_rate": ("remote_evaluations_count", "evaluations_count"),
         "expert_attendance_rate": ("expert_attended_count", "expert_draws_count"),
         "expert_fee_online_rate": ("expert_fee_online_amount", "expert_fee_amount")}
UNITS = {"元": Decimal(1), "万元": Decimal(10000), "亿元": Decimal(100000000), "%": Decimal("0.01"),
         "宗": Decimal(1), "次": Decimal(1), "人次": Decimal(1), "笔": Decimal(1), "名": Decimal(1),
         "项": Decimal(1)}
Q2 = Decimal("0.01")
Q6 = Decimal("0.000001")


def default_unit(metric, unit):
    """A metric's display unit when the targets name none: money as the
    reports write it, 亿元 from one 亿 up, else 万元 ("auto")."""
    return "%" if metric in RATES else "auto" if unit == "元" else unit


def half_up(d, q=Q2):
    return d.quantize(q, rounding=ROUND_HALF_UP)


class Figures:
    """Sums over the sources for a period, a centre subtree and a filter."""

    def __init__(self, pg, subtree, fixed=False):
        """fixed: the sources do not change from here on, so each base
        metric is read once per day, centre and label set and summed here
        (one psql per metric instead of one per figure)."""
        self.pg = pg
        self.subtree = subtree
        self.days = {} if fixed else None

    def base(self, metric, center, frm, to, flt):
        if self.days is not None:
            return self.base_fixed(metric, center, frm, to, flt)
        db, table, at, rows, val, labels = BASE[metric]
        cond = [rows, "(%s AT TIME ZONE '%s')::date BETWEEN '%s' AND '%s'" % (at, TZ, frm, to)]
        if center:
            cond.append("center_code IN (%s)" % ",".join("'%s'" % c for c in self.subtree[center]))
        for k, v in (flt or {}).items():  # a list is the union of its values
            cond.append("%s IN (%s)" % (labels[k], ",".join("'%s'" % x for x in
                                                           (v if isinstance(v, list) else [v]))))
        sql = "SELECT coalesce(%s, 0) FROM %s WHERE %s" % (val, table, " AND ".join(cond))
        return Decimal(self.pg.rows(db, sql)[0][0])

    def base_fixed(self, metric, center, frm, to, flt):
        db, table, at, rows, val, labels = BASE[metric]
        if metric not in self.days:
            cols = sorted(labels)
            sql = "SELECT to_char((%s AT TIME ZONE '%s')::date, 'YYYY-MM-DD'), center_code%s, %s FROM %s " \
                  "WHERE %s GROUP BY %s" % (at, TZ, "".join(", " + labels[k] for k in cols), val, table, rows,
                                            ", ".join(str(i) for i in range(1, len(cols) + 3)))
            self.days[metric] = [(r[0], r[1], dict(zip(cols, r[2:-1])), Decimal(r[-1] or 0))
                                 for r in self.pg.rows(db, sql)]
        centers = set(self.subtree[center]) if center else None
        want = {k: set(v if isinstance(v, list) else [v]) for k, v in (flt or {}).items()}
        return sum((v for day, c, lab, v in self.days[metric]
                    if frm <= day <= to and (centers is None or c in centers)
                    and all(lab.get(k) in vals for k, vals in want.items())), Decimal(0))

    def value(self, metric, center, frm, to, flt=None):
        """(numerator, denominator): den 1 for sums, None for a rate over nothing."""
        if metric in sm.KINDS:
            return sm.value(self.pg.rows, metric, frm, to, self.subtree[center] if center else None,
                            flt), Decimal(1)
        if metric in RATES:
            num, den = RATES[metric]
            d = self.base(den, center, frm, to, flt)
            return (self.base(num, center, frm, to, flt), d) if d else None
        return self.base(metric, center, frm, to, flt), Decimal(1)


def display(frac, unit):
    if frac is None:
        return "—"
    if unit == "auto":
        unit = "亿元" if abs(half_up(frac[0] / frac[1], Decimal(1))) >= UNITS["亿元"] else "万元"
    v = half_up(frac[0] / frac[1] / UNITS[unit]) if unit != "%" else half_up(frac[0] * 100 / frac[1])
    text = format(v, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return ("0" if text == "-0" else text) + unit


def score(ind, actual, rule):
    """SPEC §6, written from the spec."""
    w = Decimal(str(ind["weight"]))
    t = Decimal(str(ind["target"]))
    if actual is None:
        return Decimal("0.00")
    a = actual[0] / actual[1]
    if ind.get("direction", "higher") == "higher":
        s = w if a >= t else (w * actual[0] / (actual[1] * t) if t else Decimal(0))
    elif a <= t:
        s = w
    elif rule == "linear":
        s = Decimal(0) if t <= 0 or a >= 2 * t else w * (2 * t * actual[1] - actual[0]) / (t * actual[1])
    else:
        s = w * t * actual[1] / actual[0]
    return half_up(min(max(s, Decimal(0)), w))


def grade(total, bands):
    for name in ("优", "良", "中"):
        if total >= Decimal(str(bands[name])):
            return name
    return "差"


def json_figure(metric, frac):
    """A figure as the API writes it (SPEC §7), for comparison."""
    if frac is None:
        return None
    if metric in RATES:
        return float(half_up(frac[0] / frac[1], Q6))
    if "amount" in metric:
        return format(half_up(frac[0]), "f")
    return int(frac[0])


def yoy(cur, prev):
    if cur is None or prev is None or prev[0] == 0:
        return None
    return float(half_up((cur[0] * prev[1] - prev[0] * cur[1]) / (cur[1] * prev[0]), Q6))


def get_bytes(daemon, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (daemon.port, path), timeout=60) as r:
        ctype = r.headers.get("Content-Type", "")
        disposition = r.headers.get("Content-Disposition")
        return r.status, ctype + ("" if disposition is None else "|" + disposition), r.read()


def load(pg, db, contract, data, rows):
    pg.createdb(db)
    pg.psql(db, source_sql(contract))
    with open(os.path.join(SOURCE_DIR, "deploy", "demo", data)) as f:
        pg.psql(db, "\\set rows %d\n" % rows + f.read())


def check_report(ck, daemon, fig, year, center, targets_entry, periods, what):
    """Compares one report with the independent computation."""
    q = "/api/v1/report?year=%d%s" % (year, "&center=" + center if center else "")
    status, body = daemon.get(q)
    ck.eq(status, 200, "%s: status" % what)
    if status != 200:
        print(body)
        return None
    (frm, to), (pfrm, pto) = periods
    ck.eq((body["period"]["from"], body["period"]["to"]), (frm, to), "%s: period" % what)
    ck.eq((body["previous_period"]["from"], body["previous_period"]["to"]), (pfrm, pto),
          "%s: previous period" % what)
    ck.eq(body["year"], year, "%s: year" % what)
    ck.eq(body["center"], center, "%s: center" % what)
    ck.true(body["as_of"] and body["as_of"].endswith("+08:00"), "%s: as_of %r" % (what, body["as_of"]))
    if targets_entry is None:
        names = [m["name"] for m in daemon.get("/api/v1/metrics")[1]["metrics"]]
        ck.eq([i["metric"] for i in body["indicators"]], names, "%s: every catalogue metric" % what)
        for ind in body["indicators"]:
            m = ind["metric"]
            if m == "expert_pool_count":  # the sources here have no experts relation
                ck.true(ind["unavailable"] and ind["actual"] is None and ind["display"] == "不可用",
                        "%s: %s unavailable, not 0: %s" % (what, m, ind))
                continue
            ck.eq(ind["unavailable"], None, "%s: %s available" % (what, m))
            cur = fig.value(m, center, frm, to)
            prev = fig.value(m, center, pfrm, pto)
            ck.eq(ind["actual"], json_figure(m, cur), "%s: %s actual" % (what, m))
            ck.eq(ind["previous_year"], json_figure(m, prev), "%s: %s previous year" % (what, m))
            ck.eq(ind["yoy"], yoy(cur, prev), "%s: %s yoy" % (what, m))
            unit = default_unit(m, ind["unit"])
            ck.eq(ind["display"], display(cur, unit), "%s: %s display" % (what, m))
            ck.eq((ind["target"], ind["score"], ind["weight"]), (None, None, None), "%s: %s unscored" % (what, m))
        ck.eq((body["total_score"], body["grade"]), (None, None), "%s: no total without targets" % what)
        return body

    scoring = targets_entry.get("scoring", {})
    rule = scoring.get("lower", "ratio")
    bands = scoring.get("grades", {"优": 90, "良": 80, "中": 60})
    total = Decimal(0)
    ck.eq(len(body["indicators"]), len(targets_entry["indicators"]), "%s: indicator count" % what)
    for ind, want in zip(body["indicators"], targets_entry["indicators"]):
        name = want["name"]
        ck.eq(ind["name"], name, "%s: order" % what)
        ck.eq((ind["level1"], ind["level2"]), (want.get("level1", ""), want.get("level2", "")),
              "%s: %s levels" % (what, name))
        w = Decimal(str(want["weight"]))
        ck.eq(Decimal(str(ind["weight"])), w, "%s: %s weight" % (what, name))
        if "manual" in want:
            man = want["manual"]
            if "budget" in man:
                s = half_up(min(w, w * Decimal(man["executed"]) / Decimal(man["budget"])))
                ck.eq(ind["display"], display((Decimal(man["executed"]), Decimal(man["budget"])), "%"),
                      "%s: %s display" % (what, name))
            else:
                s = half_up(Decimal(str(man["score"])))
                ck.eq((ind["target"], ind["actual"]), (man["target"], man["actual"]),
                      "%s: %s manual texts" % (what, name))
            ck.eq(Decimal(str(ind["score"])), s, "%s: %s score" % (what, name))
            total += s
            continue
        m = want["metric"]
        flt = want.get("filter")
        cur = fig.value(m, center, frm, to, flt)
        prev = fig.value(m, center, pfrm, pto, flt)
        unit = want.get("display_unit") or default_unit(m, ind["unit"])
        s = score(want, cur, rule)
        total += s
        ck.eq(ind["metric"], m, "%s: %s metric" % (what, name))
        ck.eq(ind["filter"], flt or {}, "%s: %s filter" % (what, name))
        ck.eq(ind["actual"], json_figure(m, cur), "%s: %s actual" % (what, name))
        ck.eq(ind["previous_year"], json_figure(m, prev), "%s: %s previous year" % (what, name))
        ck.eq(ind["yoy"], yoy(cur, prev), "%s: %s yoy" % (what, name))
        ck.eq(Decimal(str(ind["score"])), s, "%s: %s score" % (what, name))
        ck.eq(ind["display"], display(cur, unit), "%s: %s display" % (what, name))
        t = Decimal(str(want["target"]))
        completion = None if t == 0 or cur is None else float(half_up(cur[0] / (cur[1] * t), Q6))
        ck.eq(ind["completion"], completion, "%s: %s completion" % (what, name))
        sign = "≥" if want.get("direction", "higher") == "higher" else "≤"
        ck.eq(ind["target_display"], sign + display((t, Decimal(1)), unit), "%s: %s target display" % (what, name))
    total = half_up(total)
    ck.eq(Decimal(str(body["total_score"])), total, "%s: total score" % what)
    ck.eq(body["grade"], grade(total, bands), "%s: grade" % what)
    return body


def main():
    ck = Checker("test_report")
    pg = PgServer("report")
    work = work_dir("report")
    daemon = None
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 3000)
        load(pg, "deposit", "deposit.sql", "deposit_data.sql", 3000)
        load(pg, "expert", "expert.sql", "expert_data.sql", 1500)
        pg.createdb("store")
        subtrees = se.subtrees(pg, "trading", "centers")
        fig = Figures(pg, subtrees)

        # Targets derived from the data so that every branch is taken: met,
        # missed, a ceiling exceeded, a target of 0, manual and budget lines.
        y21 = ("2021-01-01", "2021-12-31")
        amount21 = fig.value("deal_amount", "433100", *y21)[0]
        deals21 = fig.value("deals_count", "433100", *y21)[0]
        fee21 = fig.value("expert_fee_amount", "433100", *y21)[0]
        liq21 = fig.value("liquidity_released_amount", "433100", *y21)[0]
        eg21 = fig.value("deposits_count", "433100", *y21, {"kind": "e_guarantee"})[0]
        entry21 = {"year": 2021, "center": "433100", "indicators": [
            {"metric": "deal_amount", "name": "入场项目成交额", "level1": "产出指标", "level2": "数量指标",
             "target": format(half_up(amount21 * Decimal("1.2")), "f"), "direction": "higher", "weight": 20,
             "display_unit": "亿元"},
            {"metric": "deals_count", "name": "入场项目成交宗数", "level1": "产出指标", "level2": "数量指标",
             "target": int(deals21) - 10, "weight": 10, "display_unit": "宗"},
            {"metric": "e_bid_rate", "name": "工程建设项目全流程电子化率", "level1": "产出指标", "level2": "质量指标",
             "filter": {"category": "engineering"}, "target": "1.0", "weight": 10},
            {"metric": "remote_opening_rate", "name": "不见面开标率", "level1": "产出指标", "level2": "质量指标",
             "target": 0.5, "weight": 5},
            {"metric": "savings_rate", "name": "节约资金率", "level1": "效益指标", "level2": "经济效益指标",
             "target": "0.2", "weight": 5},
            {"metric": "expert_fee_amount", "name": "专家评审费支出", "level1": "成本指标", "level2": "经济成本指标",
             "target": format(half_up(fee21 * Decimal("0.8")), "f"), "direction": "lower", "weight": 10,
             "display_unit": "万元"},
            {"metric": "remote_evaluations_count", "name": "跨省远程异地评标（主场）", "level1": "产出指标",
             "level2": "数量指标", "filter": {"scope": "cross_province", "role": "host"}, "target": 0,
             "weight": 5, "display_unit": "次"},
            {"metric": "liquidity_released_amount", "name": "释放企业流动资金", "level1": "效益指标",
             "level2": "社会效益指标", "target": format(half_up(liq21 / 2), "f"), "weight": 10,
             "display_unit": "亿元"},
            {"metric": "deposits_count", "name": "电子保函笔数", "level1": "产出指标", "level2": "数量指标",
             "filter": {"kind": "e_guarantee"}, "target": int(eg21) * 2, "direction": "lower", "weight": 5,
             "display_unit": "笔"},
            {"name": '社会公众满意度, "问卷"', "level1": "满意度指标", "level2": "服务对象满意度指标", "weight": 10,
             "manual": {"target": "≥90%", "actual": "92%, 第三方调查", "score": 9.5}},
            {"name": "预算执行率", "level1": "预算执行", "weight": 10, "manual": {"budget": "21", "executed": "7.3"}},
        ]}
        fee22 = fig.value("expert_fee_amount", None, "2022-01-01", "2022-06-15")[0]
        entry22 = {"year": 2022, "scoring": {"lower": "linear", "grades": {"优": 95, "良": 85, "中": 70}},
                   "indicators": [
            {"metric": "deal_amount", "name": "成交额", "target": "100000000000.00", "weight": 30,
             "display_unit": "亿元"},
            {"metric": "expert_fee_amount", "name": "专家费", "target": format(half_up(fee22 * Decimal("0.9")), "f"),
             "direction": "lower", "weight": 20, "display_unit": "万元"},
            {"metric": "premium_rate", "name": "溢价率", "target": "0", "weight": 10},
            {"metric": "refund_amount", "name": "退还保证金", "target": "1.00", "weight": 10, "display_unit": "元"},
            {"metric": "cancelled_count", "name": "流标废标", "target": 1, "direction": "lower", "weight": 10,
             "display_unit": "宗"},
        ]}
        targets = {"years": [entry21, entry22]}
        targets_path = os.path.join(work, "targets.json")
        with open(targets_path, "w") as f:
            json.dump(targets, f, ensure_ascii=False, indent=1)

        port = free_port()
        cfg = config_text(port, pg.conninfo("store"),
                          {s: pg.conninfo(s) for s in ("trading", "deposit", "expert")},
                          extra_daemon="targets = %s\n" % targets_path)
        daemon = Daemon(work, cfg, args=["--now", NOW])
        code, out, err = run_daemon(daemon.config, "--check")
        ck.eq((code, err), (0, ""), "--check accepts the configuration and targets")
        daemon.start()

        closed = (y21, ("2020-01-01", "2020-12-31"))
        ytd = (("2022-01-01", "2022-06-15"), ("2021-01-01", "2021-06-15"))
        check_report(ck, daemon, fig, 2021, "433100", entry21, closed, "2021 433100")
        check_report(ck, daemon, fig, 2022, None, entry22, ytd, "2022 all centres, year to date")
        check_report(ck, daemon, fig, 2022, "430100", None, ytd, "2022 430100 without targets")
        check_report(ck, daemon, fig, 2021, "433101", None, closed, "2021 433101 (a leaf) without targets")

        # The forms' own cases appear as such.
        body = daemon.get("/api/v1/report?year=2021&center=433100")[1]
        by_name = {i["name"]: i for i in body["indicators"]}
        ck.eq(by_name["预算执行率"]["score"], 3.48, "budget execution 10 x 7.3 / 21")
        ck.eq(by_name["预算执行率"]["display"], "34.76%", "budget execution display")
        ck.eq(by_name["跨省远程异地评标（主场）"]["completion"], None, "completion with a target of 0")
        ck.eq(by_name["入场项目成交宗数"]["score"], 10, "a met target scores its weight")
        ck.true(by_name["专家评审费支出"]["score"] < 10, "a ceiling exceeded scores less")
        ck.true(by_name["入场项目成交额"]["display"].endswith("亿元"), "亿元 display")

        # CSV: BOM, the form's columns, RFC 4180 quoting, CRLF; same rows as JSON.
        status, ctype, raw = get_bytes(daemon, "/api/v1/report?year=2021&center=433100&format=csv")
        ck.eq(status, 200, "csv status")
        ck.eq(ctype, 'text/csv; charset=utf-8|attachment; filename="ggzy-report-2021-433100.csv"',
              "csv content type and download name")
        ck.true(raw.startswith(b"\xef\xbb\xbf"), "csv starts with a UTF-8 BOM")
        ck.true(b"\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n"), "csv lines end in CRLF")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
        ck.eq(rows[0], ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
                        "偏差原因分析及改进措施"], "csv header")
        for row, ind in zip(rows[1:], body["indicators"]):
            ck.eq(row, [ind["level1"], ind["level2"], ind["name"], ind["target_display"], ind["display"],
                        format(Decimal(str(ind["weight"])).normalize(), "f"), "%.2f" % ind["score"], ""],
                  "csv row %s" % ind["name"])
        ck.true(b'"\xe7\xa4\xbe\xe4\xbc\x9a\xe5\x85\xac\xe4\xbc\x97\xe6\xbb\xa1\xe6\x84\x8f\xe5\xba\xa6, ""' in raw,
                "a name with a comma and quotes is quoted with doubled quotes")
        n = len(body["indicators"])
        ck.eq(rows[n + 1][:1] + rows[n + 1][5:7], ["合计", "100", "%.2f" % body["total_score"]], "csv total row")
        ck.eq(rows[n + 2][0:1] + rows[n + 2][4:5], ["自评等级", body["grade"]], "csv grade row")

        # Markdown: a table with every indicator, pipes escaped.
        status, ctype, raw = get_bytes(daemon, "/api/v1/report?year=2021&center=433100&format=md")
        ck.eq((status, ctype), (200, 'text/markdown; charset=utf-8|attachment; '
                                     'filename="ggzy-report-2021-433100.md"'), "markdown status and type")
        md = raw.decode()
        table = [l for l in md.splitlines() if l.startswith("|")]
        ck.eq(len(table), 2 + n + 1, "markdown table: header, rule, indicators, total")
        ck.true(table[1].startswith("| --- |"), "markdown rule row")
        for line, ind in zip(table[2:], body["indicators"]):
            ck.true(("| %s |" % ind["name"]) in line and ind["display"] in line, "markdown row %s" % ind["name"])
        ck.true("湘西州公共资源交易中心" in md, "markdown names the centre")

        # The report command gives the same bytes, from the store alone.
        for fmt in ("json", "csv", "md"):
            res = subprocess.run(
                [os.environ["GGZY_DAEMON"], "-c", daemon.config, "--now", NOW, "report", "--year", "2021",
                 "--center", "433100", "--format", fmt], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                timeout=60)
            _, _, http_raw = get_bytes(daemon, "/api/v1/report?year=2021&center=433100&format=" + fmt)
            ck.eq(res.returncode, 0, "report --format %s exit" % fmt)
            ck.eq(res.stderr, b"", "report --format %s prints nothing on stderr when all is well" % fmt)
            ck.true(res.stdout == http_raw, "report --format %s equals the HTTP body" % fmt)
        code, out, err = run_daemon(daemon.config, "--now", "2024-02-29T12:00:00", "report", "--year", "2024")
        period = json.loads(out)["previous_period"] if code == 0 else None
        ck.eq(period, {"from": "2023-01-01", "to": "2023-02-28"}, "29 February's previous year ends on the 28th")
        code, out, err = run_daemon(daemon.config, "--now", NOW, "report", "--year", "2023")
        ck.eq(code, 2, "report of a year not begun")
        ck.true("'year' must be between" in err, "report error message: %s" % err.strip())
        code, out, err = run_daemon(daemon.config, "report", "--year", "2021", "--center", "999999")
        ck.eq(code, 1, "report of an unknown centre")
        code, out, err = run_daemon(daemon.config, "report")
        ck.eq(code, 2, "report without --year")
        code, out, err = run_daemon(daemon.config, "--year", "2021")
        ck.eq(code, 2, "--year without report")

        # Bad requests.
        for q, want in (("", 400), ("year=abc", 400), ("year=2030", 400), ("year=1899", 400),
                        ("year=2021&format=xml", 400), ("year=2021&center=999999", 404),
                        ("year=2021&colour=red", 400), ("year=2021&center=' OR 1=1 --", 404),
                        ("year=2021&year=2022", 400)):
            status, body = daemon.get("/api/v1/report?" + q.replace(" ", "%20").replace("'", "%27"))
            ck.eq(status, want, "report?%s" % q)
            ck.true(isinstance(body, dict) and "error" in body, "report?%s: error body" % q)

        # Kept figures. Asked again while the store has not changed, the
        # report is answered without reading the buckets (locked here: a
        # read would wait for the lock and the request time out); after a
        # source changes and is polled, it shows the change to the fen.
        before = check_report(ck, daemon, fig, 2022, None, entry22, ytd, "2022 before it is kept")
        locked = hold_lock(pg, "store", "ggzy.month_total")
        try:
            status, again = daemon.get("/api/v1/report?year=2022", timeout=10)
        except OSError as e:
            status, again = "no answer: %s" % e, None
        finally:
            release_lock(pg, "store", locked)
        ck.eq(status, 200, "a kept report is answered while the buckets are locked")
        ck.true(again == before, "the kept report equals the computed one")
        pg.psql("trading", """UPDATE deals SET deal_amount = deal_amount + 0.01 WHERE deal_id IN
                                 (SELECT deal_id FROM deals WHERE status = 'awarded'
                                     AND deal_at >= '2022-01-01' AND deal_at < '2022-06-01'
                                   ORDER BY deal_id LIMIT 7)""")
        daemon.refresh()
        after = check_report(ck, daemon, fig, 2022, None, entry22, ytd, "2022 after a change")
        ck.eq(Decimal(after["indicators"][0]["actual"]) - Decimal(before["indicators"][0]["actual"]),
              Decimal("0.07"), "the report after a change shows its 7 fen")

        # The figures' version moves only when a figure does: a poll that
        # recomputes days whose rows were touched but not changed keeps it
        # (and with it every kept answer); a changed amount moves it.
        def rows_read():
            text = get_bytes(daemon, "/metrics")[2].decode()
            return int(re.search(r'^ggzy_poll_rows_total\{source="trading"\} (\d+)$', text, re.M).group(1))

        def version():
            return pg.rows("store", "SELECT version FROM ggzy.store_version")[0][0]
        v0, read0 = version(), rows_read()
        touch = """UPDATE deals SET deal_amount = deal_amount + %s WHERE deal_id IN
                       (SELECT deal_id FROM deals WHERE status = 'awarded' AND deal_at >= '2022-03-01'
                         ORDER BY deal_id LIMIT 3)"""
        pg.psql("trading", touch % "0")
        daemon.refresh()
        ck.true(rows_read() > read0, "the touched rows' days were read again")
        ck.eq(version(), v0, "recomputed days without a change keep the figures' version")
        pg.psql("trading", touch % "0.01")
        daemon.refresh()
        ck.true(version() != v0, "a changed amount moves the figures' version")
        check_report(ck, daemon, fig, 2022, None, entry22, ytd, "2022 after a touch and a change")

        # --check reports a bad targets file with its lines; SIGHUP keeps the
        # running targets when the new file is bad and takes a good one.
        good = open(targets_path).read()
        bad = good.replace('"deal_amount"', '"deal_amout"', 1)
        with open(targets_path, "w") as f:
            f.write(bad)
        code, out, err = run_daemon(daemon.config, "--check")
        line = bad[:bad.index('"deal_amout"')].count("\n") + 1
        ck.eq(code, 2, "--check rejects a bad targets file")
        ck.true(("%s:%d: unknown metric 'deal_amout'" % (targets_path, line)) in err, "--check message: %s" % err)
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload: targets invalid" in daemon.read_log(), timeout=10, what="reload refusal")
        check_report(ck, daemon, fig, 2021, "433100", entry21, closed, "2021 after a refused reload")
        entry21["indicators"][0]["weight"] = 15
        entry21["indicators"][0]["target"] = format(half_up(amount21 / 2), "f")
        with open(targets_path, "w") as f:
            json.dump(targets, f, ensure_ascii=False)
        log_len = len(daemon.read_log())
        daemon.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "reload: done" in daemon.read_log()[log_len:], timeout=10, what="reload")
        body = check_report(ck, daemon, fig, 2021, "433100", entry21, closed, "2021 after reload")
        ck.eq(body["indicators"][0]["score"], 15, "reloaded target met")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
