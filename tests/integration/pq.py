"""The tests' SQL client: libpq through ctypes, run the way
`psql -X -q -A -t -F '\\t' -v ON_ERROR_STOP=1` runs a script -- each
statement sent on its own and committed on its own, the rows of every
result printed tab-separated (NULL as an empty field), the first error
ending the script, and nothing of the script's session left for the next
one. Why not psql itself: starting psql costs ~50 ms before it connects,
a connection ~15 ms more, a statement ~0.03 ms, and the suite runs
thousands of scripts. A script with psql meta-commands (a line beginning
with a backslash, such as the seed scripts' `\\set rows`) is not this
module's; harness.PgServer.psql hands those to psql. Python standard
library only.
"""
import collections
import ctypes
import ctypes.util
import threading

_lib = None
_quiet = None  # the notice processor; kept referenced while libpq holds it

CONNECTION_OK = 0
PGRES_EMPTY_QUERY, PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_COPY_OUT, PGRES_COPY_IN = range(5)
PQTRANS_IDLE = 0


def _libpq():
    global _lib, _quiet
    if _lib is None:
        name = ctypes.util.find_library("pq")
        if not name:
            raise RuntimeError("libpq not found (Debian: libpq5)")
        lib = ctypes.CDLL(name)
        p, i, s = ctypes.c_void_p, ctypes.c_int, ctypes.c_char_p
        for fn, res, args in (("PQconnectdb", p, [s]), ("PQstatus", i, [p]),
                              ("PQerrorMessage", s, [p]), ("PQfinish", None, [p]),
                              ("PQexec", p, [p, s]), ("PQresultStatus", i, [p]),
                              ("PQresultErrorMessage", s, [p]), ("PQclear", None, [p]),
                              ("PQntuples", i, [p]), ("PQnfields", i, [p]),
                              ("PQgetvalue", p, [p, i, i]), ("PQgetlength", i, [p, i, i]),
                              ("PQgetisnull", i, [p, i, i]), ("PQtransactionStatus", i, [p]),
                              ("PQsetNoticeProcessor", p, [p, p, p])):
            f = getattr(lib, fn)
            f.restype, f.argtypes = res, args
        # psql writes notices to its stderr, which the harness drops.
        _quiet = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_char_p)(lambda arg, msg: None)
        _lib = lib
    return _lib


def split_statements(sql):
    """SQL text cut at each top-level semicolon, as psql's lexer cuts it:
    not inside quotes ('...', E'...', "..."), dollar quotes ($tag$...$tag$),
    comments (--, nested /* */) or parentheses. Statements that are only
    blanks and comments are dropped."""
    out, start, i, n, depth = [], 0, 0, len(sql), 0
    meaningful = False
    while i < n:
        c = sql[i]
        if c == "-" and sql.startswith("--", i):
            j = sql.find("\n", i)
            i = n if j < 0 else j + 1
            continue
        if c == "/" and sql.startswith("/*", i):
            level, i = 1, i + 2
            while i < n and level:
                if sql.startswith("/*", i):
                    level, i = level + 1, i + 2
                elif sql.startswith("*/", i):
                    level, i = level - 1, i + 2
                else:
                    i += 1
            continue
        if c.isspace():
            i += 1
            continue
        meaningful = meaningful or c != ";"
        if c == "'":
            escapes = i > 0 and sql[i - 1] in "eE" and (i < 2 or not (sql[i - 2].isalnum() or sql[i - 2] == "_"))
            i += 1
            while i < n:
                if escapes and sql[i] == "\\":
                    i += 2
                elif sql[i] == "'":
                    if sql.startswith("''", i):
                        i += 2
                    else:
                        break
                else:
                    i += 1
            i += 1
        elif c == '"':
            j = sql.find('"', i + 1)
            while j >= 0 and sql.startswith('""', j):
                j = sql.find('"', j + 2)
            i = n if j < 0 else j + 1
        elif c == "$" and not (i > 0 and (sql[i - 1].isalnum() or sql[i - 1] == "_")):
            j = i + 1
            while j < n and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            if j < n and sql[j] == "$" and not sql[i + 1:i + 2].isdigit():
                tag = sql[i:j + 1]
                k = sql.find(tag, j + 1)
                i = n if k < 0 else k + len(tag)
            else:
                i = j
        elif c == "(":
            depth, i = depth + 1, i + 1
        elif c == ")":
            depth, i = max(depth - 1, 0), i + 1
        elif c == ";" and depth == 0:
            if meaningful:
                out.append(sql[start:i + 1].strip())
            start, i, meaningful = i + 1, i + 1, False
        else:
            i += 1
    if meaningful and sql[start:].strip():
        out.append(sql[start:].strip())
    return out


class _Session:
    """A libpq connection, closed when it is dropped."""

    def __init__(self, conninfo):
        self.lib = _libpq()
        self.conn = self.lib.PQconnectdb(("%s client_encoding=UTF8" % conninfo).encode())
        self.error = None
        if self.lib.PQstatus(self.conn) != CONNECTION_OK:
            self.error = (self.lib.PQerrorMessage(self.conn) or b"").decode(errors="replace")
        else:
            self.lib.PQsetNoticeProcessor(self.conn, ctypes.cast(_quiet, ctypes.c_void_p), None)

    def alive(self):
        """Whether the server still answers: after a lost connection
        libpq may say CONNECTION_OK until it is used again."""
        if not self.conn or self.lib.PQstatus(self.conn) != CONNECTION_OK:
            return False
        res = self.lib.PQexec(self.conn, b"")
        ok = res and self.lib.PQresultStatus(res) == PGRES_EMPTY_QUERY
        if res:
            self.lib.PQclear(res)
        return bool(ok)

    def execute(self, statements):
        """Runs the statements in order; returns (output, error, how many
        ran without error)."""
        lib, out = self.lib, []
        for done, stmt in enumerate(statements):
            res = lib.PQexec(self.conn, stmt.encode())
            try:
                status = lib.PQresultStatus(res) if res else -1
                if status == PGRES_TUPLES_OK:
                    cols = range(lib.PQnfields(res))
                    for r in range(lib.PQntuples(res)):
                        out.append("\t".join(
                            "" if lib.PQgetisnull(res, r, c)
                            else ctypes.string_at(lib.PQgetvalue(res, r, c),
                                                  lib.PQgetlength(res, r, c)).decode()
                            for c in cols) + "\n")
                elif status not in (PGRES_COMMAND_OK, PGRES_EMPTY_QUERY):
                    msg = lib.PQresultErrorMessage(res) if res else lib.PQerrorMessage(self.conn)
                    if status in (PGRES_COPY_OUT, PGRES_COPY_IN):
                        msg = b"COPY ... STDIN/STDOUT is psql's job, not pq's"
                    return "".join(out), (msg or b"unknown error").decode(errors="replace"), done
            finally:
                if res:
                    lib.PQclear(res)
        return "".join(out), None, len(statements)

    def reset(self):
        """What psql's exit does for the next script: a transaction left
        open rolled back, the session's settings, temporary tables,
        prepared statements and advisory locks gone, and the statistics
        of what it did (pg_stat_user_tables) reported now, as a backend
        does when it exits, not up to a second later, after a test reset
        them (test_row_store counts a load's scans so). PostgreSQL 15; an
        older server fails it, and a session is then not kept. False (a
        session that failed it, or is gone): drop it."""
        for stmt in ((b"ROLLBACK",) if self.lib.PQtransactionStatus(self.conn) != PQTRANS_IDLE
                     else ()) + (b"DISCARD ALL", b"SELECT pg_stat_force_next_flush()"):
            res = self.lib.PQexec(self.conn, stmt)
            ok = res and self.lib.PQresultStatus(res) in (PGRES_COMMAND_OK, PGRES_TUPLES_OK)
            if res:
                self.lib.PQclear(res)
            if not ok:
                return False
        return True

    def __del__(self):
        if self.conn:
            self.lib.PQfinish(self.conn)
            self.conn = None


class Client:
    """Runs scripts as psql would, each in a session of its own as far as
    it can tell: a session is kept between scripts (a connection costs
    ~15 ms, a statement ~0.03) and reset after each (_Session.reset), a few
    per thread (threads of a test poll while others write). A kept
    session found dead (the server restarted, the backend terminated) is
    replaced, and the script, which then ran nowhere, run again."""

    KEPT = 4  # sessions kept per thread (max_connections is 50 in tests)

    def __init__(self):
        self._local = threading.local()

    def _kept(self):
        if not hasattr(self._local, "sessions"):
            self._local.sessions = collections.OrderedDict()
        return self._local.sessions

    def run(self, conninfo, sql):
        """Returns (output, error): the rows printed so far, and None or
        the server's (or libpq's) message for the statement that failed,
        after which nothing more ran."""
        statements = split_statements(sql)
        kept = self._kept()
        for _ in range(2):
            s = kept.pop(conninfo, None)
            reused = s is not None
            if s is None:
                s = _Session(conninfo)
                if s.error:
                    return "", s.error
            out, err, ran = s.execute(statements)
            if err and reused and ran == 0 and not s.alive():
                continue
            break
        if s.reset():
            kept[conninfo] = s
            while len(kept) > self.KEPT:
                kept.popitem(last=False)
        return out, err

    def close(self):
        """Closes this thread's kept sessions (others close as their
        threads end)."""
        self._kept().clear()
