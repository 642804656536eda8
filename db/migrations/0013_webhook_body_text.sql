-- The text of a delivery's raw body, for searching it (customers/redact): as UTF-8 when it is
-- valid UTF-8 without NUL, otherwise byte-escaped, so a body PostgreSQL cannot read as text is
-- still searched instead of failing the redaction.
CREATE OR REPLACE FUNCTION webhook_body_text(body bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
BEGIN
  RETURN convert_from(body, 'UTF8');
EXCEPTION WHEN OTHERS THEN
  RETURN encode(body, 'escape');
END
$$;
