import 'reflect-metadata';
import { parseConfig } from '../config/config.schema';
import { revertLastMigration, runMigrations } from '../database/migrate';
import { resolveInfrastructure } from '../infra/infrastructure';

/** `npm run migration:run` / `migration:revert`: the same database resolution as the service. */
async function main(): Promise<void> {
  const command = process.argv[2];
  if (command !== 'run' && command !== 'revert') {
    process.stderr.write('usage: migrate run|revert\n');
    process.exit(2);
  }
  const infra = await resolveInfrastructure(parseConfig(process.env));
  try {
    if (command === 'run') {
      const applied = await runMigrations(infra.databaseUrl);
      process.stdout.write(
        applied.length ? `applied: ${applied.join(', ')}\n` : 'no pending migration\n',
      );
    } else {
      await revertLastMigration(infra.databaseUrl);
      process.stdout.write('reverted the last migration\n');
    }
  } finally {
    await infra.stop();
  }
}

main().catch((e) => {
  process.stderr.write(`migrate: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
