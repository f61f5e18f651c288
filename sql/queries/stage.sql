-- The store writer's staging table, made on every connect (a temporary
-- table, the session's own): the rows of one batch are copied into it
-- (COPY ... FROM STDIN) and applied by ggzy.apply_images or compared by
-- ggzy.diff_keys in the same transaction, whose end empties it.
CREATE TEMP TABLE IF NOT EXISTS ggzy_stage (
    key         text    NOT NULL,
    deleted     boolean NOT NULL DEFAULT false,
    day         date,
    center      text,
    category    text,
    kind        text,
    scope       text,
    role        text,
    person      bytea,
    ref         text,
    fingerprint bigint,
    m1 numeric, m2 numeric, m3 numeric, m4 numeric, m5 numeric, m6 numeric,
    m7 numeric, m8 numeric, m9 numeric, m10 numeric, m11 numeric, m12 numeric
) ON COMMIT DELETE ROWS
