-- ggzy.note_reconcile: a reconciliation of a stream of a source finished,
-- of the recent years (p_all false) or of every year, having repaired
-- p_repaired rows.
CREATE OR REPLACE FUNCTION ggzy.note_reconcile(p_stream smallint, p_source integer,
                                               p_all boolean, p_repaired bigint)
RETURNS void LANGUAGE sql AS $$
    UPDATE ggzy.stream_state
       SET reconciled_at = now(),
           reconciled_all_at = CASE WHEN p_all THEN now() ELSE reconciled_all_at END,
           repaired_rows = p_repaired
     WHERE stream = p_stream AND source = p_source
$$;
