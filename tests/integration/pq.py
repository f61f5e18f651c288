"""The tests' SQL client: libpq through ctypes, one session per script, run
the way `psql -X -q -A -t -F '\\t' -v ON_ERROR_STOP=1` runs it -- each
statement sent on its own and committed on its own, the rows of every
result printed tab-separated (NULL as an empty field), the first error
ending the script. Why not psql itself: starting psql costs ~50 ms before
it connects (a connection is ~15 ms), and the suite runs thousands of
scripts. A script with psql meta-commands (a line beginning with a
backslash, such as the seed scripts' `\\set rows`) is not this module's;
harness.PgServer.psql hands those to psql. Python standard library only.
"""
import ctypes
import ctypes.util

_lib = None
_quiet = None  # the notice processor; kept referenced while libpq holds it

CONNECTION_OK = 0
PGRES_EMPTY_QUERY, PGRES_COMMAND_OK, PGRES_TUPLES_OK = 0, 1, 2


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
                              ("PQgetisnull", i, [p, i, i]),
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


def run_script(conninfo, sql):
    """Runs SQL in a new session; returns (output, error): the rows printed
    so far, and None or the server's (or libpq's) message for the statement
    that failed, after which nothing more ran. Closing the session rolls
    back a transaction the script left open, as psql's exit does."""
    lib = _libpq()
    conn = lib.PQconnectdb(("%s client_encoding=UTF8" % conninfo).encode())
    try:
        if lib.PQstatus(conn) != CONNECTION_OK:
            return "", (lib.PQerrorMessage(conn) or b"").decode(errors="replace")
        lib.PQsetNoticeProcessor(conn, ctypes.cast(_quiet, ctypes.c_void_p), None)
        out = []
        for stmt in split_statements(sql):
            res = lib.PQexec(conn, stmt.encode())
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
                    msg = lib.PQresultErrorMessage(res) if res else lib.PQerrorMessage(conn)
                    if status == 3 or status == 4:  # COPY: psql's job
                        msg = b"COPY ... STDIN/STDOUT is not supported by tests' pq.run_script"
                    return "".join(out), (msg or b"unknown error").decode(errors="replace")
            finally:
                if res:
                    lib.PQclear(res)
        return "".join(out), None
    finally:
        lib.PQfinish(conn)
