"""The README's worked example of mapping a vendor schema: its SQL block, run
as written on a vendor database with amounts in 万元, Chinese status codes,
one-letter categories and local times without a zone, then the daemon --once
through the read-only role and search_path of the README's conninfo. The
stored figures equal sums over the vendor table, to the fen, and the role can
neither read the vendor schema nor write."""
import decimal
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import Checker, PgServer, config_text, free_port, run_daemon, SOURCE_DIR

VENDOR = r"""
CREATE SCHEMA zbxt;
CREATE TABLE zbxt.t_jyzx (zxbm varchar(12) PRIMARY KEY, zxmc varchar(100) NOT NULL,
                          sjbm varchar(12) NOT NULL DEFAULT '', jb char(1) NOT NULL);
CREATE TABLE zbxt.t_bd_jg (bdbh varchar(40) PRIMARY KEY, xmbh varchar(40) NOT NULL,
    zxbm varchar(12) NOT NULL, hylb char(1) NOT NULL, jyfs varchar(20) NOT NULL,
    ysje_wy numeric(20,6), dj_wy numeric(20,6), cjje_wy numeric(20,6),
    kbsj timestamp, cjsj timestamp NOT NULL, qlcdzh varchar(2), bjmkb char(1),
    zt varchar(8) NOT NULL, fwf numeric(16,2), xgsj timestamptz NOT NULL DEFAULT now());
INSERT INTO zbxt.t_jyzx VALUES ('430000', '湖南省公共资源交易中心', '', '1'),
    ('430100', '长沙市公共资源交易中心', '430000', '2'), ('430102', '芙蓉区公共资源交易中心', '430100', '3'),
    ('433100', '湘西州公共资源交易中心', '430000', '2');
SELECT setseed(0.17);
INSERT INTO zbxt.t_bd_jg
SELECT 'BD' || g, 'XM' || (g / 3),
       (ARRAY['430000','430100','430102','433100'])[1 + floor(random() * 4)::int],
       (ARRAY['A','B','C','D','E','F'])[1 + floor(random() * 6)::int],
       'gkzb',
       CASE WHEN random() < 0.8 THEN round((wy * (1 + random() * 0.2))::numeric, 6) END,
       CASE WHEN random() < 0.3 THEN round((wy * 0.9)::numeric, 6) END,
       CASE WHEN zt IN ('中标', '成交') OR random() < 0.5 THEN wy END,
       CASE WHEN random() < 0.8 THEN t - interval '2 days' END,
       t,
       CASE WHEN random() < 0.1 THEN NULL WHEN random() < 0.85 THEN '是' ELSE '否' END,
       CASE WHEN random() < 0.1 THEN NULL WHEN random() < 0.6 THEN 'Y' ELSE 'N' END,
       zt,
       CASE WHEN random() < 0.9 THEN round((wy * 10)::numeric, 2) END,
       now()
  FROM generate_series(1, 1500) AS g,
       LATERAL (SELECT round((0.5 + random() * random() * 5000)::numeric, 6) AS wy,
                       timestamp '2021-01-01' + (random() * 729) * interval '1 day'
                           + CASE WHEN g % 10 = 0 THEN interval '23 hours 50 minutes' ELSE interval '0' END
                           - CASE WHEN g % 10 = 0 THEN (random() * 12) * interval '1 hour' ELSE interval '0' END AS t,
                       (ARRAY['中标','中标','中标','成交','流标','废标','终止','进行中'])[1 + floor(random() * 8)::int] AS zt
               OFFSET 0) AS r;
-- the year boundary, in local time: 23:59 on 31 December is still that year
INSERT INTO zbxt.t_bd_jg VALUES
  ('EDGE1', 'XE', '433100', 'A', 'gkzb', 1.234567, NULL, 1.234567, NULL, '2021-12-31 23:59:30', '是', 'Y', '中标', 12.35, now()),
  ('EDGE2', 'XE', '433100', 'A', 'gkzb', NULL, 0.5, 0.555555, NULL, '2022-01-01 00:00:10', '否', 'N', '成交', 0, now());
"""


def readme_block():
    with open(os.path.join(SOURCE_DIR, "README.md")) as f:
        text = f.read()
    section = text.split("\n## Mapping a vendor schema\n", 1)[1].split("\n## ", 1)[0]
    sql = re.findall(r"```sql\n(.*?)```", section, re.S)
    ini = re.findall(r"```ini\n(.*?)```", section, re.S)
    return sql[0], ini[0]


def main():
    ck = Checker("test_vendor_mapping")
    sql, ini = readme_block()
    conninfo = re.search(r"^conninfo = (.*)$", ini, re.M).group(1)
    ck.true("options='-c search_path=ggzy_views'" in conninfo, "the README's conninfo sets the search_path")
    work = work_dir("vendor")
    pg = PgServer("vendor")
    try:
        pg.createdb("zbxt")
        pg.createdb("store")
        pg.psql("zbxt", VENDOR)
        pg.psql("zbxt", sql)  # the README's block, as written
        # the README's conninfo, on this server (trust authentication: no password)
        conninfo = conninfo.replace("host=db1", "host=%s port=%d" % (pg.sock, pg.port))
        cfg = os.path.join(work, "vendor.conf")
        with open(cfg, "w") as f:
            f.write(config_text(free_port(), pg.conninfo("store"), {"trading": conninfo}))
        code, _, err = run_daemon(cfg, "--once")
        ck.eq(code, 0, "--once through the vendor views: %s" % err[-2000:])

        # independent figures, straight from the vendor table in 万元 and local days
        want = pg.rows("zbxt", """
            SELECT extract(year FROM cjsj)::int, zxbm,
                   count(*) FILTER (WHERE zt IN ('中标', '成交')),
                   coalesce(sum(round(cjje_wy * 10000, 2)) FILTER (WHERE zt IN ('中标', '成交')), 0),
                   coalesce(sum(round(ysje_wy * 10000, 2) - round(cjje_wy * 10000, 2))
                            FILTER (WHERE zt IN ('中标', '成交') AND ysje_wy IS NOT NULL), 0),
                   count(*) FILTER (WHERE zt IN ('中标', '成交') AND qlcdzh = '是'),
                   count(*) FILTER (WHERE zt IN ('流标', '废标', '终止')),
                   coalesce(sum(coalesce(fwf, 0)) FILTER (WHERE zt IN ('中标', '成交')), 0)
              FROM zbxt.t_bd_jg GROUP BY 1, 2 ORDER BY 1, 2""")
        got = pg.rows("store", """
            SELECT extract(year FROM day)::int, center,
                   coalesce(sum(value) FILTER (WHERE metric = 'deals_count'), 0),
                   coalesce(sum(value) FILTER (WHERE metric = 'deal_amount'), 0),
                   coalesce(sum(value) FILTER (WHERE metric = 'savings_amount'), 0),
                   coalesce(sum(value) FILTER (WHERE metric = 'fully_electronic_count'), 0),
                   coalesce(sum(value) FILTER (WHERE metric = 'cancelled_count'), 0),
                   coalesce(sum(value) FILTER (WHERE metric = 'service_fee_amount'), 0)
              FROM ggzy_api.daily_values GROUP BY 1, 2 ORDER BY 1, 2""")
        norm = lambda rows: [[r[0], r[1]] + [decimal.Decimal(v) for v in r[2:]] for r in rows]
        ck.eq(norm(got), norm(want), "figures per year and centre, to the fen")
        ck.true(len(want) == 8, "two years, four centres: %d rows" % len(want))
        edge = pg.rows("store", "SELECT day, value FROM ggzy_api.daily_values WHERE metric = 'deal_amount' AND center = '433100'"
                                " AND category = 'engineering' AND day IN ('2021-12-31', '2022-01-01') ORDER BY day")
        ck.eq([r[0] for r in edge], ["2021-12-31", "2022-01-01"], "both sides of the year boundary are stored")
        ck.eq(pg.rows("store", "SELECT count(*) FROM ggzy.center"), [["4"]], "centres through the view")
        ck.eq(pg.rows("store", "SELECT parent_code IS NULL FROM ggzy.center WHERE center_code = '430000'"), [["t"]],
              "'' parent is NULL")

        def as_ro(q):
            return subprocess.run(["psql", "-X", "-A", "-t", "-h", pg.sock, "-p", str(pg.port), "-U", "ggzy_ro",
                                   "-d", "zbxt", "-c", q], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, timeout=60)
        res = as_ro("SELECT count(*) FROM zbxt.t_bd_jg")
        ck.true(res.returncode != 0 and "permission denied" in res.stdout, "ggzy_ro cannot read zbxt: %s" % res.stdout)
        res = as_ro("DELETE FROM ggzy_views.deals")
        ck.true(res.returncode != 0, "ggzy_ro cannot write: %s" % res.stdout)
        plan = pg.psql("zbxt", "SET enable_seqscan = off; EXPLAIN SELECT * FROM ggzy_views.deals "
                               "WHERE deal_at >= '2021-03-01 00:00+08' AND deal_at < '2021-03-02 00:00+08'")
        ck.true("t_bd_jg_cjsj_idx" in plan, "the expression index serves a day's recomputation: %s" % plan)
    finally:
        pg.close()
        if not os.environ.get("GGZY_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
    ck.finish()


if __name__ == "__main__":
    main()
