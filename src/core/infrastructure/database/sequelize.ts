import { Sequelize } from 'sequelize';
import type { Config } from '../../config/config';
import { parseTimestampsFaster } from './timestamps';

/** Connection lifetime cap: each pooled connection caches catalog entries per schema it has seen. */
const MAX_USES_PER_CONNECTION = 5000;

export function createSequelize(url: string, config: Config['database']): Sequelize {
  parseTimestampsFaster();
  return new Sequelize(url, {
    dialect: 'postgres',
    // Never log statements: Sequelize inlines replacement values (password and token hashes) into them.
    logging: false,
    pool: {
      min: config.pool.min,
      max: config.pool.max,
      acquire: 10_000,
      idle: 10_000,
      evict: 1_000,
      maxUses: MAX_USES_PER_CONNECTION,
    },
    dialectOptions: config.ssl ? { ssl: { require: true, rejectUnauthorized: true } } : {},
    define: { underscored: true, timestamps: true },
  });
}

/** Readiness probe: one round trip on a pooled connection. */
export async function pingDatabase(sequelize: Sequelize): Promise<void> {
  await sequelize.query('SELECT 1');
}
