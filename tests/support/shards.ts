import { QueryTypes, Sequelize } from 'sequelize';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import { TENANT_MOVER } from '../../src/modules/lifecycle/application/tokens';
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
  /**
   * Another instance of the same deployment (same databases and secrets, so tokens work on both)
   * with its own cache prefix: it hears nothing of the first one's invalidations.
   */
  anotherInstance(env?: Record<string, string>): Promise<TestServer>;
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
  const { auth } = server.container.get(TOKENS.config);
  return {
    server,
    receiver,
    main,
    east,
    eastDb,
    anotherInstance: (env = {}) =>
      startTestServer({
        DATABASE_URL: main.url,
        TENANT_DATABASES: `east=${east.url}`,
        TENANT_PLACEMENT: 'east',
        JWT_SECRET: auth.jwtSecret,
        REFRESH_TOKEN_SECRET: auth.refreshTokenSecret,
        DATA_ENCRYPTION_KEY: auth.dataEncryptionKey,
        ...env,
      }),
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

/**
 * What a move from east to main leaves when it is cut short after the source's drop and before
 * the switch: the copy on main, no source on east, the freeze mark set.
 */
export async function moveCutShortAfterCopy(server: TestServer, ws: { id: string; slug: string }): Promise<void> {
  const mover = server.container.get(TENANT_MOVER);
  await mover.setMoving(ws.id, 'main');
  const schemaName = `tenant_${ws.id.replace(/-/g, '')}`;
  const workspace = { ...ws, name: 'Eastern', status: 'active', schemaName, shard: 'east', movingTo: 'main' };
  await mover.copy(workspace, 'east', 'main');
}
