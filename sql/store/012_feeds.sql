-- Store schema, migration 11: feed deliveries (SPEC §10).
--
-- (Numbered 011 while 010 is written on another branch; the daemon applies
-- every compiled migration a store lacks, in number order, so this one
-- depends on nothing after 009 and 010 may land before or after it.)
--
-- One row per feed and period: made due by a scheduled run (or the catch-up
-- of one the daemon missed), the document made once and kept (body, so that
-- a retry after a restart or kill -9 sends the very same bytes), every
-- attempt counted before it is made, and the acknowledgement. A row with
-- delivered_at set is never sent again: every period is delivered, none
-- twice once acknowledged. A receiver that acknowledged a send the daemon
-- could not record (kill -9 in between) gets the same bytes again, with
-- the same Idempotency-Key.

CREATE TABLE ggzy.feed_delivery (
    feed            text        NOT NULL,  -- the [feed NAME] section
    period          text        NOT NULL,  -- '2021-09', '2021-Q3', '2021-H1', '2021'
    what            text        NOT NULL CHECK (what IN ('statistics', 'report')),
    due_at          timestamptz NOT NULL,  -- the scheduled run that made it due
    planned_at      timestamptz NOT NULL DEFAULT now(),
    format          text,                  -- of the document made
    filename        text,
    content_type    text,
    body            bytea,                 -- NULL until made
    sha256          text,
    made_at         timestamptz,
    attempts        integer     NOT NULL DEFAULT 0,
    last_attempt_at timestamptz,
    last_error      text,                  -- NULL after a success
    delivered_at    timestamptz,           -- the acknowledgement (a 2xx, or the file renamed)
    delivered_to    text,                  -- the URL or the file's path
    response        text,                  -- 'HTTP 201', 'written'
    PRIMARY KEY (feed, period)
);
CREATE INDEX feed_delivery_due ON ggzy.feed_delivery (feed, due_at);
CREATE INDEX feed_delivery_pending ON ggzy.feed_delivery (feed, due_at) WHERE delivered_at IS NULL;

-- For SQL readers (Grafana): the deliveries without their documents.
CREATE VIEW ggzy_api.feed_deliveries AS
SELECT feed, period, what, due_at, format, filename, sha256, made_at, attempts,
       last_attempt_at, last_error, delivered_at, delivered_to, response,
       CASE WHEN delivered_at IS NOT NULL THEN 'delivered'
            WHEN attempts = 0 THEN 'pending' ELSE 'retrying' END AS state
  FROM ggzy.feed_delivery;
COMMENT ON VIEW ggzy_api.feed_deliveries IS
    'ggzy-metricsd feeds: one row per feed and period, its state and attempts';
SELECT ggzy.grant_api_read();
