-- Store schema, version 10: every figure the centres' reports publish.
--
-- New streams and measure columns (SPEC §3):
--   * refunds are now only deposits refunded to the bidder (status
--     refunded); those forfeited or remitted to the treasury (沉淀保证金
--     上缴国库) are remitted_count and remitted_amount, in the same stream;
--   * stocks are kept as flows: a stock on day D is the sum of its flows of
--     every day up to D. deposit_held_* flows in with a deposit's receipt
--     (stream deposit_received) and out when it leaves the account (stream
--     deposit_released, on the later of its receipt and refund days, so a
--     row refunded "before" it was received is never held); the expert pool
--     flows in on enrolment (expert_enrolled) and out on leaving
--     (expert_left), from the optional relation experts;
--   * remote_evaluated joins two sources: one image per awarded deal that
--     has a remote evaluation (done) of its deal_id, kept by the store
--     itself (ggzy.derive_remote_evaluated) whenever the deal's image or an
--     evaluation's changes, so it follows corrections in either source;
--   * a metric may have a column in two streams (a stock's in- and
--     outflows): ggzy.measure is unique per stream and metric.
-- The images of deposit_received and deposit_refunded change (new measures,
-- hence new fingerprints): the first reconciliation after the upgrade finds
-- every month of them different and re-reads their rows, month by month,
-- while the figures of version 9 are served.

-- derived: made by the store from other streams, never read from a source;
-- optional: read from an optional relation of the contract (SPEC §2), which
-- a source may not have (the stream then has no state, and its metrics are
-- unavailable rather than 0).
ALTER TABLE ggzy.stream ADD COLUMN derived boolean NOT NULL DEFAULT false,
                        ADD COLUMN optional boolean NOT NULL DEFAULT false;
INSERT INTO ggzy.stream (id, name, kind, derived, optional) VALUES
    (6, 'remote_evaluated', 'trading', true, false),
    (7, 'expert_enrolled', 'expert', false, true),
    (8, 'expert_left', 'expert', false, true),
    (9, 'deposit_released', 'deposit', false, false);

ALTER TABLE ggzy.measure DROP CONSTRAINT measure_metric_key;
ALTER TABLE ggzy.measure ADD CONSTRAINT measure_stream_metric_key UNIQUE (stream, metric);

INSERT INTO ggzy.measure (stream, position, metric, labels) VALUES
    (4, 3, 'deposit_held_count', 7), (4, 4, 'deposit_held_amount', 7),
    (5, 3, 'remitted_count', 7), (5, 4, 'remitted_amount', 7),
    (6, 1, 'remote_evaluated_deals_count', 11), (6, 2, 'remote_evaluated_deal_amount', 11),
    (7, 1, 'expert_pool_count', 1),
    (8, 1, 'expert_pool_count', 1),
    (9, 1, 'deposit_held_count', 7), (9, 2, 'deposit_held_amount', 7);

-- Room on every page for the updates of polls (HOT updates: no index
-- entry moves when a total or an image changes in place).
ALTER TABLE ggzy.image SET (fillfactor = 90);
ALTER TABLE ggzy.day_total SET (fillfactor = 85);
ALTER TABLE ggzy.month_total SET (fillfactor = 85);

-- The evaluations of a deal (remote_evaluated), and the people of a period
-- (distinct counts: assignments attended, by day).
CREATE INDEX image_evaluation_ref_idx ON ggzy.image (ref) INCLUDE (source, scope)
    WHERE stream = 2 AND m2 IS NOT NULL;
CREATE INDEX image_attended_day_idx ON ggzy.image (day) INCLUDE (center, person)
    WHERE stream = 3 AND m2 IS NOT NULL;
