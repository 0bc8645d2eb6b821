import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ident } from '../sql.js';

/**
 * Shared rate limits (issue 13): the token buckets of every ingest, timeline-API and projector process
 * on this schema live in `rate_limit_buckets`, and `rate_limit_take(scope, client, per_minute)` takes
 * one token atomically (one round trip; the upsert's row lock serialises concurrent takers of one key).
 * It returns 0 when the request may pass, else the seconds until the next token (Retry-After).
 *
 * SECURITY DEFINER: the timeline API connects as the read-only role (`cli db:roles`), which may write
 * no table; it may only call this function, which touches nothing but the buckets. `search_path` is
 * pinned to the schema (and pg_temp last), as a definer function must.
 */
export class RateLimits1764290000000 implements MigrationInterface {
  name = 'RateLimits1764290000000';

  async up(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`
      CREATE TABLE IF NOT EXISTS ${s}.rate_limit_buckets (
        scope       text             NOT NULL,
        client      text             NOT NULL,
        tokens      double precision NOT NULL,
        updated_at  timestamptz      NOT NULL,
        PRIMARY KEY (scope, client)
      )`);
    await q.query(`
      CREATE OR REPLACE FUNCTION ${s}.rate_limit_take(p_scope text, p_client text, p_per_minute double precision)
      RETURNS double precision
      LANGUAGE plpgsql SECURITY DEFINER
      SET search_path = ${s}, pg_temp
      AS $fn$
      DECLARE
        at_now timestamptz := clock_timestamp();
        left_tokens double precision;
      BEGIN
        IF p_per_minute IS NULL OR p_per_minute <= 0 THEN
          RAISE EXCEPTION 'rate_limit_take: per_minute must be positive';
        END IF;
        -- A bucket starts full; it refills per_minute/60 tokens a second up to per_minute.
        INSERT INTO rate_limit_buckets AS b (scope, client, tokens, updated_at)
        VALUES (p_scope, p_client, p_per_minute, at_now)
        ON CONFLICT (scope, client) DO UPDATE
          SET tokens = LEAST(p_per_minute, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM at_now - b.updated_at)) * p_per_minute / 60),
              updated_at = GREATEST(b.updated_at, at_now)
        RETURNING tokens INTO left_tokens;
        -- Now and then, forget buckets idle long enough to be full again (they equal a new one).
        IF random() < 0.001 THEN
          DELETE FROM rate_limit_buckets WHERE updated_at < at_now - interval '2 minutes';
        END IF;
        IF left_tokens >= 1 THEN
          UPDATE rate_limit_buckets SET tokens = left_tokens - 1 WHERE scope = p_scope AND client = p_client;
          RETURN 0;
        END IF;
        RETURN (1 - left_tokens) / (p_per_minute / 60);
      END
      $fn$`);
  }

  async down(q: QueryRunner): Promise<void> {
    const s = ident((q.connection.options as { schema?: string }).schema ?? 'public');
    await q.query(`DROP FUNCTION IF EXISTS ${s}.rate_limit_take(text, text, double precision)`);
    await q.query(`DROP TABLE IF EXISTS ${s}.rate_limit_buckets`);
  }
}
