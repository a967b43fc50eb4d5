import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Rooms1764160000000 implements MigrationInterface {
  name = 'Rooms1764160000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rooms (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        slug text NOT NULL,
        name text NOT NULL,
        access_level text NOT NULL DEFAULT 'trusted',
        max_participants integer NOT NULL DEFAULT 100,
        configuration jsonb NOT NULL DEFAULT '{}',
        created_by uuid REFERENCES users(id) ON DELETE SET NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_rooms_slug UNIQUE (slug),
        -- Generated slugs (abc-defg-hij) match this too; the API refuses reserved words.
        CONSTRAINT ck_rooms_slug CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{1,48})[a-z0-9]$' AND slug !~ '--'),
        CONSTRAINT ck_rooms_name CHECK (char_length(name) BETWEEN 1 AND 200),
        CONSTRAINT ck_rooms_access_level CHECK (access_level IN ('public', 'trusted', 'restricted')),
        CONSTRAINT ck_rooms_max_participants CHECK (max_participants BETWEEN 2 AND 500),
        CONSTRAINT ck_rooms_configuration CHECK (jsonb_typeof(configuration) = 'object')
      )`);

    await q.query(`
      CREATE TABLE room_accesses (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        role text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT uq_room_accesses_room_user UNIQUE (room_id, user_id),
        CONSTRAINT ck_room_accesses_role CHECK (role IN ('owner', 'administrator', 'member'))
      )`);
    await q.query(`CREATE INDEX ix_room_accesses_user ON room_accesses (user_id, created_at DESC)`);
    await q.query(
      `CREATE INDEX ix_room_accesses_owners ON room_accesses (room_id) WHERE role = 'owner'`,
    );

    await q.query(`
      CREATE TABLE lobby_requests (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        room_id uuid NOT NULL REFERENCES rooms(id) ON DELETE CASCADE,
        user_id uuid REFERENCES users(id) ON DELETE CASCADE,
        guest_session_id uuid REFERENCES sessions(id) ON DELETE CASCADE,
        display_name text NOT NULL,
        status text NOT NULL DEFAULT 'waiting',
        created_at timestamptz NOT NULL DEFAULT now(),
        decided_at timestamptz,
        decided_by uuid REFERENCES users(id) ON DELETE SET NULL,
        expires_at timestamptz NOT NULL,
        CONSTRAINT ck_lobby_requests_requester CHECK ((user_id IS NULL) <> (guest_session_id IS NULL)),
        CONSTRAINT ck_lobby_requests_status CHECK (status IN ('waiting', 'admitted', 'denied', 'expired')),
        CONSTRAINT ck_lobby_requests_decision CHECK ((status IN ('admitted', 'denied')) = (decided_at IS NOT NULL)),
        CONSTRAINT ck_lobby_requests_display_name CHECK (char_length(display_name) BETWEEN 1 AND 200)
      )`);
    // One waiting request per requester per room: a second ask returns the first.
    await q.query(
      `CREATE UNIQUE INDEX uq_lobby_requests_waiting_user ON lobby_requests (room_id, user_id)
         WHERE status = 'waiting' AND user_id IS NOT NULL`,
    );
    await q.query(
      `CREATE UNIQUE INDEX uq_lobby_requests_waiting_guest ON lobby_requests (room_id, guest_session_id)
         WHERE status = 'waiting' AND guest_session_id IS NOT NULL`,
    );
    await q.query(
      `CREATE INDEX ix_lobby_requests_room_waiting ON lobby_requests (room_id, created_at) WHERE status = 'waiting'`,
    );
    await q.query(
      `CREATE INDEX ix_lobby_requests_user ON lobby_requests (room_id, user_id, created_at DESC)`,
    );
    await q.query(
      `CREATE INDEX ix_lobby_requests_guest ON lobby_requests (room_id, guest_session_id, created_at DESC)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE lobby_requests');
    await q.query('DROP TABLE room_accesses');
    await q.query('DROP TABLE rooms');
  }
}
