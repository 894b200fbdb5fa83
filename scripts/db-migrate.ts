// Decorator metadata must exist before any use case class is defined.
import 'reflect-metadata';
import { loadConfig, loadDotEnv } from '../src/core/config/config';
import { openDatabase } from '../src/core/infrastructure/database/database';
import { createPublicMigrator, withMigrationLock } from '../src/core/infrastructure/database/migrator';
import { createLogger } from '../src/core/logger';

const USAGE = `Usage: npm run db:migrate | db:migrate:undo | db:migrate:status

  up       apply every pending public-schema migration (migrations/)
  down     undo the most recent public-schema migration
  status   list executed and pending migrations

Reads the same configuration as the server (.env, DATABASE_URL or DB_*); without one it
uses the embedded PostgreSQL under .data/.`;

async function main(command: string | undefined): Promise<number> {
  if (!command || !['up', 'down', 'status'].includes(command)) {
    process.stdout.write(`${USAGE}\n`);
    return command === '--help' || command === '-h' ? 0 : 2;
  }
  loadDotEnv();
  const config = loadConfig();
  const logger = createLogger({ ...config, log: { level: config.log.level === 'info' ? 'warn' : config.log.level } });
  const database = await openDatabase(config, logger);
  try {
    const migrator = createPublicMigrator(database.sequelize, logger);
    if (command === 'status') {
      const [executed, pending] = await Promise.all([migrator.executed(), migrator.pending()]);
      executed.forEach((m) => process.stdout.write(`  up       ${m.name}\n`));
      pending.forEach((m) => process.stdout.write(`  pending  ${m.name}\n`));
      process.stdout.write(`${executed.length} executed, ${pending.length} pending\n`);
      return 0;
    }
    const done = await withMigrationLock(database.sequelize, 'public-migrations', () =>
      command === 'up' ? migrator.up() : migrator.down(),
    );
    const verb = command === 'up' ? 'applied' : 'reverted';
    process.stdout.write(done.length ? done.map((m) => `  ${verb} ${m.name}\n`).join('') : `  nothing to do\n`);
    return 0;
  } finally {
    await database.close();
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`db-migrate failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
