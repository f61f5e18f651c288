-- ggzy.apply_images: applies the rows staged in pg_temp.ggzy_stage (new
-- images, and keys marked deleted) to a stream of a source, in the
-- caller's transaction (ggzy.merge_images), and keeps what the store
-- derives from that stream in step: a deal's or an evaluation's change
-- moves the remotely evaluated deals it touches
-- (ggzy.derive_remote_evaluated), in the same transaction.
--
-- p_rows: how many rows the caller staged (a mismatch -- a lost session,
-- say -- fails the call rather than committing nothing as something).
-- p_watermark, p_clock: the newest updated_at the poll saw and the source's
-- clock before it read; NULL for a batch that is not a poll's last.
-- Returns the number of images written or retracted; the figures' version
-- (ggzy.store_version) moves when that is not 0 and the totals moved.
CREATE OR REPLACE FUNCTION ggzy.apply_images(p_stream smallint, p_source integer, p_rows integer,
                                             p_watermark timestamptz, p_clock timestamptz)
RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    v_state text;
    v_staged integer;
    v_changed integer;
    v_loaded boolean;
    v_keys text[];
    v_refs text[];
    v_kind text;
    v_refused integer;
BEGIN
    IF p_rows = 0 AND p_watermark IS NULL THEN
        -- An idle poll of a loaded stream only records its clock: one
        -- update, no lock (the row's own lock orders it with a writer's
        -- batch, and a clock older than that batch's only widens the next
        -- poll's range): 0.07 ms a stream, where the general path took
        -- 0.17 ms.
        UPDATE ggzy.stream_state
           SET source_clock = coalesce(p_clock, source_clock),
               polled_at = CASE WHEN p_clock IS NULL THEN polled_at ELSE now() END
         WHERE stream = p_stream AND source = p_source AND state = 'loaded';
        IF FOUND THEN
            RETURN 0;
        END IF;
    END IF;
    -- One writer per stream and source (several daemons on one store).
    PERFORM pg_advisory_xact_lock(p_stream, p_source);
    SELECT state INTO v_state FROM ggzy.stream_state
     WHERE stream = p_stream AND source = p_source;
    IF v_state IS NULL THEN
        RAISE EXCEPTION 'stream % of source % has not begun loading', p_stream, p_source;
    END IF;
    v_loaded := v_state = 'loaded';
    SELECT count(*) INTO v_staged FROM pg_temp.ggzy_stage;
    IF v_staged <> p_rows THEN
        RAISE EXCEPTION 'ggzy_stage holds % rows, the caller sent %', v_staged, p_rows;
    END IF;
    IF v_staged > 0 THEN
        -- A centre's figures come from one source of a kind (SPEC §12): the
        -- first whose rows name it claims it; rows of a centre that another
        -- source claimed are refused (an image they had is retracted) and
        -- recorded, never summed twice.
        SELECT kind INTO v_kind FROM ggzy.stream WHERE id = p_stream;
        INSERT INTO ggzy.center_claim (kind, center, source)
        SELECT DISTINCT v_kind, s.center, p_source FROM pg_temp.ggzy_stage s
         WHERE NOT s.deleted AND s.center IS NOT NULL
        ON CONFLICT (kind, center) DO NOTHING;
        WITH refused AS (
            UPDATE pg_temp.ggzy_stage s SET deleted = true
              FROM ggzy.center_claim c
             WHERE NOT s.deleted AND c.kind = v_kind AND c.center = s.center
               AND c.source <> p_source
            RETURNING s.center, c.source AS claimed_by
        ),
        noted AS (
            INSERT INTO ggzy.center_conflict AS f (kind, center, source, claimed_by, rows)
            SELECT v_kind, center, p_source, claimed_by, count(*) FROM refused
             GROUP BY center, claimed_by
            ON CONFLICT (kind, center, source) DO UPDATE
               SET rows = EXCLUDED.rows, claimed_by = EXCLUDED.claimed_by, last_seen = now()
            RETURNING (f.xmax = 0) AS fresh
        )
        SELECT count(*) FILTER (WHERE fresh) INTO v_refused FROM noted;
        IF v_refused > 0 THEN
            -- Said once per centre (the daemon logs the server's warnings).
            RAISE WARNING 'source %: the rows of % more centre(s) claimed by another % source are refused (ggzy.center_conflict)',
                (SELECT name FROM ggzy.source WHERE id = p_source), v_refused, v_kind;
        END IF;
    END IF;
    IF v_staged = 0 THEN
        v_changed := 0; -- an idle poll: only its position moves
    ELSE
        SELECT m.n, m.changed_keys, m.changed_refs INTO v_changed, v_keys, v_refs
          FROM ggzy.merge_images(p_stream, p_source, v_loaded) m;
    END IF;

    IF v_changed > 0 AND v_loaded THEN
        -- The deals whose remote evaluation may have changed: the changed
        -- deals themselves, or the deals a changed evaluation was or is of.
        IF p_stream = 1 THEN
            PERFORM ggzy.derive_remote_evaluated(v_keys);
        ELSIF p_stream = 2 AND v_refs IS NOT NULL THEN
            PERFORM ggzy.derive_remote_evaluated(v_refs);
        END IF;
        UPDATE ggzy.store_version SET version = version + 1;
    END IF;
    UPDATE ggzy.stream_state
       SET rows_loaded = rows_loaded + CASE WHEN v_loaded THEN 0 ELSE v_staged END,
           watermark = CASE WHEN p_watermark IS NULL THEN watermark
                            ELSE greatest(watermark, p_watermark) END,
           source_clock = coalesce(p_clock, source_clock),
           polled_at = CASE WHEN p_clock IS NULL THEN polled_at ELSE now() END
     WHERE stream = p_stream AND source = p_source;
    RETURN v_changed;
END $$;
