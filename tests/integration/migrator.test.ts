import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QueryTypes, Sequelize } from 'sequelize';
import { createMigrator } from '../../src/core/infrastructure/database/migrator';
import { createLogger } from '../../src/core/logger';

const MIGRATION = (table: string) => `
exports.up = async ({ context: { sequelize, schema } }) => {
  await sequelize.query('CREATE TABLE "' + schema + '"."${table}" (id int primary key)');
};
exports.down = async ({ context: { sequelize, schema } }) => {
  await sequelize.query('DROP TABLE "' + schema + '"."${table}"');
};
`;

describe('migration runner', () => {
  const schema = `migrator_test_${process.pid}`;
  const logger = createLogger({ env: 'test', log: { level: 'silent' } });
  let sequelize: Sequelize;
  let dir: string;

  beforeAll(async () => {
    sequelize = new Sequelize(process.env.DATABASE_URL as string, { logging: false });
    await sequelize.query(`CREATE SCHEMA "${schema}"`);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.writeFileSync(path.join(dir, '001-first.js'), MIGRATION('first'));
    fs.writeFileSync(path.join(dir, '002-second.js'), MIGRATION('second'));
  });
  afterAll(async () => {
    await sequelize.query(`DROP SCHEMA "${schema}" CASCADE`);
    await sequelize.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const tables = async () =>
    (
      await sequelize.query<{ tablename: string }>(
        'SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY 1',
        { replacements: { schema }, type: QueryTypes.SELECT },
      )
    ).map((r) => r.tablename);

  test('when run up, down and up again, then the schema and the migrations table follow, and status is accurate', async () => {
    const migrator = createMigrator({ sequelize, directory: dir, schema, tableName: 'schema_migrations', logger });

    expect((await migrator.pending()).map((m) => m.name)).toEqual(['001-first', '002-second']);
    await migrator.up();
    expect(await tables()).toEqual(['first', 'schema_migrations', 'second']);
    expect((await migrator.executed()).map((m) => m.name)).toEqual(['001-first', '002-second']);
    expect(await migrator.pending()).toEqual([]);

    await migrator.down();
    expect(await tables()).toEqual(['first', 'schema_migrations']);
    expect((await migrator.pending()).map((m) => m.name)).toEqual(['002-second']);

    await expect(migrator.up()).resolves.toEqual([expect.objectContaining({ name: '002-second' })]);
    expect(await migrator.up()).toEqual([]);
  });

  test('when a migration has no down, then undoing it fails and it stays applied', async () => {
    const oneWay = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
    fs.writeFileSync(
      path.join(oneWay, '001-one-way.js'),
      `exports.up = async ({ context: { sequelize, schema } }) => { await sequelize.query('CREATE TABLE "' + schema + '"."one_way" (id int)'); };`,
    );
    const migrator = createMigrator({ sequelize, directory: oneWay, schema, tableName: 'one_way_migrations', logger });
    try {
      await migrator.up();
      await expect(migrator.down()).rejects.toThrow(/cannot be undone/);
      expect((await migrator.executed()).map((m) => m.name)).toEqual(['001-one-way']);
    } finally {
      fs.rmSync(oneWay, { recursive: true, force: true });
    }
  });
});
