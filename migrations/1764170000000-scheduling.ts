import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Scheduling1764170000000 implements MigrationInterface {
  name = 'Scheduling1764170000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- iCalendar UID: stable for the life of the meeting, shared by every invitation and export.
        uid text NOT NULL,
        organizer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        room_id uuid REFERENCES rooms(id) ON DELETE SET NULL,
        join_url text,
        -- The integration that booked it (webhooks go there).
        application_id uuid REFERENCES applications(id) ON DELETE SET NULL,
        title text NOT NULL,
        description text NOT NULL DEFAULT '',
        starts_at timestamptz NOT NULL,
        ends_at timestamptz NOT NULL,
        time_zone text NOT NULL,
        rrule text,
        exdates timestamptz[] NOT NULL DEFAULT '{}',
        -- Earliest start to latest end of the whole series (unbounded for endless rules): listing filter.
        span tstzrange NOT NULL,
        status text NOT NULL DEFAULT 'confirmed',
        sequence integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        cancelled_at timestamptz,
        CONSTRAINT uq_meetings_uid UNIQUE (uid),
        CONSTRAINT ck_meetings_title CHECK (char_length(title) BETWEEN 1 AND 200),
        CONSTRAINT ck_meetings_description CHECK (char_length(description) <= 5000),
        CONSTRAINT ck_meetings_time_zone CHECK (char_length(time_zone) BETWEEN 1 AND 64),
        CONSTRAINT ck_meetings_rrule CHECK (rrule IS NULL OR char_length(rrule) BETWEEN 1 AND 500),
        CONSTRAINT ck_meetings_times CHECK (ends_at > starts_at),
        CONSTRAINT ck_meetings_status CHECK (status IN ('confirmed', 'cancelled')),
        CONSTRAINT ck_meetings_sequence CHECK (sequence >= 0),
        CONSTRAINT ck_meetings_cancelled CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL))
      )`);
    await q.query(
      `CREATE INDEX ix_meetings_organizer_span ON meetings USING gist (organizer_id, span)`,
    );
    await q.query(
      `CREATE INDEX ix_meetings_application ON meetings (application_id) WHERE application_id IS NOT NULL`,
    );

    await q.query(`
      CREATE TABLE meeting_attendees (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        email citext NOT NULL,
        name text,
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        partstat text NOT NULL DEFAULT 'NEEDS-ACTION',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_meeting_attendees_email UNIQUE (meeting_id, email),
        CONSTRAINT ck_meeting_attendees_email CHECK (char_length(email) BETWEEN 3 AND 254),
        CONSTRAINT ck_meeting_attendees_name CHECK (name IS NULL OR char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT ck_meeting_attendees_partstat CHECK (partstat IN ('NEEDS-ACTION', 'ACCEPTED', 'DECLINED', 'TENTATIVE'))
      )`);
    await q.query(
      `CREATE INDEX ix_meeting_attendees_user ON meeting_attendees (user_id) WHERE user_id IS NOT NULL`,
    );

    // Overrides of single occurrences of a recurring meeting (moved, retitled or cancelled).
    await q.query(`
      CREATE TABLE meeting_exceptions (
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        recurrence_id timestamptz NOT NULL,
        cancelled boolean NOT NULL DEFAULT false,
        starts_at timestamptz,
        ends_at timestamptz,
        title text,
        description text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (meeting_id, recurrence_id),
        CONSTRAINT ck_meeting_exceptions_times CHECK (
          (starts_at IS NULL AND ends_at IS NULL) OR (starts_at IS NOT NULL AND ends_at > starts_at)),
        CONSTRAINT ck_meeting_exceptions_title CHECK (title IS NULL OR char_length(title) BETWEEN 1 AND 200),
        CONSTRAINT ck_meeting_exceptions_description CHECK (description IS NULL OR char_length(description) <= 5000)
      )`);

    // Each confirmed meeting's occurrences within the scheduling horizon: the
    // database itself refuses overlapping meetings of one organizer.
    await q.query(`
      CREATE TABLE meeting_occurrences (
        meeting_id uuid NOT NULL REFERENCES meetings(id) ON DELETE CASCADE,
        recurrence_id timestamptz NOT NULL,
        organizer_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        during tstzrange NOT NULL,
        cancelled boolean NOT NULL DEFAULT false,
        PRIMARY KEY (meeting_id, recurrence_id),
        CONSTRAINT ck_meeting_occurrences_during CHECK (NOT isempty(during) AND NOT lower_inf(during) AND NOT upper_inf(during)),
        CONSTRAINT ex_meeting_occurrences_overlap EXCLUDE USING gist (organizer_id WITH =, during WITH &&) WHERE (NOT cancelled)
      )`);

    await q.query(`
      CREATE TABLE calendar_feed_tokens (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        -- SHA-256 of the secret token that is the feed URL; the token itself is shown once.
        token_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_calendar_feed_tokens_hash UNIQUE (token_hash),
        CONSTRAINT ck_calendar_feed_tokens_hash CHECK (octet_length(token_hash) = 32)
      )`);

    await q.query(`
      CREATE TABLE idempotency_keys (
        application_id uuid NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
        key text NOT NULL,
        request_hash text NOT NULL,
        response_status integer,
        response_body jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (application_id, key),
        CONSTRAINT ck_idempotency_keys_key CHECK (char_length(key) BETWEEN 1 AND 255)
      )`);
    await q.query(`CREATE INDEX ix_idempotency_keys_created ON idempotency_keys (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE idempotency_keys');
    await q.query('DROP TABLE calendar_feed_tokens');
    await q.query('DROP TABLE meeting_occurrences');
    await q.query('DROP TABLE meeting_exceptions');
    await q.query('DROP TABLE meeting_attendees');
    await q.query('DROP TABLE meetings');
  }
}
