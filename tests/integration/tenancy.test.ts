import { randomUUID } from 'node:crypto';
import { QueryTypes, Sequelize } from 'sequelize';
import { SchemaName } from '../../src/core/domain/schema-name';
import { createTenantMigrator } from '../../src/core/infrastructure/database/migrator';
import { tenantQuery } from '../../src/core/infrastructure/database/tenant-query';
import { UnitOfWork } from '../../src/core/infrastructure/database/unit-of-work';
import { createLogger } from '../../src/core/logger';

const logger = createLogger({ env: 'test', log: { level: 'silent' } });

/** A Sequelize whose pool holds ONE connection: every scope below reuses the same backend. */
function singleConnection() {
  return new Sequelize(process.env.DATABASE_URL as string, { logging: false, pool: { max: 1, min: 0 } });
}

async function provision(sequelize: Sequelize, uow: UnitOfWork, marker: string): Promise<SchemaName> {
  const schema = SchemaName.forWorkspace(randomUUID());
  await uow.runInTenant(schema, async () => {
    await sequelize.query(`CREATE SCHEMA ${schema.quoted}`, { transaction: UnitOfWork.current() });
    await createTenantMigrator(sequelize, schema, logger).up();
    await sequelize.query('INSERT INTO roles (name, description) VALUES (:marker, :marker)', {
      replacements: { marker },
      transaction: UnitOfWork.current(),
    });
  });
  return schema;
}

const roleNames = (sequelize: Sequelize) =>
  sequelize
    .query<{ name: string }>('SELECT name FROM roles WHERE NOT is_system ORDER BY name', {
      type: QueryTypes.SELECT,
      transaction: UnitOfWork.current(),
    })
    .then((rows) => rows.map((r) => r.name));

const searchPath = async (sequelize: Sequelize) => {
  const [row] = await sequelize.query<{ search_path: string }>('SHOW search_path', { type: QueryTypes.SELECT });
  return row?.search_path;
};

describe('tenant scope (UnitOfWork.runInTenant)', () => {
  let sequelize: Sequelize;
  let uow: UnitOfWork;
  const schemas: SchemaName[] = [];

  beforeAll(async () => {
    sequelize = singleConnection();
    uow = new UnitOfWork(sequelize);
  });
  afterAll(async () => {
    for (const schema of schemas) await sequelize.query(`DROP SCHEMA IF EXISTS ${schema.quoted} CASCADE`);
    await sequelize.close();
  });

  test('when a tenant schema is created and migrated in its scope, then its tables and migration record live there', async () => {
    const schema = await provision(sequelize, uow, 'alpha');
    schemas.push(schema);
    const tables = await sequelize.query<{ tablename: string }>(
      'SELECT tablename FROM pg_tables WHERE schemaname = :schema ORDER BY 1',
      { replacements: { schema: schema.value }, type: QueryTypes.SELECT },
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining(['members', 'roles', 'member_roles', 'invitations', 'audit_events', 'schema_migrations']),
    );
    const applied = await uow.runInTenant(schema, () => createTenantMigrator(sequelize, schema, logger).executed());
    expect(applied.map((m) => m.name)).toEqual([
      '20261124000000-tenant-base',
      '20261125000000-notifications',
      '20261204300000-webhooks',
    ]);
  });

  test('when the scope commits or fails, then the pooled connection is back on the default search_path', async () => {
    const schema = await provision(sequelize, uow, 'beta');
    schemas.push(schema);
    expect(await searchPath(sequelize)).toBe('"$user", public');

    await expect(
      uow.runInTenant(schema, async () => {
        await sequelize.query("INSERT INTO roles (name) VALUES ('half-written')", {
          transaction: UnitOfWork.current(),
        });
        throw new Error('failure after a write');
      }),
    ).rejects.toThrow('failure after a write');

    expect(await searchPath(sequelize)).toBe('"$user", public');
    expect(await uow.runInTenant(schema, () => roleNames(sequelize))).toEqual(['beta']);
  });

  test('when hundreds of interleaved scopes for different tenants share one connection, then each sees only its own rows', async () => {
    const tenants = await Promise.all(['t1', 't2', 't3', 't4', 't5'].map((m) => provision(sequelize, uow, m)));
    schemas.push(...tenants);
    const seen = await Promise.all(
      Array.from({ length: 200 }, (_, i) => {
        const index = i % tenants.length;
        return uow.runInTenant(tenants[index]!, () => roleNames(sequelize)).then((names) => ({ index, names }));
      }),
    );
    for (const { index, names } of seen) expect(names).toEqual([`t${index + 1}`]);
  });

  test('when a tenant scope is opened inside another tenant scope, then it is refused', async () => {
    const [a, b] = [await provision(sequelize, uow, 'a'), await provision(sequelize, uow, 'b')];
    schemas.push(a, b);
    await expect(uow.runInTenant(a, () => uow.runInTenant(b, () => roleNames(sequelize)))).rejects.toThrow(
      /cannot open inside another/,
    );
    await expect(uow.runInTenant(a, () => uow.runInTenant(a, () => roleNames(sequelize)))).resolves.toEqual(['a']);
  });

  test('when a tenant migration fails, then neither the schema nor any table is left behind', async () => {
    const schema = SchemaName.forWorkspace(randomUUID());
    await expect(
      uow.runInTenant(schema, async () => {
        await sequelize.query(`CREATE SCHEMA ${schema.quoted}`, { transaction: UnitOfWork.current() });
        await createTenantMigrator(sequelize, schema, logger).up();
        throw new Error('seeding failed');
      }),
    ).rejects.toThrow('seeding failed');
    const [found] = await sequelize.query<{ count: string }>(
      'SELECT count(*) FROM pg_namespace WHERE nspname = :schema',
      { replacements: { schema: schema.value }, type: QueryTypes.SELECT },
    );
    expect(Number(found?.count)).toBe(0);
  });
});

describe('read-only tenant scope (UnitOfWork.readInTenant)', () => {
  let sequelize: Sequelize;
  let uow: UnitOfWork;
  const schemas: SchemaName[] = [];
  const names = () =>
    tenantQuery<{ name: string }>(sequelize, 'SELECT name FROM roles WHERE NOT is_system ORDER BY name', {}).then(
      (rows) => rows.map((r) => r.name),
    );

  beforeAll(async () => {
    sequelize = singleConnection();
    uow = new UnitOfWork(sequelize);
  });
  afterAll(async () => {
    for (const schema of schemas) await sequelize.query(`DROP SCHEMA IF EXISTS ${schema.quoted} CASCADE`);
    await sequelize.close();
  });

  test('when read scopes and write transactions of different tenants interleave on one connection, then each sees only its own rows', async () => {
    const tenants = await Promise.all(['r1', 'r2', 'r3'].map((m) => provision(sequelize, uow, m)));
    schemas.push(...tenants);
    const seen = await Promise.all(
      Array.from({ length: 150 }, (_, i) => {
        const index = i % tenants.length;
        const scope = i % 2 === 0 ? uow.readInTenant.bind(uow) : uow.runInTenant.bind(uow);
        return scope(tenants[index]!, names).then((found) => ({ index, found }));
      }),
    );
    for (const { index, found } of seen) expect(found).toEqual([`r${index + 1}`]);
    expect(await searchPath(sequelize)).toBe('"$user", public');
  });

  test('when a read scope tries to write, then PostgreSQL refuses it as a read-only transaction and the connection is left clean', async () => {
    const schema = await provision(sequelize, uow, 'ro');
    schemas.push(schema);

    await expect(
      uow.readInTenant(schema, () => tenantQuery(sequelize, "INSERT INTO roles (name) VALUES ('sneaky')", {})),
    ).rejects.toMatchObject({ parent: { code: '25006' } });

    expect(await uow.readInTenant(schema, names)).toEqual(['ro']);
    const [settings] = await sequelize.query<{ ro: string }>("SELECT current_setting('transaction_read_only') AS ro", {
      type: QueryTypes.SELECT,
    });
    expect(settings?.ro).toBe('off');
    expect(await searchPath(sequelize)).toBe('"$user", public');
  });

  test('when a transaction or another tenant scope is opened inside a read scope, then it is refused', async () => {
    const [a, b] = [await provision(sequelize, uow, 'ra'), await provision(sequelize, uow, 'rb')];
    schemas.push(a, b);
    await expect(uow.readInTenant(a, () => uow.run(names))).rejects.toThrow(
      /read-only route cannot open a transaction/,
    );
    await expect(uow.readInTenant(a, () => uow.runInTenant(a, names))).rejects.toThrow(/cannot open inside another/);
    await expect(uow.readInTenant(a, () => uow.readInTenant(b, names))).rejects.toThrow(/cannot open inside another/);
    await expect(uow.runInTenant(a, () => uow.readInTenant(b, names))).rejects.toThrow(/cannot open inside another/);
    await expect(uow.readInTenant(a, () => uow.readInTenant(a, names))).resolves.toEqual(['ra']);
  });

  test('when a tenant query runs outside any tenant scope, then it is refused before reaching the database', () => {
    expect(() => tenantQuery(sequelize, 'SELECT 1', {})).toThrow(/only inside a tenant scope/);
  });
});
