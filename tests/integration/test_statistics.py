"""The statistics tables (SPEC §10) against an independent computation: every
figure of every row and of the figures block, for a month, a quarter, a half
and a year, from SQL over the source rows (days in Asia/Shanghai, a centre
with its descendants), to the fen: a quarter crossing the +08 year edge
(rows at 23:30 on 31 December and 00:30 on 1 January), a leap-year February
and its year before, a period not over yet (reported to today, and saying
so). The CSV, Markdown and XLSX render the same figures (the XLSX opened
with Debian's python3-openpyxl: cells, merges, numbers and their formats
checked against the JSON); the `statistics` command gives the HTTP bytes;
the year-end report's XLSX is the 绩效自评表 with the JSON's figures; bad
requests are 400/404."""
import csv
import io
import os
import subprocess
import sys
import tempfile
import urllib.request
import zipfile
from decimal import Decimal

# openpyxl is Debian's python3-openpyxl: run under the system's interpreter
# when the one CTest found (pyenv, a venv) does not have it.
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
from harness import Checker, Daemon, PgServer, config_text, free_port, run_daemon
import sources_expect as se
from test_report import BASE, RATES, Figures, half_up, json_figure, load, yoy

NOW = "2024-06-15T10:00:00"
CATEGORIES = [("engineering", "工程建设"), ("gov_procurement", "政府采购"),
              ("land_mineral", "土地使用权和矿业权"), ("state_property", "国有产权"),
              ("medical", "医药采购"), ("other", "其他")]
KINDS = ["cash", "e_guarantee", "e_commitment", "insurance"]
ROW_METRICS = ["deals_count", "deal_amount", "savings_amount", "premium_amount", "service_fee_amount"]
FIGURES = ["e_bid_rate", "remote_opening_rate", "remote_evaluations_count", "deposits_count",
           "liquidity_released_amount", "expert_draws_count", "expert_fee_amount"]
Q2 = Decimal("0.01")

# Rows that decide the edges: a year edge in +08 (UTC still in the old
# year at 00:30 local), a leap February and the February a year before.
EDGE = """
INSERT INTO deals (deal_id, project_code, center_code, category, method, budget_amount,
                   reserve_price, deal_amount, opened_at, deal_at, fully_electronic,
                   remote_opening, status, service_fee)
VALUES ('E1', 'P', '433101', 'engineering', 'open', 1000.00, NULL, 900.01, NULL,
        '2021-12-31 23:30+08', true, false, 'awarded', 0.90),
       ('E2', 'P', '433101', 'engineering', 'open', 1000.00, 800.00, 950.02, '2021-12-29 10:00+08',
        '2022-01-01 00:30+08', true, true, 'awarded', 0.95),
       ('E3', 'P', '433122', 'medical', 'open', NULL, NULL, 123.45, NULL,
        '2024-02-29 23:59+08', false, false, 'awarded', 0.12),
       ('E4', 'P', '433122', 'medical', 'open', NULL, NULL, 77.77, NULL,
        '2024-03-01 00:01+08', false, false, 'awarded', 0.08),
       ('E5', 'P', '433100', 'other', 'open', 500.00, 400.00, 450.55, '2024-02-10 09:00+08',
        '2024-02-10 10:00+08', true, true, 'awarded', 0.45),
       ('E6', 'P', '433101', 'other', 'open', 500.00, 400.00, 460.66, NULL,
        '2023-02-28 23:50+08', true, false, 'awarded', 0.46),
       ('E7', 'P', '430102', 'gov_procurement', 'open', 300.00, NULL, 280.00, NULL,
        '2024-06-15 09:00+08', true, false, 'awarded', 0.28),
       ('E8', 'P', '433101', 'engineering', 'open', 1000.00, NULL, 999.99, NULL,
        '2024-06-16 09:00+08', true, false, 'awarded', 1.00);
"""
EDGE_DEPOSITS = """
INSERT INTO deposits (deposit_id, deal_id, center_code, category, bidder_id, kind, amount,
                      received_at, refunded_at, refund_amount, status)
VALUES ('X1', NULL, '433101', 'engineering', 'b1', 'e_guarantee', 10000.00,
        '2024-02-29 23:00+08', NULL, NULL, 'held'),
       ('X2', NULL, '433122', 'medical', 'b2', 'insurance', 2000.50,
        '2023-02-15 12:00+08', NULL, NULL, 'held');
"""


def get_raw(daemon, path):
    with urllib.request.urlopen("http://127.0.0.1:%d%s" % (daemon.port, path), timeout=60) as r:
        return r.status, dict(r.headers), r.read()


def money(v):
    return format(half_up(v), "f")


def wan(text):
    """A JSON amount (yuan, 2 decimals) in 万元 to 2 decimals, as the forms write it."""
    return half_up(Decimal(text) / 10000)


class Expect:
    """The table of SPEC §10 from SQL over the sources."""

    def __init__(self, fig, center, frm, to, ytd_from, prev_from, prev_to):
        self.fig, self.center = fig, center
        self.spans = {"period": (frm, to), "ytd": (ytd_from, to), "ytd_previous": (prev_from, prev_to)}

    def value(self, metric, span, flt=None):
        frm, to = self.spans[span]
        return self.fig.value(metric, self.center, frm, to, flt)

    def points(self, metric):
        cur, prev = self.value(metric, "ytd"), self.value(metric, "ytd_previous")
        if cur is None or prev is None:
            return None
        return float(half_up((cur[0] / cur[1] - prev[0] / prev[1]) * 100))


def check_json(ck, body, ex, what):
    for row, (code, name) in zip(body["rows"], CATEGORIES + [("total", "合计")]):
        ck.eq((row["category"], row["name"]), (code, name), "%s: row %s" % (what, code))
        flt = None if code == "total" else {"category": code}
        for m in ROW_METRICS:
            for span in ("period", "ytd", "ytd_previous"):
                ck.eq(row[span][m], json_figure(m, ex.value(m, span, flt)), "%s: %s %s %s" % (what, code, span, m))
            ck.eq(row["ytd_yoy"][m], yoy(ex.value(m, "ytd", flt), ex.value(m, "ytd_previous", flt)),
                  "%s: %s ytd_yoy %s" % (what, code, m))
    ck.eq(len(body["rows"]), len(CATEGORIES) + 1, "%s: a row per category and 合计" % what)
    f = body["figures"]
    for m in FIGURES:
        for span in ("period", "ytd", "ytd_previous"):
            if m == "deposits_count":
                want = {k: json_figure(m, ex.value(m, span, {"kind": k})) for k in KINDS}
                want["total"] = json_figure(m, ex.value(m, span))
            else:
                want = json_figure(m, ex.value(m, span))
            ck.eq(f[span][m], want, "%s: figures %s %s" % (what, span, m))
        if m == "deposits_count":
            want = {k: yoy(ex.value(m, "ytd", {"kind": k}), ex.value(m, "ytd_previous", {"kind": k}))
                    for k in KINDS}
            want["total"] = yoy(ex.value(m, "ytd"), ex.value(m, "ytd_previous"))
        else:
            want = yoy(ex.value(m, "ytd"), ex.value(m, "ytd_previous"))
        ck.eq(f["ytd_yoy"][m], want, "%s: figures ytd_yoy %s" % (what, m))
    for m in ("e_bid_rate", "remote_opening_rate"):
        ck.eq(f["ytd_yoy_points"][m], ex.points(m), "%s: %s 同比 in points" % (what, m))


def check_csv(ck, raw, body, what):
    ck.true(raw.startswith(b"\xef\xbb\xbf"), "%s: csv BOM" % what)
    ck.true(raw.count(b"\n") == raw.count(b"\r\n"), "%s: csv CRLF" % what)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    ck.eq(rows[3][:5], ["类别", "交易宗数（宗）", "", "", "成交额（万元）"], "%s: csv header" % what)
    ck.eq(rows[4][:4], ["", "本期", "累计", "同比"], "%s: csv second header" % what)
    for row, jrow in zip(rows[5:12], body["rows"]):
        ck.eq(row[0], jrow["name"], "%s: csv row name" % what)
        ck.eq(row[1:3], [str(jrow["period"]["deals_count"]), str(jrow["ytd"]["deals_count"])],
              "%s: csv %s deals" % (what, jrow["category"]))
        ck.eq(row[4:6], [format(wan(jrow["period"]["deal_amount"]), "f"), format(wan(jrow["ytd"]["deal_amount"]), "f")],
              "%s: csv %s amounts in 万元" % (what, jrow["category"]))
    return rows


def check_xlsx(ck, raw, body, what):
    wb = openpyxl.load_workbook(io.BytesIO(raw))
    ws = wb.active
    merged = {str(r) for r in ws.merged_cells.ranges}
    for want in ("A1:P1", "A4:A5", "B4:D4", "E4:G4", "H4:J4", "K4:M4", "N4:P4"):
        ck.true(want in merged, "%s: xlsx merged %s (%s)" % (what, want, sorted(merged)))
    ck.eq(ws["B4"].value, "交易宗数（宗）", "%s: xlsx header" % what)
    ck.eq([ws.cell(5, c).value for c in range(2, 5)], ["本期", "累计", "同比"], "%s: xlsx sub-header" % what)
    name = body["center_name"]
    ck.true(ws.title.startswith(name[:10]), "%s: sheet named by the centre: %s" % (what, ws.title))
    for i, jrow in enumerate(body["rows"]):
        r = 6 + i
        ck.eq(ws.cell(r, 1).value, jrow["name"], "%s: xlsx row %d name" % (what, r))
        for m, metric in enumerate(ROW_METRICS):
            for k, span in enumerate(("period", "ytd")):
                c = ws.cell(r, 2 + 3 * m + k)
                v = jrow[span][metric]
                if metric == "deals_count":
                    ck.eq((c.value, c.number_format), (v, "#,##0"), "%s: xlsx %s %s %s" % (what, jrow["category"], span, metric))
                else:
                    ck.eq((Decimal(str(c.value)), c.number_format), (wan(v), "#,##0.00"),
                          "%s: xlsx %s %s %s in 万元" % (what, jrow["category"], span, metric))
            c = ws.cell(r, 4 + 3 * m)
            want = jrow["ytd_yoy"][metric]
            if want is None:
                ck.eq(c.value, "—", "%s: xlsx undefined 同比" % what)
            else:
                ck.eq((c.value, c.number_format), (want, "+0.00%;-0.00%;0.00%"),
                      "%s: xlsx %s 同比 %s" % (what, jrow["category"], metric))
    # the figures block, below a blank row
    top = 6 + len(body["rows"]) + 1
    ck.eq([ws.cell(top, c).value for c in range(1, 6)], ["指标", "单位", "本期", "累计", "同比"], "%s: figures header" % what)
    first = ws.cell(top + 1, 3)
    ck.eq((first.value, first.number_format), (body["figures"]["period"]["e_bid_rate"], "0.00%"),
          "%s: xlsx e-bid rate as a ratio" % what)
    pts = ws.cell(top + 1, 5)
    want = body["figures"]["ytd_yoy_points"]["e_bid_rate"]
    if want is None:  # no figure a year earlier (the demo begins in 2021)
        ck.eq(pts.value, "—", "%s: xlsx points without a year before" % what)
    else:
        ck.true(pts.value == want and "个百分点" in pts.number_format,
                "%s: xlsx points %r %r" % (what, pts.value, pts.number_format))
    for r in range(top + 1, ws.max_row + 1):
        label = ws.cell(r, 1).value
        if label == "专家评审费":
            ck.eq(Decimal(str(ws.cell(r, 4).value)), wan(body["figures"]["ytd"]["expert_fee_amount"]),
                  "%s: xlsx expert fees" % what)
        if label == "保证金笔数（电子保函）":
            ck.eq(ws.cell(r, 3).value, body["figures"]["period"]["deposits_count"]["e_guarantee"],
                  "%s: xlsx e-guarantees" % what)
    widths = {k: v.width for k, v in ws.column_dimensions.items()}
    ck.true(widths.get("A", 0) >= 2 * len("土地使用权和矿业权"), "%s: column A fits the Chinese names: %s" % (what, widths))


def check_report_xlsx(ck, raw, body, what):
    """The 绩效自评表: the form's header, a line per indicator, 合计 and 自评等级."""
    ws = openpyxl.load_workbook(io.BytesIO(raw)).active
    merged = {str(r) for r in ws.merged_cells.ranges}
    for want in ("A1:H1", "A4:C4", "D4:D5", "E4:E5", "F4:F5", "G4:G5", "H4:H5"):
        ck.true(want in merged, "%s: merged %s" % (what, want))
    ck.eq(ws["A1"].value, "%d年度绩效自评表" % body["year"], "%s: title" % what)
    ck.eq([ws.cell(5, c).value for c in range(1, 4)], ["一级指标", "二级指标", "三级指标"], "%s: header" % what)
    ck.eq([ws.cell(4, c).value for c in range(4, 9)], ["年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"],
          "%s: header" % what)
    units = {"亿元": Decimal(100000000), "万元": Decimal(10000), "元": Decimal(1)}
    for i, ind in enumerate(body["indicators"]):
        r = 6 + i
        ck.eq(ws.cell(r, 3).value, ind["name"], "%s: line %s" % (what, ind["name"]))
        a = ws.cell(r, 5)
        if ind["manual"] and isinstance(ind["actual"], str):
            ck.eq(a.value, ind["actual"], "%s: manual actual stays text" % what)
        elif ind["unit"] == "元":
            u = ind["display_unit"]
            ck.eq((Decimal(str(a.value)), a.number_format), (half_up(Decimal(ind["actual"]) / units[u]), '0.00"%s"' % u),
                  "%s: %s actual in %s" % (what, ind["name"], u))
        elif ind["metric"] and ind["unit"] == "":
            ck.eq((a.value, a.number_format), (ind["actual"], "0.00%"), "%s: %s rate" % (what, ind["name"]))
        elif ind["metric"]:
            ck.eq(a.value, ind["actual"], "%s: %s count" % (what, ind["name"]))
        if ind["score"] is not None:
            ck.eq((ws.cell(r, 7).value, ws.cell(r, 7).number_format), (ind["score"], "0.00"), "%s: %s score" % (what, ind["name"]))
            ck.eq(ws.cell(r, 6).value, ind["weight"], "%s: %s weight" % (what, ind["name"]))
    r = 6 + len(body["indicators"])
    ck.eq((ws.cell(r, 1).value, ws.cell(r, 7).value), ("合计", body["total_score"]), "%s: 合计" % what)
    ck.eq((ws.cell(r + 1, 1).value, ws.cell(r + 1, 6).value), ("自评等级", body["grade"]), "%s: 自评等级" % what)
    ck.true("A%d:E%d" % (r, r) in merged and "F%d:H%d" % (r + 1, r + 1) in merged, "%s: total rows merged" % what)
    l1 = [ws.cell(6 + i, 1).value for i in range(len(body["indicators"]))]
    runs = [i for i in range(1, len(l1)) if body["indicators"][i]["level1"] == body["indicators"][i - 1]["level1"]
            and body["indicators"][i]["level1"]]
    if runs:
        i = runs[0]
        ck.true(any(m.min_row <= 6 + i - 1 and m.max_row >= 6 + i and m.min_col == 1 for m in ws.merged_cells.ranges),
                "%s: equal 一级指标 cells merged" % what)


def main():
    ck = Checker("test_statistics")
    pg = PgServer("statistics")
    work = work_dir("statistics")
    daemon = None
    try:
        load(pg, "trading", "trading.sql", "trading_data.sql", 3000)
        load(pg, "deposit", "deposit.sql", "deposit_data.sql", 3000)
        load(pg, "expert", "expert.sql", "expert_data.sql", 1500)
        pg.psql("trading", EDGE)
        pg.psql("deposit", EDGE_DEPOSITS)
        pg.createdb("store")
        subtrees = se.subtrees(pg, "trading", "centers")
        fig = Figures(pg, subtrees, fixed=True)
        port = free_port()
        targets = os.path.join(os.environ.get("GGZY_SOURCE_DIR", ""), "config", "targets.json")
        cfg = config_text(port, pg.conninfo("store"), {s: pg.conninfo(s) for s in ("trading", "deposit", "expert")},
                          extra_daemon="targets = %s\n" % targets)
        # The daemon's workbooks are made in a TMPDIR of this test's own, so
        # that another test's workbook in the making is not taken for one
        # this daemon left behind.
        xlsx_tmp = os.path.join(work, "tmp")
        os.mkdir(xlsx_tmp)
        os.environ["TMPDIR"] = xlsx_tmp
        daemon = Daemon(work, cfg, args=["--now", NOW])
        daemon.start()

        # Every kind of period; a centre with descendants and all centres.
        cases = [
            ("2021-09", "433100", ("2021-09-01", "2021-09-30"), "2021-01-01", ("2020-01-01", "2020-09-30"), True),
            ("2021-Q4", "433100", ("2021-10-01", "2021-12-31"), "2021-01-01", ("2020-01-01", "2020-12-31"), True),
            ("2022-Q1", "433100", ("2022-01-01", "2022-03-31"), "2022-01-01", ("2021-01-01", "2021-03-31"), True),
            ("2022-H1", None, ("2022-01-01", "2022-06-30"), "2022-01-01", ("2021-01-01", "2021-06-30"), True),
            ("2021", "430000", ("2021-01-01", "2021-12-31"), "2021-01-01", ("2020-01-01", "2020-12-31"), True),
            ("2024-02", "433100", ("2024-02-01", "2024-02-29"), "2024-01-01", ("2023-01-01", "2023-02-28"), True),
            # not over yet: to today, and the year before to the same day
            ("2024-06", None, ("2024-06-01", "2024-06-15"), "2024-01-01", ("2023-01-01", "2023-06-15"), False),
            ("2024-Q2", "430100", ("2024-04-01", "2024-06-15"), "2024-01-01", ("2023-01-01", "2023-06-15"), False),
        ]
        bodies = {}
        for period, center, (frm, to), ytd_from, (pfrm, pto), closed in cases:
            what = "%s %s" % (period, center or "all")
            q = "/api/v1/statistics?period=%s%s" % (period, "&center=" + center if center else "")
            status, body = daemon.get(q)
            ck.eq(status, 200, "%s: status" % what)
            if status != 200:
                print(body)
                continue
            bodies[(period, center)] = body
            ck.eq((body["period"], body["from"], body["to"], body["closed"]), (period, frm, to, closed), "%s: period" % what)
            ck.eq(body["ytd"], {"from": ytd_from, "to": to}, "%s: ytd" % what)
            ck.eq(body["ytd_previous"], {"from": pfrm, "to": pto}, "%s: ytd a year earlier" % what)
            ck.eq(body["center"], center, "%s: center" % what)
            ck.true(body["as_of"] and body["as_of"].endswith("+08:00"), "%s: as_of" % what)
            check_json(ck, body, Expect(fig, center, frm, to, ytd_from, pfrm, pto), what)

        # The edges are in the right periods, to the fen: 23:30 on 31
        # December in Q4 2021, 00:30 on 1 January in Q1 2022 (UTC still
        # 2021), 29 February 2024 in February.
        q4 = bodies[("2021-Q4", "433100")]["rows"][0]["period"]
        want = fig.value("deal_amount", "433100", "2021-10-01", "2021-12-31", {"category": "engineering"})[0]
        utc = Decimal(pg.rows("trading", "SELECT sum(deal_amount) FROM deals WHERE status = 'awarded' AND category = "
                              "'engineering' AND center_code IN ('433100','433101','433122') AND "
                              "(deal_at AT TIME ZONE 'UTC')::date BETWEEN '2021-10-01' AND '2021-12-31'")[0][0])
        ck.eq(q4["deal_amount"], money(want), "Q4 2021 engineering, Asia/Shanghai days")
        ck.true(money(want) != money(utc), "UTC days would give another figure (%s vs %s)" % (want, utc))
        feb = bodies[("2024-02", "433100")]
        ck.eq(feb["rows"][4]["period"]["deal_amount"], "123.45", "29 February 23:59 is in February")
        ck.eq(feb["rows"][5]["period"]["deal_amount"], "450.55", "February 2024, other")
        ck.eq(feb["rows"][5]["ytd_previous"]["deal_amount"], "460.66", "28 February 2023 a year earlier")
        ck.eq(feb["figures"]["period"]["deposits_count"]["e_guarantee"], 1, "a leap day's deposit")
        ck.eq(feb["figures"]["period"]["liquidity_released_amount"], "10000.00", "its liquidity released")
        ck.eq(feb["figures"]["ytd_previous"]["liquidity_released_amount"], "2000.50", "a year earlier")
        june = bodies[("2024-06", None)]
        ck.eq(june["rows"][1]["period"]["deal_amount"], "280.00", "today's deal is in")
        ck.eq(june["rows"][0]["period"]["deals_count"], 0, "tomorrow's deal is not")
        ck.eq((june["closed"], june["period_end"]), (False, "2024-06-30"), "a period not over says so")

        # CSV, Markdown, XLSX of the same table; the command's bytes.
        for (period, center), body in [(("2021-Q4", "433100"), bodies[("2021-Q4", "433100")]),
                                       (("2024-06", None), june)]:
            what = "%s %s" % (period, center or "all")
            base = "/api/v1/statistics?period=%s%s" % (period, "&center=" + center if center else "")
            status, headers, raw = get_raw(daemon, base + "&format=csv")
            ck.eq((status, headers["Content-Type"]), (200, "text/csv; charset=utf-8"), "%s: csv" % what)
            ck.true(headers["Content-Disposition"].startswith('attachment; filename="ggzy-statistics-%s-%s.csv"'
                                                              % (period, center or "all")), "%s: csv name" % what)
            rows = check_csv(ck, raw, body, what)
            ck.eq(("本期未结束" in rows[2][0]) or ("尚未结束" in rows[2][0]), not body["closed"], "%s: csv says whether the period is over" % what)
            status, headers, raw = get_raw(daemon, base + "&format=md")
            md = raw.decode()
            ck.true(md.startswith("# ") and "| 合计 |" not in md and "| **合计** |" in md, "%s: markdown" % what)
            status, headers, raw = get_raw(daemon, base + "&format=xlsx")
            ck.eq(headers["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "%s: xlsx type" % what)
            disp = headers["Content-Disposition"]
            ck.true(('filename="ggzy-statistics-%s-%s.xlsx"' % (period, center or "all")) in disp and "filename*=UTF-8''" in disp,
                    "%s: xlsx names: %s" % (what, disp))
            name = urllib.request.unquote(disp.split("filename*=UTF-8''")[1])
            ck.true(name.startswith(body["center_name"]) and name.endswith(".xlsx"), "%s: UTF-8 name %s" % (what, name))
            ck.true(zipfile.is_zipfile(io.BytesIO(raw)), "%s: xlsx is a zip" % what)
            check_xlsx(ck, raw, body, what)
            for fmt in ("json", "csv", "md", "xlsx"):
                args = ["--now", NOW, "statistics", "--period", period, "--format", fmt]
                if center:
                    args += ["--center", center]
                res = subprocess.run([os.environ["GGZY_DAEMON"], "-c", daemon.config] + args,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
                _, _, http_raw = get_raw(daemon, base + "&format=" + fmt)
                ck.eq((res.returncode, res.stderr), (0, b""), "%s: statistics --format %s" % (what, fmt))
                ck.true(res.stdout == http_raw, "%s: statistics --format %s equals the HTTP body" % (what, fmt))
        temp = [n for n in os.listdir(xlsx_tmp) if n.startswith("ggzy-xlsx-")]
        ck.eq(temp, [], "no workbook left in the temporary directory")

        # The report's XLSX (config/targets.json: 433100's 2021 form).
        status, rep = daemon.get("/api/v1/report?year=2021&center=433100")
        status, headers, raw = get_raw(daemon, "/api/v1/report?year=2021&center=433100&format=xlsx")
        ck.eq(status, 200, "report xlsx")
        ck.true('filename="ggzy-report-2021-433100.xlsx"' in headers["Content-Disposition"], "report xlsx name")
        check_report_xlsx(ck, raw, rep, "report 2021 433100")
        res = subprocess.run([os.environ["GGZY_DAEMON"], "-c", daemon.config, "--now", NOW, "report", "--year", "2021",
                              "--center", "433100", "--format", "xlsx"], stdout=subprocess.PIPE, timeout=60)
        ck.true(res.returncode == 0 and res.stdout == raw, "report --format xlsx equals the HTTP body")
        status, rep = daemon.get("/api/v1/report?year=2023&center=433101")
        _, _, raw = get_raw(daemon, "/api/v1/report?year=2023&center=433101&format=xlsx")
        ws = openpyxl.load_workbook(io.BytesIO(raw)).active
        ck.eq(ws.cell(6, 3).value, rep["indicators"][0]["name"], "a report without targets in xlsx")

        # Bad requests and arguments.
        for q, want in (("", 400), ("period=2021-13", 400), ("period=2021-Q5", 400), ("period=21-09", 400),
                        ("period=2024-07", 400), ("period=2021-09&format=pdf", 400),
                        ("period=2021-09&center=999999", 404), ("period=2021-09&colour=red", 400),
                        ("period=2021-09&period=2021-10", 400), ("period=%27%20OR%201=1", 400)):
            status, body = daemon.get("/api/v1/statistics?" + q)
            ck.eq(status, want, "statistics?%s" % q)
            ck.true(isinstance(body, dict) and "error" in body, "statistics?%s: JSON error" % q)
        code, out, err = run_daemon(daemon.config, "--now", NOW, "statistics", "--period", "2025")
        ck.eq(code, 2, "statistics of a period not begun: %s" % err.strip())
        code, out, err = run_daemon(daemon.config, "statistics")
        ck.eq(code, 2, "statistics without --period")
        code, out, err = run_daemon(daemon.config, "--now", NOW, "statistics", "--period", "2021", "--center", "999999")
        ck.eq(code, 1, "statistics of an unknown centre")
        code, out, err = run_daemon(daemon.config, "statistics", "--year", "2021")
        ck.eq(code, 2, "--year is the report's")
    finally:
        if daemon:
            daemon.stop()
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
