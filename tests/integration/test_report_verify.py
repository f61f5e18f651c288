"""Manual quantitative lines and `report --verify` against a real PostgreSQL
and the real daemon (SPEC §4, §5, §6):

- --check reports a manual line whose texts are not quantities, or are two
  kinds of unit, at its line;
- the report (JSON, CSV, Markdown) prints each manual quantitative line with
  its computed score (≥85% against 82% on 5 points: 4.82), money units
  converted, a ceiling scored by the year's profile, and the total and grade
  including them, all recomputed here from SQL over the source and SPEC §6;
- --verify: the report's own CSV and a correct hand-made form exit 0 with
  nothing on stdout; a form with known arithmetic errors (and one figure that
  disagrees with the store) exits 1 with exactly one line per error, at its
  line, with the arithmetic; an unreadable form exits 2 with its line."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import DAEMON, Checker, PgServer, config_text, free_port, run_daemon
import sources_expect as se
from test_report import Figures, display, half_up, load, grade

NOW = "2022-06-15T10:00:00"
Y21 = ("2021-01-01", "2021-12-31")
BANDS = {"优": 90, "良": 80, "中": 60}


def trim(d):
    t = format(d, "f")
    return t.rstrip("0").rstrip(".") if "." in t else t


def pct_number(text):
    return Decimal(text.rstrip("%"))


def grade_how(total):
    g = grade(total, BANDS)
    t = format(total, "f")
    return g, {"优": "%s ≥ 90" % t, "良": "80 ≤ %s < 90" % t, "中": "60 ≤ %s < 80" % t,
               "差": "%s < 60" % t}[g]


def csv_text(rows, bom=True, crlf=True):
    def cell(v):
        v = str(v)
        return '"%s"' % v.replace('"', '""') if any(c in v for c in ',"\r\n') else v
    end = "\r\n" if crlf else "\n"
    return ("\ufeff" if bom else "") + "".join(",".join(cell(c) for c in r) + end for r in rows)


HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"]


def main():
    ck = Checker("test_report_verify")
    pg = PgServer("verify")
    work = work_dir("verify")
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 1500)
        pg.createdb("store")
        subtrees = se.subtrees(pg, "trading", "centers")
        fig = Figures(pg, subtrees, fixed=True)
        amount, _ = fig.value("deal_amount", "433100", *Y21)
        ebid = fig.value("e_bid_rate", "433100", *Y21, {"category": "engineering"})
        target = half_up(amount * Decimal("1.2"))

        # One indicator a line, so that --check's lines are known.
        indicators = [
            {"metric": "deal_amount", "name": "入场项目成交额", "level1": "产出指标", "level2": "数量指标",
             "target": format(target, "f"), "weight": 20, "display_unit": "亿元"},
            {"metric": "e_bid_rate", "name": "工程建设项目全流程电子化率", "level1": "产出指标", "level2": "质量指标",
             "filter": {"category": "engineering"}, "target": "1.0", "weight": 10},
            {"name": "交易主体满意度", "level1": "满意度指标", "level2": "服务对象满意度指标", "weight": 5,
             "manual": {"target": "≥85%", "actual": "82%"}},
            {"name": "节约财政资金", "level1": "效益指标", "level2": "经济效益指标", "weight": 10,
             "manual": {"target": "≥1.5亿元", "actual": "12000万元"}},
            {"name": "投诉率", "level1": "满意度指标", "level2": "服务对象满意度指标", "weight": 5,
             "manual": {"target": "≤2%", "actual": "3%"}},
            {"name": "社会公众满意度", "level1": "满意度指标", "level2": "服务对象满意度指标", "weight": 10,
             "manual": {"target": "≥90%", "actual": "良好", "score": 9}},
            {"name": "预算执行率", "level1": "预算执行", "level2": "预算执行率", "weight": 10,
             "manual": {"budget": "21", "executed": "20.3"}},
        ]
        entry = {"year": 2021, "center": "433100", "scoring": {"lower": "linear"}, "indicators": indicators}

        def targets_text(inds):
            return ('{"years": [{"year": 2021, "center": "433100", "scoring": {"lower": "linear"},\n'
                    ' "indicators": [\n' + ",\n".join(json.dumps(i, ensure_ascii=False) for i in inds)
                    + "\n]}]}\n")
        targets_path = os.path.join(work, "targets.json")
        with open(targets_path, "w") as f:
            f.write(targets_text(indicators))
        cfg_path = os.path.join(work, "ggzy-metricsd.conf")
        with open(cfg_path, "w") as f:
            f.write(config_text(free_port(), pg.conninfo("store"), {"trading": pg.conninfo("trading")},
                                extra_daemon="targets = %s\n" % targets_path))

        # ---- --check: manual lines that are not quantities, at their lines ----
        code, out, err = run_daemon(cfg_path, "--check")
        ck.eq((code, err), (0, ""), "--check accepts manual quantitative lines")
        bad = [dict(i) for i in indicators]
        bad[2] = dict(bad[2], manual={"target": "≥85%", "actual": "82宗"})     # line 5
        bad[3] = dict(bad[3], manual={"target": "约1.5亿元", "actual": "12000万元"})  # line 6
        bad[4] = dict(bad[4], manual={"target": "≤2%", "actual": "较低"})       # line 7
        with open(targets_path, "w") as f:
            f.write(targets_text(bad))
        code, out, err = run_daemon(cfg_path, "--check")
        ck.eq(code, 2, "--check refuses them")
        want = ["%s:5: manual actual '82宗' is a count but the target '≥85%%' is a percentage: give both in the "
                "same kind of unit" % targets_path,
                "%s:6: manual target '约1.5亿元' is not a quantity such as ≥85%%, 1.5亿元 or 200宗 (or give "
                "\"score\" for a line scored by hand)" % targets_path,
                "%s:7: manual actual '较低' is not a quantity such as ≥85%%, 1.5亿元 or 200宗 (or give "
                "\"score\" for a line scored by hand)" % targets_path]
        ck.eq(err.splitlines(), want, "--check: each problem at its line")
        with open(targets_path, "w") as f:
            f.write(targets_text(indicators))

        code, out, err = run_daemon(cfg_path, "--now", NOW, "--once")
        ck.eq(code, 0, "--once loads the source: %s" % err[-500:])

        def report(*args):
            return run_daemon(cfg_path, "--now", NOW, "report", "--year", "2021", "--center", "433100", *args)

        # ---- the report: manual scores, total and grade ----
        code, out, err = report("--format", "json")
        ck.eq(code, 0, "report exit: %s" % err)
        body = json.loads(out) if code == 0 else {"indicators": []}
        by = {i["name"]: i for i in body["indicators"]}
        s_amount = half_up(min(Decimal(20), 20 * amount / target))
        s_ebid = half_up(min(Decimal(10), 10 * ebid[0] / ebid[1]))
        s_budget = half_up(10 * Decimal("20.3") / 21)
        want_scores = {"入场项目成交额": s_amount, "工程建设项目全流程电子化率": s_ebid,
                       "交易主体满意度": Decimal("4.82"),           # 5 x 82 / 85
                       "节约财政资金": Decimal("8.00"),            # 10 x 1.2亿 / 1.5亿
                       "投诉率": Decimal("2.50"),                 # linear: 5 x (1 - (3 - 2) / 2)
                       "社会公众满意度": Decimal("9.00"), "预算执行率": s_budget}
        for name, s in want_scores.items():
            ck.eq(Decimal(str(by.get(name, {}).get("score"))), s, "report: %s score" % name)
        for name, (d, c, t, a) in {"交易主体满意度": ("higher", 0.964706, "≥85%", "82%"),
                                   "节约财政资金": ("higher", 0.8, "≥1.5亿元", "12000万元"),
                                   "投诉率": ("lower", 1.5, "≤2%", "3%")}.items():
            i = by.get(name, {})
            ck.eq((i.get("manual"), i.get("direction"), i.get("completion"), i.get("target_display"),
                   i.get("display")), (True, d, c, t, a), "report: %s as written, direction, completion" % name)
        total = half_up(sum(want_scores.values()))
        ck.eq(Decimal(str(body.get("total_score"))), total, "report: the total includes the manual scores")
        ck.eq(body.get("grade"), grade(total, BANDS), "report: grade")
        # Bytes, not text: the CSV's CRLF lines are part of what is checked.
        res = subprocess.run([DAEMON, "-c", cfg_path, "--now", NOW, "report", "--year",
                              "2021", "--center", "433100", "--format", "csv"], stdout=subprocess.PIPE, timeout=60)
        code, report_csv = res.returncode, res.stdout.decode()
        ck.true(code == 0 and "\r\n满意度指标,服务对象满意度指标,交易主体满意度,≥85%,82%,5,4.82,\r\n" in report_csv,
                "CSV: the manual line with its score")
        ck.true(("\r\n合计,,,,,70,%s,\r\n" % format(total, "f")) in report_csv, "CSV: the total")
        code, md, err = report("--format", "md")
        ck.true(code == 0 and "| 交易主体满意度 | ≥85% | 82% | — | — | 5 | 4.82 |" in md, "Markdown: the manual line")
        ck.true(("自评得分 %s 分" % format(total, "f")) in md, "Markdown: the total")

        def verify(name, text, encoding="utf-8"):
            path = os.path.join(work, name)
            with open(path, "wb") as f:
                f.write(text.encode(encoding))
            code, out, err = report("--verify", path)
            return path, code, out, err

        # ---- --verify: the report's own CSV ----
        path, code, out, err = verify("report.csv", report_csv)
        ck.eq((code, out), (0, ""), "--verify of the report's own CSV: %s" % err)
        ck.true("all agree" in err, "--verify says so on stderr: %s" % err.strip())

        # ---- --verify: a correct hand-made form ----
        t_shown = display((target, Decimal(1)), "亿元")
        a_shown = display((amount, Decimal(1)), "亿元")
        e_shown = display(ebid, "%")

        def form_rows(amount_shown, ebid_score, wrong):
            tn, an = Decimal(t_shown[:-2]), Decimal(amount_shown[:-2])
            s_a = half_up(min(Decimal(20), 20 * an / tn))
            s_e = half_up(min(Decimal(10), 10 * pct_number(e_shown) / 100))
            lines = [
                ["产出指标", "数量指标", "入场项目成交额", "≥" + t_shown, amount_shown, 20, s_a],
                ["", "质量指标", "工程建设项目全流程电子化率", "≥100%", e_shown, 10, ebid_score or s_e],
                ["满意度指标", "服务对象满意度指标", "交易主体满意度", "≥85%", "82%", 5, "5" if wrong else "4.82"],
                ["效益指标", "经济效益指标", "节约财政资金", "≥1.5亿元", "12000万元", 10, "8"],
                ["满意度指标", "", "投诉率", "≤2%", "3%", 5, "2.5"],
                # not in the targets file: linear by the year's profile all the same
                ["", "", "投诉处理超时率", "≤4%", "5%", 10, "8" if wrong else "7.5"],
                ["", "", '社会公众满意度, "问卷"', "≥90%", "良好", 10, 9],
                ["预算执行", "预算执行率", "", "100%", "97.89%", 10, "9.89" if wrong else "9.79"],
            ]
            if wrong:
                lines += [["", "", "其他预算执行率", "100%", "81.52%", 10, "10"],
                          ["", "", "某数量指标", "9", "8.81", 10, "9.89"],
                          ["", "", "培训人次", "≥200人次", "145人次", 15, "10.87"]]
            return lines, s_a, s_e

        lines, s_a, s_e = form_rows(a_shown, None, False)
        scores = [Decimal(str(l[6])) for l in lines]
        ftotal = half_up(sum(scores))
        rows = [["2021年度绩效自评表"], HEADER[:7], ["产出指标"]] + lines + \
               [["合计", "", "", "", "", sum(l[5] for l in lines), format(ftotal, "f")],
                ["自评等级", "", "", "", grade(ftotal, BANDS)]]
        path, code, out, err = verify("form-good.csv", csv_text(rows, bom=False, crlf=False))
        ck.eq((code, out), (0, ""), "--verify of a correct hand-made form (no BOM, LF, a title): %s" % err)

        # ---- --verify: a form with known errors ----
        off = display((amount + Decimal(1000000), Decimal(1)), "亿元")  # 0.01亿 more
        e_wrong = format(s_e + Decimal("0.1"), "f")
        lines, s_a, s_e = form_rows(off, e_wrong, True)
        computed = [s_a, s_e, Decimal("4.82"), Decimal(8), Decimal("2.5"), Decimal("7.5"), Decimal(9), Decimal("9.79"),
                    Decimal("8.15"), Decimal("9.79"), Decimal("10.88")]
        weights = sum(l[5] for l in lines)
        ctotal = half_up(sum(computed))
        written_total = format(ctotal + 1, "f")
        written_grade = "差" if grade(ctotal, BANDS) != "差" else "优"
        rows = [HEADER[:7]] + lines + [["合计", "", "", "", "", weights, written_total],
                                       ["自评等级", "", "", "", written_grade]]
        path, code, out, err = verify("form-errors.csv", csv_text(rows))
        ck.eq(code, 1, "--verify of a form with errors exits 1: %s" % err)
        g, how = grade_how(ctotal)
        want = [
            "%s:2: 实际完成值 %s, computed %s (deal_amount in the store: %s元)" % (path, off, a_shown, amount),
            "%s:3: 得分 %s, computed %s (10 × %s / 100)" % (path, e_wrong, s_e, trim(pct_number(e_shown))),
            "%s:4: 得分 5, computed 4.82 (5 × 82 / 85)" % path,
            "%s:7: 得分 8, computed 7.50 (10 × (1 − (5 − 4) / 4))" % path,
            "%s:9: 得分 9.89, computed 9.79 (10 × 97.89%%)" % path,
            "%s:10: 得分 10, computed 8.15 (10 × 81.52%%)" % path,
            "%s:11: 得分 9.89, computed 9.79 (10 × 8.81 / 9)" % path,
            "%s:12: 得分 10.87, computed 10.88 (15 × 145 / 200)" % path,
            "%s:13: 得分 %s, computed %s (%s)" % (path, written_total, ctotal,
                                                  " + ".join(format(half_up(c), "f") for c in computed)),
            "%s:14: 自评等级 %s, computed %s (%s)" % (path, written_grade, g, how),
        ]
        got = out.splitlines()
        ck.eq(len(got), len(want), "one line per disagreement")
        for g_line, w_line in zip(got, want):
            ck.eq(g_line, w_line, "disagreement line")

        # ---- --verify: forms that cannot be read, bad arguments ----
        path, code, out, err = verify("form-gbk.csv", csv_text([HEADER[:7], ["", "", "满意度", "90%", "95%", 10, 10]],
                                                               bom=False), encoding="gbk")
        ck.eq((code, out), (2, ""), "a form saved as GBK exits 2")
        ck.true(err.startswith("%s:1: not UTF-8" % path), "... with its line: %s" % err.strip())
        path, code, out, err = verify("form-quote.csv", 'a\n三级指标,"open\n')
        ck.eq(code, 2, "an unterminated quote exits 2")
        ck.true(err.startswith("%s:2: a quoted field is not closed" % path), "... with its line: %s" % err.strip())
        code, out, err = report("--verify", os.path.join(work, "missing.csv"))
        ck.eq(code, 2, "a missing form exits 2")
        code, out, err = report("--verify", os.path.join(work, "report.csv"), "--format", "csv")
        ck.eq(code, 2, "--verify and --format exclude each other")
        code, out, err = run_daemon(cfg_path, "--verify", os.path.join(work, "report.csv"))
        ck.eq(code, 2, "--verify belongs to report")
    finally:
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
