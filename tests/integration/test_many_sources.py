"""Many sources of a kind, and several daemons on one store (SPEC §12):

(a) 22 trading platforms ([source trading.pNN], half of them from
    sources_dir files) and two expert platforms, each a schema of its own
    (deal ids repeat across platforms, as they do between vendors): every
    centre's figures equal SQL over its platform's rows; each source has its
    own health series; a centre a second platform also reports is refused
    for it (logged once, in /readyz and /api/v1/status, never counted
    twice); the remotely evaluated deals join each deal with the evaluations
    of the expert platform that serves its centre, not with a namesake deal
    of another platform; at most max_active_sources jobs ran at once.
(b) two daemons (instance a and b) on one store: every source is polled by
    exactly one of them; a killed with -9, b takes its sources within two
    lease periods, and the figures stay exact through changes made after
    the kill."""
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse
from decimal import Decimal

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import work_dir
from harness import (Checker, Daemon, PgServer, config_text, free_port, source_sql, wait_until)

PLATFORMS = ["p%02d" % i for i in range(1, 23)]
TZ = "Asia/Shanghai"


def county(i):
    return "43%04d" % (1000 + i)  # one county per platform


def contract_in_schema(pg, db, schema, contract):
    """The contract's tables in SCHEMA (the role's search_path points there)."""
    pg.psql(db, "CREATE SCHEMA %s; SET search_path = %s;\n%s" % (schema, schema, source_sql(contract)))


def platform_data(i):
    """Platform i: its county under the province, 40 deals in 2021, deal ids
    D1..D40 as on every platform."""
    c = county(i)
    return """
        INSERT INTO centers VALUES ('430000', '湖南省', NULL, 'province'),
                                   ('{c}', '县{i}', '430000', 'county');
        INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount,
                           deal_at, fully_electronic, remote_opening, status, service_fee)
        SELECT 'D' || g, 'p', '{c}', (ARRAY['engineering', 'gov_procurement'])[1 + g % 2],
               'open', {i} * 1000 + g * 1.01, timestamptz '2021-01-01 10:00+08' + g * interval '8 days',
               true, false, 'awarded', 1
          FROM generate_series(1, 40) g;""".format(c=c, i=i)


def series(daemon, metric, center=None, frm="2021-01-01", to="2021-12-31"):
    q = {"metric": metric, "from": frm, "to": to, "step": "year"}
    if center:
        q["center"] = center
    status, body = daemon.get("/api/v1/series?" + urllib.parse.urlencode(q))
    return body["points"][0]["value"] if status == 200 and body["points"] else (status, body)


def part_platforms(ck, pg, work):
    pg.createdb("trading")
    pg.createdb("expert")
    pg.createdb("store")
    for i, p in enumerate(PLATFORMS, 1):
        contract_in_schema(pg, "trading", p, "trading.sql")
        pg.psql("trading", "SET search_path = %s;\n%s" % (p, platform_data(i)))
    # p22 also reports five deals of p01's county: refused for it.
    pg.psql("trading", """SET search_path = p22;
        INSERT INTO deals (deal_id, project_code, center_code, category, method, deal_amount, deal_at,
                           fully_electronic, remote_opening, status, service_fee)
        SELECT 'X' || g, 'p', '%s', 'engineering', 'open', 99999.99, '2021-05-05 10:00+08', true,
               false, 'awarded', 1 FROM generate_series(1, 5) g""" % county(1))
    # Two expert platforms: e1 serves the counties of p01-p11, e2 of p12-p22;
    # each evaluates remotely D1..D3 of its counties (deal ids that every
    # trading platform has).
    for e, rng in (("e1", range(1, 12)), ("e2", range(12, 23))):
        contract_in_schema(pg, "expert", e, "expert.sql")
        pg.psql("expert", """SET search_path = %s;
            INSERT INTO evaluations (evaluation_id, deal_id, center_code, category, started_at,
                                     remote, remote_scope, venue_role, status)
            SELECT c || '-' || g, 'D' || g, c, 'engineering', '2021-01-05 10:00+08', true,
                   'intra_province', 'host', 'done'
              FROM unnest(ARRAY[%s]) c, generate_series(1, 3) g;
            INSERT INTO assignments (assignment_id, evaluation_id, expert_id, center_code, drawn_at,
                                     attended, fee_amount, fee_paid_online, rating, violation)
            SELECT c || '-a', c || '-1', 'X1', c, '2021-01-05 09:00+08', true, 100, true, NULL, false
              FROM unnest(ARRAY[%s]) c""" % (e, ",".join("'%s'" % county(i) for i in rng),
                                             ",".join("'%s'" % county(i) for i in rng)))
    # Half the platforms in the main file, half in sources_dir.
    port = free_port()
    opts = {"interval": "1h", "reconcile_interval": "1h", "statement_timeout": "10s"}
    sources = {"trading.%s" % p: pg.conninfo("trading") + " options='-c search_path=%s'" % p
               for p in PLATFORMS[:11]}
    sources.update({"expert.%s" % e: pg.conninfo("expert") + " options='-c search_path=%s'" % e
                    for e in ("e1", "e2")})
    sdir = os.path.join(work, "sources.d")
    os.mkdir(sdir)
    for p in PLATFORMS[11:]:
        with open(os.path.join(sdir, "%s.conf" % p), "w") as f:
            f.write("[source trading.%s]\nconninfo = %s options='-c search_path=%s'\n"
                    "interval = 1h\nreconcile_interval = 1h\n" % (p, pg.conninfo("trading"), p))
    cfg = config_text(port, pg.conninfo("store"), sources,
                      extra_daemon="sources_dir = %s\nmax_active_sources = 4\n" % sdir,
                      source_opts={s: opts for s in sources})
    cfg = re.sub(r"log_level = \w+", "log_level = debug", cfg)
    daemon = Daemon(work, cfg, ["--now", "2022-03-01T10:00:00"])
    try:
        daemon.start(wait_ready=False)
        wait_until(lambda: all(s["first_poll_done"] for s in daemon.get("/api/v1/status")[1]["sources"]),
                   timeout=120, what="every source's first poll")
        status, body = daemon.get("/api/v1/status")
        ck.eq(sorted(s["name"] for s in body["sources"]),
              sorted(["trading.%s" % p for p in PLATFORMS] + ["expert.e1", "expert.e2"]),
              "24 sources, 11 of them from sources_dir")
        # Every county's figures: its platform's rows (p01's without p22's five).
        for i, p in enumerate(PLATFORMS, 1):
            want = pg.rows("trading", "SELECT sum(deal_amount) FROM %s.deals WHERE center_code = '%s'"
                           % (p, county(i)))[0][0]
            ck.eq(series(daemon, "deal_amount", county(i)), want, "county of %s" % p)
        total = sum(Decimal(pg.rows("trading", "SELECT sum(deal_amount) FROM %s.deals WHERE center_code = '%s'"
                                    % (p, county(i)))[0][0]) for i, p in enumerate(PLATFORMS, 1))
        ck.eq(series(daemon, "deal_amount", "430000"), str(total), "the province: every platform once")
        ck.eq(series(daemon, "deal_amount"), str(total), "all centres")
        # The duplicate centre: refused, said once, shown.
        status, ready = daemon.get("/readyz")
        ck.true(status == 503 and any("centre %s is claimed by source trading.p01" % county(1) in r
                                      and r.startswith("source trading.p22") for r in ready["reasons"]),
                "/readyz names the duplicate centre: %s" % ready)
        conflicts = daemon.get("/api/v1/status")[1]["center_conflicts"]
        ck.eq([(c["source"], c["center"], c["claimed_by"], c["rows"]) for c in conflicts],
              [("trading.p22", county(1), "trading.p01", 5)], "/api/v1/status: the conflict")
        log = daemon.read_log()
        ck.eq(log.count("claimed by another trading source are refused"), 1, "logged once")
        # Remote evaluations: D1..D3 of each county, joined with the expert
        # platform of that county only (every platform has a D1).
        for i, p in enumerate(PLATFORMS, 1):
            want = pg.rows("trading", "SELECT sum(deal_amount) FROM %s.deals WHERE deal_id IN ('D1','D2','D3')"
                                      " AND center_code = '%s'" % (p, county(i)))[0][0]
            ck.eq(series(daemon, "remote_evaluated_deal_amount", county(i)), want, "remote deals of %s" % p)
        ck.eq(series(daemon, "remote_evaluated_deals_count"), 3 * len(PLATFORMS), "3 per platform, no more")
        # A health series per source.
        _, metrics = daemon.get("/metrics")
        for p in PLATFORMS:
            ck.true('ggzy_source_up{source="trading.%s"} 1' % p in metrics, "ggzy_source_up of %s" % p)
        # Never more than max_active_sources jobs at once (the debug log
        # says when each starts and ends).
        running, most = set(), 0
        for m in re.finditer(r"source (\S+): (poll|reconciliation) (started|done|failed)", log):
            (running.add if m.group(3) == "started" else running.discard)(m.group(1))
            most = max(most, len(running))
        ck.true(1 < most <= 4, "at most 4 jobs at once (%d)" % most)
        ck.eq(daemon.stop(), 0, "clean exit")
        daemon = None
    finally:
        if daemon:
            daemon.stop()


def leases(pg):
    """Who holds what; nothing before the first daemon has made the schema."""
    if pg.rows("store2", "SELECT to_regclass('ggzy.lease') IS NULL")[0][0] == "t":
        return {}
    return dict(pg.rows("store2", "SELECT source, instance FROM ggzy.lease"))


def part_two_daemons(ck, pg, work):
    pg.createdb("store2")
    names = PLATFORMS[:6]
    sources = {"trading.%s" % p: pg.conninfo("trading") + " options='-c search_path=%s'" % p for p in names}
    opts = {s: {"interval": "1s", "reconcile_interval": "1h"} for s in sources}
    daemons = {}
    try:
        for inst in ("a", "b"):
            d = os.path.join(work, inst)
            os.mkdir(d)
            cfg = config_text(free_port(), pg.conninfo("store2"), sources,
                              extra_daemon="instance = %s\nlease = 2s\n" % inst, source_opts=opts)
            daemons[inst] = Daemon(d, cfg, ["--now", "2022-03-01T10:00:00"])
            daemons[inst].start(wait_ready=False)
        wait_until(lambda: len(leases(pg)) == 6 and all(
            daemons[i].get("/readyz")[0] == 200 for i in daemons), timeout=90, what="both ready")
        held = {i: sorted(s["name"] for s in daemons[i].get("/api/v1/status")[1]["sources"] if s["leased"])
                for i in daemons}
        ck.eq(sorted(held["a"] + held["b"]), sorted(sources), "every source held once: %s" % held)
        ck.true(not set(held["a"]) & set(held["b"]), "by exactly one instance")
        ck.eq(sorted(leases(pg).items()), sorted((s, i) for i in held for s in held[i]),
              "ggzy.lease says who holds what")
        ck.eq(daemons["b"].get("/api/v1/status")[1]["leases"][0]["source"], "trading.p01",
              "/api/v1/status lists the leases")
        victim = "a" if held["a"] else "b"
        other = "b" if victim == "a" else "a"
        t0 = time.time()
        daemons[victim].kill9()
        # Changes after the kill, in every platform.
        for p in names:
            pg.psql("trading", "UPDATE %s.deals SET deal_amount = deal_amount + 0.07 WHERE deal_id = 'D5'" % p)
        wait_until(lambda: all(s["leased"] for s in daemons[other].get("/api/v1/status")[1]["sources"]),
                   timeout=30, what="the survivor takes every source")
        took = time.time() - t0
        ck.true(took <= 2 * 2 + 1, "taken over within two lease periods (%.1f s)" % took)
        wait_until(lambda: all(series(daemons[other], "deal_amount", county(i)) ==
                               pg.rows("trading", "SELECT sum(deal_amount) FROM %s.deals WHERE center_code = '%s'"
                                       % (p, county(i)))[0][0] for i, p in enumerate(names, 1)),
                   timeout=30, what="the changes after the kill polled by the survivor")
        ck.eq(set(leases(pg).values()), {other}, "ggzy.lease: the survivor holds all")
        ck.eq(daemons[other].stop(), 0, "clean exit")
        del daemons[other]
    finally:
        for d in daemons.values():
            d.stop()


def main():
    ck = Checker("test_many_sources")
    pg = PgServer("many", settings={"max_connections": "100"})
    work = work_dir("many")
    try:
        part_platforms(ck, pg, work)
        part_two_daemons(ck, pg, work)
    finally:
        pg.close()
    ck.finish()


if __name__ == "__main__":
    main()
