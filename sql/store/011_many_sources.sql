-- Store schema, version 11: many sources of a kind, and several daemons on
-- one store (SPEC §12).

-- The [source] that gave each row of the centre hierarchy: several trading
-- sources each replace only their own rows (ggzy.replace_centers); a code
-- given by two keeps its first source's row. NULL: given before version 11.
ALTER TABLE ggzy.center ADD COLUMN source text;

-- Which source of a kind a centre's figures come from: the first one whose
-- rows name the centre. Another source of the kind reporting the centre is
-- refused for it (ggzy.apply_images), never summed twice.
CREATE TABLE ggzy.center_claim (
    kind       text        NOT NULL,
    center     text        NOT NULL,
    source     integer     NOT NULL REFERENCES ggzy.source,
    claimed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, center)
);
-- The claims of an upgraded store are its sources' as they stand.
INSERT INTO ggzy.center_claim (kind, center, source)
SELECT DISTINCT s.kind, t.center, t.source
  FROM ggzy.month_total t JOIN ggzy.stream s ON s.id = t.stream
 WHERE NOT s.derived
ON CONFLICT DO NOTHING;

-- The rows refused so: per kind, centre and refused source, how many and
-- since when (/readyz and /api/v1/status show them).
CREATE TABLE ggzy.center_conflict (
    kind       text        NOT NULL,
    center     text        NOT NULL,
    source     integer     NOT NULL REFERENCES ggzy.source,
    claimed_by integer     NOT NULL REFERENCES ggzy.source,
    rows       bigint      NOT NULL,
    first_seen timestamptz NOT NULL DEFAULT now(),
    last_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, center, source)
);

-- Who polls which source when several daemons share the store. The lease
-- itself is a PostgreSQL advisory lock held by the instance's lease session
-- (ggzy.take_leases): it ends with the session, so a daemon killed with -9
-- loses its sources at once; this table only says who holds what, for
-- /api/v1/status.
CREATE TABLE ggzy.lease (
    source     text        PRIMARY KEY,
    instance   text        NOT NULL,
    since      timestamptz NOT NULL,
    renewed_at timestamptz NOT NULL
);

-- Version 5's writer of the hierarchy; sql/functions/replace_centers.sql
-- takes the source now.
DROP FUNCTION ggzy.replace_centers(json);
