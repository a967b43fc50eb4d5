import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Extensions1764140000000 implements MigrationInterface {
  name = 'Extensions1764140000000';

  async up(q: QueryRunner): Promise<void> {
    // gen_random_uuid() is core since PG 13; citext for emails; btree_gist for
    // exclusion constraints over time ranges.
    await q.query('CREATE EXTENSION IF NOT EXISTS citext');
    await q.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP EXTENSION IF EXISTS btree_gist');
    await q.query('DROP EXTENSION IF EXISTS citext');
  }
}
