import { QueryTypes, Sequelize } from 'sequelize';
import { scratchDatabase, type ScratchDatabase } from './databases';
import { startSmtpReceiver, type SmtpReceiver } from './smtp-receiver';
import { startTestServer, type TestServer } from './test-server';

/** A server whose tenants go to a second database ("east"), with an SMTP receiver (ADR 0012). */
export interface ShardedDeployment {
  server: TestServer;
  receiver: SmtpReceiver;
  /** A main database of its own: its directory names "east", which the other test files'
   *  servers (on the shared database, without TENANT_DATABASES) would refuse to start with. */
  main: ScratchDatabase;
  east: ScratchDatabase;
  /** A connection of the test's own to east, to look at what is there. */
  eastDb: Sequelize;
  stop(): Promise<void>;
}

export async function shardedDeployment(): Promise<ShardedDeployment> {
  const receiver = await startSmtpReceiver();
  const main = await scratchDatabase();
  const east = await scratchDatabase({ migrate: false });
  const eastDb = new Sequelize(east.url, { logging: false });
  const server = await startTestServer({
    ...receiver.env(),
    DATABASE_URL: main.url,
    TENANT_DATABASES: `east=${east.url}`,
    DB_MIGRATE_ON_START: 'true',
    // Placement itself is tested on its own; here every new workspace goes to east.
    TENANT_PLACEMENT: 'east',
  });
  return {
    server,
    receiver,
    main,
    east,
    eastDb,
    stop: async () => {
      await server.stop();
      await eastDb.close();
      await east.drop();
      await main.drop();
      await receiver.close();
    },
  };
}

/** Whether a schema is in a database. */
export async function schemaIn(db: Sequelize, schema: string): Promise<boolean> {
  const rows = await db.query('SELECT 1 FROM pg_namespace WHERE nspname = :schema', {
    replacements: { schema },
    type: QueryTypes.SELECT,
  });
  return rows.length === 1;
}
