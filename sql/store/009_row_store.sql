-- Store schema, version 9: the row-level store.
--
-- Until version 8 the unit of work was a whole day of a stream: a poll
-- recomputed every day its changed rows fell on, and the store held one row
-- per metric, day and label set (7.6 M rows for a million deals). Now the
-- store keeps, for every source row that contributes to a figure, its
-- current contribution (its image: key, day, labels, measures, fingerprint),
-- and a poll applies each changed row's delta (new image minus stored one)
-- to the totals, with the new images and the watermark, in one
-- transaction. A row that moved or stopped counting retracts exactly what
-- it had added; figures that are not sums of days (people counted once,
-- stocks, joins of two sources, the rows behind a figure) are read from the
-- images.
--
-- The functions that maintain these tables are not here: they are
-- sql/functions/*.sql, one file per function, applied by the daemon after
-- the migrations (CREATE OR REPLACE), so that the file a reader opens is
-- the function that runs. This file holds the tables, the fixed catalogue
-- of streams and measure columns, and the views.
--
-- Upgrade in place: the tables of versions 1-8 (ggzy.bucket,
-- ggzy.bucket_month, ggzy.day_state, ggzy.watermark) stay and keep serving
-- a stream's figures until the daemon has loaded that stream's images from
-- its source; the same transaction that makes the images' totals visible
-- deletes the stream's old rows (ggzy.finish_load). The read views below
-- are the union of both, so a stream is counted in one of them at a time.

-- ---- what the store knows of streams and sources ----

-- A stream: one relation of a source kind and one event time (SPEC §3). The
-- ids are fixed here and the same in every store (consolidated stores
-- replicate rows keyed by them).
CREATE TABLE ggzy.stream (
    id   smallint PRIMARY KEY,
    name text     NOT NULL UNIQUE,
    kind text     NOT NULL  -- the [source] kind: trading, deposit, expert
);
INSERT INTO ggzy.stream (id, name, kind) VALUES
    (1, 'deals', 'trading'),
    (2, 'evaluations', 'expert'),
    (3, 'assignments', 'expert'),
    (4, 'deposit_received', 'deposit'),
    (5, 'deposit_refunded', 'deposit');

-- Which measure column (m1 .. m12 of the tables below) holds which base
-- metric of the catalogue (daemon/catalog.c), and the labels the metric
-- carries (bits: 1 center, 2 category, 4 kind, 8 scope, 16 role): a stream's
-- rows carry the union of its metrics' labels. The daemon checks this table
-- against its catalogue at start. A new metric is a new row here (a new
-- migration), never a moved one: stored values are in these columns.
CREATE TABLE ggzy.measure (
    stream   smallint NOT NULL REFERENCES ggzy.stream,
    position smallint NOT NULL CHECK (position BETWEEN 1 AND 12),
    metric   text     NOT NULL UNIQUE,
    labels   integer  NOT NULL,
    PRIMARY KEY (stream, position)
);
INSERT INTO ggzy.measure (stream, position, metric, labels) VALUES
    (1, 1, 'deals_count', 3), (1, 2, 'deal_amount', 3), (1, 3, 'budget_amount', 3),
    (1, 4, 'savings_amount', 3), (1, 5, 'reserve_amount', 3), (1, 6, 'premium_amount', 3),
    (1, 7, 'fully_electronic_count', 3), (1, 8, 'opened_count', 3),
    (1, 9, 'remote_opening_count', 3), (1, 10, 'service_fee_amount', 3),
    (1, 11, 'cancelled_count', 3),
    (2, 1, 'evaluations_count', 3), (2, 2, 'remote_evaluations_count', 27),
    (3, 1, 'expert_draws_count', 1), (3, 2, 'expert_attended_count', 1),
    (3, 3, 'expert_fee_amount', 1), (3, 4, 'expert_fee_online_amount', 1),
    (3, 5, 'expert_reviews_count', 1), (3, 6, 'expert_violations_count', 1),
    (4, 1, 'deposits_count', 7), (4, 2, 'deposit_amount', 7),
    (5, 1, 'refunds_count', 7), (5, 2, 'refund_amount', 7);

-- A configured source ([source trading], [source trading.city1]): id is a
-- hash of the name (ggzy.source_id), the same in every store, so the rows
-- of stores consolidated into one never collide while names are unique.
CREATE TABLE ggzy.source (
    id   integer PRIMARY KEY,
    name text    NOT NULL UNIQUE,
    kind text    NOT NULL
);

-- Per stream and source: where loading and polling stand.
CREATE TABLE ggzy.stream_state (
    stream          smallint    NOT NULL REFERENCES ggzy.stream,
    source          integer     NOT NULL REFERENCES ggzy.source,
    -- loading: images are being read from the source (their totals are
    -- not yet visible); loaded: the totals are the images' sums.
    state           text        NOT NULL CHECK (state IN ('loading', 'loaded')),
    load_started_at timestamptz,          -- the source's clock when loading began
    rows_expected   bigint,               -- the source's rows when loading began
    rows_loaded     bigint      NOT NULL DEFAULT 0,
    -- The newest updated_at seen, and the source's own clock before the
    -- last poll read it: the next poll reads rows updated after the later
    -- of the two, minus the overlap (rows committed before that poll's
    -- snapshot were seen by it).
    watermark       timestamptz,
    source_clock    timestamptz,
    polled_at       timestamptz,          -- when the last poll committed
    reconciled_at   timestamptz,          -- the last reconciliation of recent years
    reconciled_all_at timestamptz,        -- ... of every year
    repaired_rows   bigint      NOT NULL DEFAULT 0,  -- by the last reconciliation
    PRIMARY KEY (stream, source)
);

-- The deployment's identity key (daemon/identity.h): its fingerprint, and
-- the key itself when the daemon made it (no identity_key_file). One row.
-- Nothing grants it to the read-only readers (they see ggzy_api only).
CREATE TABLE ggzy.identity (
    one_row     boolean     PRIMARY KEY DEFAULT true CHECK (one_row),
    fingerprint text        NOT NULL,
    secret      bytea,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- ---- the images and their totals ----

-- The current contribution of every source row to its stream's figures.
-- Labels a stream does not carry are ''. person is the keyed hash
-- (HMAC-SHA-256, identity key of the deployment) of the row's expert or
-- bidder, never the identity itself (SPEC §2); ref a key in another stream
-- (an evaluation's deal). fingerprint is the source's hash of the row's
-- image, salted; m1..m12 the measures of ggzy.measure, NULL for 0.
CREATE TABLE ggzy.image (
    stream      smallint NOT NULL,
    source      integer  NOT NULL,
    key         text     NOT NULL,
    day         date     NOT NULL,
    center      text     NOT NULL,
    category    text     NOT NULL DEFAULT '',
    kind        text     NOT NULL DEFAULT '',
    scope       text     NOT NULL DEFAULT '',
    role        text     NOT NULL DEFAULT '',
    person      bytea,
    ref         text,
    fingerprint bigint   NOT NULL,
    m1 numeric, m2 numeric, m3 numeric, m4 numeric, m5 numeric, m6 numeric,
    m7 numeric, m8 numeric, m9 numeric, m10 numeric, m11 numeric, m12 numeric,
    PRIMARY KEY (stream, source, key)
);
-- A month's rows (reconciliation), a period's people (distinct counts).
CREATE INDEX image_day_idx ON ggzy.image (stream, source, day);

-- The images summed per stream, day, label set and source: one row where
-- version 8 had one per metric. rows counts the images (a row at 0 is gone).
CREATE TABLE ggzy.day_total (
    stream   smallint NOT NULL,
    day      date     NOT NULL,
    center   text     NOT NULL,
    category text     NOT NULL DEFAULT '',
    kind     text     NOT NULL DEFAULT '',
    scope    text     NOT NULL DEFAULT '',
    role     text     NOT NULL DEFAULT '',
    source   integer  NOT NULL,
    rows     integer  NOT NULL,
    m1 numeric, m2 numeric, m3 numeric, m4 numeric, m5 numeric, m6 numeric,
    m7 numeric, m8 numeric, m9 numeric, m10 numeric, m11 numeric, m12 numeric,
    PRIMARY KEY (stream, day, center, category, kind, scope, role, source)
);

-- The same per calendar month (month = its first day), kept exact in the
-- same transactions, with the sum of the images' fingerprints that
-- reconciliation compares with the source's per month.
CREATE TABLE ggzy.month_total (
    stream      smallint NOT NULL,
    month       date     NOT NULL CHECK (month = date_trunc('month', month::timestamp)::date),
    center      text     NOT NULL,
    category    text     NOT NULL DEFAULT '',
    kind        text     NOT NULL DEFAULT '',
    scope       text     NOT NULL DEFAULT '',
    role        text     NOT NULL DEFAULT '',
    source      integer  NOT NULL,
    rows        integer  NOT NULL,
    fingerprint numeric  NOT NULL,
    m1 numeric, m2 numeric, m3 numeric, m4 numeric, m5 numeric, m6 numeric,
    m7 numeric, m8 numeric, m9 numeric, m10 numeric, m11 numeric, m12 numeric,
    PRIMARY KEY (stream, month, center, category, kind, scope, role, source)
);

-- ---- reading figures ----

-- Every base metric per day and label set, from the totals of loaded
-- streams and from the version-8 buckets of streams not loaded yet (never
-- both: ggzy.finish_load moves a stream from one to the other). Labels a
-- metric does not carry are '' (summed over). The HTTP queries
-- (sql/queries/) read these two views.
CREATE VIEW ggzy.cells_day AS
SELECT m.metric, t.day,
       CASE WHEN m.labels & 1 <> 0 THEN t.center ELSE '' END AS center,
       CASE WHEN m.labels & 2 <> 0 THEN t.category ELSE '' END AS category,
       CASE WHEN m.labels & 4 <> 0 THEN t.kind ELSE '' END AS kind,
       CASE WHEN m.labels & 8 <> 0 THEN t.scope ELSE '' END AS scope,
       CASE WHEN m.labels & 16 <> 0 THEN t.role ELSE '' END AS role,
       coalesce(CASE m.position WHEN 1 THEN t.m1 WHEN 2 THEN t.m2 WHEN 3 THEN t.m3
                                WHEN 4 THEN t.m4 WHEN 5 THEN t.m5 WHEN 6 THEN t.m6
                                WHEN 7 THEN t.m7 WHEN 8 THEN t.m8 WHEN 9 THEN t.m9
                                WHEN 10 THEN t.m10 WHEN 11 THEN t.m11 WHEN 12 THEN t.m12 END,
                0) AS value,
       t.stream
  FROM ggzy.measure m
  JOIN ggzy.day_total t ON t.stream = m.stream
UNION ALL
SELECT b.metric, b.day, b.center, b.category, b.kind, b.scope, b.role, b.value, m.stream
  FROM ggzy.bucket b
  JOIN ggzy.measure m ON m.metric = b.metric;

CREATE VIEW ggzy.cells_month AS
SELECT m.metric, t.month,
       CASE WHEN m.labels & 1 <> 0 THEN t.center ELSE '' END AS center,
       CASE WHEN m.labels & 2 <> 0 THEN t.category ELSE '' END AS category,
       CASE WHEN m.labels & 4 <> 0 THEN t.kind ELSE '' END AS kind,
       CASE WHEN m.labels & 8 <> 0 THEN t.scope ELSE '' END AS scope,
       CASE WHEN m.labels & 16 <> 0 THEN t.role ELSE '' END AS role,
       coalesce(CASE m.position WHEN 1 THEN t.m1 WHEN 2 THEN t.m2 WHEN 3 THEN t.m3
                                WHEN 4 THEN t.m4 WHEN 5 THEN t.m5 WHEN 6 THEN t.m6
                                WHEN 7 THEN t.m7 WHEN 8 THEN t.m8 WHEN 9 THEN t.m9
                                WHEN 10 THEN t.m10 WHEN 11 THEN t.m11 WHEN 12 THEN t.m12 END,
                0) AS value,
       t.stream
  FROM ggzy.measure m
  JOIN ggzy.month_total t ON t.stream = m.stream
UNION ALL
SELECT b.metric, b.month, b.center, b.category, b.kind, b.scope, b.role, b.value, m.stream
  FROM ggzy.bucket_month b
  JOIN ggzy.measure m ON m.metric = b.metric;

-- The stable views of migration 003 keep their names, columns and meaning
-- (Grafana and other readers depend on them): one row per base metric, day
-- (month) and label set, source the kind of source it comes from.
CREATE OR REPLACE VIEW ggzy_api.daily_values AS
SELECT c.metric, c.day, c.center, c.category, c.kind, c.scope, c.role,
       sum(c.value) AS value, s.kind AS source
  FROM ggzy.cells_day c
  JOIN ggzy.stream s ON s.id = c.stream
 GROUP BY c.metric, c.day, c.center, c.category, c.kind, c.scope, c.role, s.kind;

CREATE OR REPLACE VIEW ggzy_api.monthly_values AS
SELECT c.metric, c.month, c.center, c.category, c.kind, c.scope, c.role, sum(c.value) AS value
  FROM ggzy.cells_month c
 GROUP BY c.metric, c.month, c.center, c.category, c.kind, c.scope, c.role;

-- Per stream (and source): poll position, last commit, days held and the
-- source rows behind them, from the row store, else from version 8.
CREATE OR REPLACE VIEW ggzy_api.source_status AS
SELECT s.name AS stream, src.name AS source, st.watermark, st.polled_at,
       d.first_day, d.last_day, d.days, d.source_rows::numeric
  FROM ggzy.stream_state st
  JOIN ggzy.stream s ON s.id = st.stream
  JOIN ggzy.source src ON src.id = st.source
  LEFT JOIN LATERAL (SELECT min(day) AS first_day, max(day) AS last_day,
                            count(DISTINCT day) AS days, sum(rows) AS source_rows
                       FROM ggzy.day_total t
                      WHERE t.stream = st.stream AND t.source = st.source) d ON true
 WHERE st.state = 'loaded'
UNION ALL
SELECT w.stream, s.kind, w.updated_at, w.polled_at, d.first_day, d.last_day, d.days, d.source_rows
  FROM ggzy.watermark w
  JOIN ggzy.stream s ON s.name = w.stream
  LEFT JOIN (SELECT stream, min(day) AS first_day, max(day) AS last_day, count(*) AS days,
                    sum(rows) AS source_rows
               FROM ggzy.day_state GROUP BY stream) d ON d.stream = w.stream;

-- version 8's writer: the daemon writes through ggzy.apply_images now.
DROP FUNCTION ggzy.apply_days(text, date[], json, json, timestamptz);

SELECT ggzy.grant_api_read();

-- A total whose images are all gone is deleted after each change; these
-- make finding it a probe.
CREATE INDEX day_total_empty_idx ON ggzy.day_total (stream, source) WHERE rows = 0;
CREATE INDEX month_total_empty_idx ON ggzy.month_total (stream, source) WHERE rows = 0;
