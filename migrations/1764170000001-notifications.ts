import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Notifications1764170000001 implements MigrationInterface {
  name = 'Notifications1764170000001';

  async up(q: QueryRunner): Promise<void> {
    // Outbox of mail: the row is the truth, the BullMQ job (jobId = row id) only carries it out.
    await q.query(`
      CREATE TABLE outbound_mail (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        recipients text[] NOT NULL,
        subject text NOT NULL,
        message jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        message_id text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        CONSTRAINT ck_outbound_mail_recipients CHECK (cardinality(recipients) > 0),
        CONSTRAINT ck_outbound_mail_status CHECK (status IN ('pending', 'sent', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX ix_outbound_mail_pending ON outbound_mail (created_at) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        application_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        url text NOT NULL,
        -- Kept in clear: signing needs it. Shown to the application once.
        secret text NOT NULL,
        events text[] NOT NULL,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_webhook_endpoints_url CHECK (char_length(url) BETWEEN 8 AND 2000 AND url ~ '^https?://'),
        CONSTRAINT ck_webhook_endpoints_events CHECK (cardinality(events) > 0)
      )`);
    await q.query(
      `CREATE INDEX ix_webhook_endpoints_application ON webhook_endpoints (application_id) WHERE active`,
    );

    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
        event text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        last_status_code integer,
        last_error text,
        next_attempt_at timestamptz,
        delivered_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT ck_webhook_deliveries_status CHECK (status IN ('pending', 'delivered', 'failed'))
      )`);
    await q.query(
      `CREATE INDEX ix_webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE webhook_deliveries');
    await q.query('DROP TABLE webhook_endpoints');
    await q.query('DROP TABLE outbound_mail');
  }
}
