import type { MigrationInterface, QueryRunner } from 'typeorm';

export class IdentityApplications1764150000001 implements MigrationInterface {
  name = 'IdentityApplications1764150000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        client_id text NOT NULL,
        -- SHA-256 of a 32-byte random secret: high entropy, so no slow hash needed.
        secret_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        allowed_domains text[] NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        CONSTRAINT uq_applications_client_id UNIQUE (client_id),
        CONSTRAINT ck_applications_name CHECK (char_length(btrim(name)) BETWEEN 1 AND 120),
        CONSTRAINT ck_applications_secret_hash CHECK (octet_length(secret_hash) = 32),
        CONSTRAINT ck_applications_scopes CHECK (
          cardinality(scopes) > 0 AND scopes <@ ARRAY[
            'meetings:read', 'meetings:write', 'rooms:read', 'rooms:write',
            'recordings:read', 'recordings:write', 'messages:read', 'messages:write',
            'webhooks:manage', 'users:read']::text[]),
        CONSTRAINT ck_applications_allowed_domains CHECK (array_position(allowed_domains, NULL) IS NULL)
      )`);
    await q.query(
      `CREATE INDEX ix_applications_live ON applications (created_at) WHERE revoked_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE applications');
  }
}
