import { QueryTypes } from 'sequelize';
import { TOKENS } from '../../src/core/bootstrap/tokens';
import type { TestServer } from './test-server';

/** Reads the test database directly ($1, $2 ... bind parameters), for what HTTP cannot show. */
export async function selectRows<T extends object>(
  server: TestServer,
  sql: string,
  bind: unknown[] = [],
): Promise<T[]> {
  return server.container.get(TOKENS.sequelize).query<T>(sql, { bind, type: QueryTypes.SELECT });
}

/** Changes the test database directly (e.g. bans a user the way an operator would). */
export async function execute(server: TestServer, sql: string, bind: unknown[] = []): Promise<void> {
  await server.container.get(TOKENS.sequelize).query(sql, { bind });
}

/** Every row of a table matching a condition, each serialised whole, to search for leaked secrets. */
export async function rowsAsJson(server: TestServer, table: string, where: string, bind: unknown[]): Promise<string[]> {
  const rows = await selectRows<{ row: string }>(
    server,
    `SELECT row_to_json(t)::text AS row FROM ${table} t WHERE ${where}`,
    bind,
  );
  return rows.map((r) => r.row);
}

/** Waits until the server's outbox has nothing queued or running, so "nothing was sent" can be asserted. */
export async function backgroundWorkDone(server: TestServer): Promise<void> {
  await server.container.get(TOKENS.jobs).settled(10_000);
}
