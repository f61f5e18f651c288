"""The harness's SQL client (pq.py) against psql itself: the statement
splitter on quoting, comments and parentheses, then scripts run both ways on
one server -- the same output byte for byte (NULLs, booleans, UTF-8, an
embedded newline, several results, statements that refuse a transaction
block), the first error ending a script with what ran before it committed;
the session kept between scripts with nothing of one script's left for
the next, replaced when it died, one per thread; and a script with
meta-commands still handed to psql."""
import os
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import Checker, PgServer
import pq

SPLITS = [
    ("select 1; select 2", ["select 1;", "select 2"]),
    ("select ';'; select $$a;b$$; select $t$x;$t$;", ["select ';';", "select $$a;b$$;", "select $t$x;$t$;"]),
    ("-- c;\n select 1 /* ; /* ; */ */; ; ", ["-- c;\n select 1 /* ; /* ; */ */;"]),
    ("select E'a\\';b'; select 'it''s;'", ["select E'a\\';b';", "select 'it''s;'"]),
    ('select "a;""b" from t; create rule r as on insert to t do (insert into u values (1); '
     'insert into u values (2));',
     ['select "a;""b" from t;', "create rule r as on insert to t do (insert into u values (1); "
      "insert into u values (2));"]),
    ("select $1::int; select 2", ["select $1::int;", "select 2"]),
    ("DO $body$ BEGIN PERFORM 1; END $body$; select x$y;", ["DO $body$ BEGIN PERFORM 1; END $body$;", "select x$y;"]),
]

SCRIPTS = [
    "SELECT 1, NULL, 'a b', true; SELECT 'x' WHERE false; CREATE TABLE t (a int, b text); "
    "INSERT INTO t VALUES (1, '湘'), (2, NULL); SELECT * FROM t ORDER BY a",
    "BEGIN; INSERT INTO t VALUES (3, 'three'); SELECT count(*) FROM t; COMMIT; SELECT E'two\\nlines'",
    "DO $$BEGIN RAISE NOTICE 'said'; END$$; SELECT 1 AS a;  -- trailing comment",
    # Refused inside a transaction block: psql sends each statement alone.
    "CREATE DATABASE DB; SELECT datname FROM pg_database WHERE datname = 'DB'; VACUUM t; DROP DATABASE DB",
]


def main():
    c = Checker("test_pq")
    for sql, want in SPLITS:
        c.eq(pq.split_statements(sql), want, "split %r" % sql)
    pg = PgServer()
    try:
        # The same scripts in two databases: psql's output is the reference.
        pg.createdb("by_psql")
        pg.createdb("by_pq")
        for sql in SCRIPTS:
            ref = pg.psql_process("by_psql", sql.replace("DB", "made_by_psql"))
            c.eq(ref.returncode, 0, "psql ran %r: %s" % (sql, ref.stderr))
            got = pg.psql("by_pq", sql.replace("DB", "made_by_pq"))
            c.eq(got, ref.stdout.replace("made_by_psql", "made_by_pq"), "output of %r" % sql)
        # The first error ends the script; what ran before it stays.
        conninfo = "host=%s port=%d user=postgres dbname=by_pq" % (pg.sock, pg.port)
        out, err = pq.Client().run(conninfo, "INSERT INTO t VALUES (9, 'a'); SELECT 9; SELECT 1/0; "
                                           "INSERT INTO t VALUES (10, 'b')")
        c.eq(out, "9\n", "rows printed before the error")
        c.true(err and "division by zero" in err, "the error: %r" % err)
        c.eq(pg.rows("by_pq", "SELECT a FROM t WHERE a >= 9"), [["9"]], "committed before the error")
        try:
            pg.psql("by_pq", "SELECT nosuch")
            c.true(False, "an error raises")
        except RuntimeError as e:
            c.true('column "nosuch" does not exist' in str(e), "the raised error: %s" % e)
        # A left-open transaction is rolled back when the session ends.
        pg.psql("by_pq", "BEGIN; INSERT INTO t VALUES (11, 'open')")
        c.eq(pg.rows("by_pq", "SELECT count(*) FROM t WHERE a = 11"), [["0"]], "open transaction rolled back")
        # A session is kept between scripts, and nothing of one script's
        # session reaches the next: settings, temporary tables, locks.
        pid = pg.rows("by_pq", "SELECT pg_backend_pid()")[0][0]
        pg.psql("by_pq", "SET statement_timeout = '7s'; CREATE TEMP TABLE scratch (a int); "
                         "SELECT pg_advisory_lock(4242)")
        c.eq(pg.rows("by_pq", "SELECT pg_backend_pid()")[0][0], pid, "the session kept")
        c.eq(pg.rows("by_pq", "SHOW statement_timeout; SELECT to_regclass('scratch') IS NULL"),
             [["0"], ["t"]], "a setting and a temporary table do not outlive their script")
        ref = pg.psql_process("postgres", "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
        c.eq(ref.stdout, "0\n", "a session's advisory lock released with its script")
        # A kept session that died is replaced, and the script runs once.
        pg.psql_process("postgres", "SELECT pg_terminate_backend(%s, 5000)" % pid)  # gone on return
        pg.psql("by_pq", "INSERT INTO t VALUES (12, 'after a kill')")
        c.eq(pg.rows("by_pq", "SELECT count(*) FROM t WHERE a = 12"), [["1"]], "run once after a kill")
        # (immediate: no goodbye to the session; the harness's servers
        # commit asynchronously, so that row may be lost with it)
        pg.stop("immediate")
        pg.start()
        c.eq(pg.rows("by_pq", "SELECT 'up'"), [["up"]], "a script after a restart")
        # Threads have sessions of their own (a test polls while another
        # thread writes).
        pids = []
        threads = [threading.Thread(target=lambda: pids.append(
            pg.rows("by_pq", "SELECT pg_backend_pid(), pg_sleep(0.3)")[0][0])) for _ in range(2)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        c.eq(len(set(pids)), 2, "two threads, two sessions: %s" % pids)
        # Meta-commands: psql's.
        c.eq(pg.rows("by_pq", "\\set n 41\nSELECT :n + 1"), [["42"]], "a script with \\set")
    finally:
        pg.close()
    c.finish()


if __name__ == "__main__":
    main()
