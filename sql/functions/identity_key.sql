-- ggzy.identity_key: the store's record of the deployment's identity key
-- (daemon/identity.h), made on first use. p_fingerprint is the caller's
-- key's; p_secret the key itself when the caller made it (no
-- identity_key_file), NULL otherwise. The first caller's record stays:
-- the result is what the store holds, which the daemon compares with its
-- own key (another key would count every expert and bidder again).
CREATE OR REPLACE FUNCTION ggzy.identity_key(p_fingerprint text, p_secret bytea)
RETURNS TABLE (fingerprint text, secret bytea) LANGUAGE sql AS $$
    INSERT INTO ggzy.identity (fingerprint, secret) VALUES (p_fingerprint, p_secret)
    ON CONFLICT (one_row) DO NOTHING;
    SELECT i.fingerprint, i.secret FROM ggzy.identity i;
$$;
