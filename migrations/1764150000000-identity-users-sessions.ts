import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityUsersSessions1764150000000 implements MigrationInterface {
  name = 'IdentityUsersSessions1764150000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idp_id text,
        sub text,
        email citext,
        given_name text,
        usual_name text,
        uid text,
        siret text,
        organization_label text,
        idp_roles jsonb NOT NULL DEFAULT '[]',
        platform_roles text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        last_login_at timestamptz,
        -- A pending user (invited by email, never logged in) has no identity yet.
        CONSTRAINT ck_users_identity CHECK ((idp_id IS NULL) = (sub IS NULL)),
        CONSTRAINT ck_users_pending_email CHECK (sub IS NOT NULL OR email IS NOT NULL),
        CONSTRAINT ck_users_platform_roles CHECK (platform_roles <@ ARRAY['admin']::text[])
      )`);
    await q.query(
      `CREATE UNIQUE INDEX uq_users_idp_sub ON users (idp_id, sub) WHERE sub IS NOT NULL`,
    );
    await q.query(`CREATE UNIQUE INDEX uq_users_pending_email ON users (email) WHERE sub IS NULL`);
    await q.query(`CREATE INDEX ix_users_email ON users (email)`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        token_hash bytea NOT NULL,
        kind text NOT NULL,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        guest_name text,
        id_token text,
        user_agent text,
        ip text,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz,
        CONSTRAINT uq_sessions_token_hash UNIQUE (token_hash),
        CONSTRAINT ck_sessions_kind CHECK (
          (kind = 'user' AND user_id IS NOT NULL AND guest_name IS NULL) OR
          (kind = 'guest' AND user_id IS NULL AND guest_name IS NOT NULL)),
        CONSTRAINT ck_sessions_guest_name CHECK (guest_name IS NULL OR char_length(guest_name) BETWEEN 1 AND 80)
      )`);
    await q.query(`CREATE INDEX ix_sessions_user ON sessions (user_id) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE sessions');
    await q.query('DROP TABLE users');
  }
}
