import { createSequelize } from './sequelize';

describe('createSequelize', () => {
  test('when a pg client emits an error before Sequelize listens for one, then it is not an uncaught exception', async () => {
    // Sequelize adds its 'error' listener only after connect() resolves; a backend terminated
    // right after ReadyForQuery emits in that gap, and an unheard 'error' event crashes Node.
    const sequelize = createSequelize('postgres://u@127.0.0.1:1/none', {
      pool: { min: 0, max: 1 },
      ssl: false,
    } as Parameters<typeof createSequelize>[1]);
    const { Client } = (
      sequelize.connectionManager as unknown as { lib: { Client: new (c: object) => NodeJS.EventEmitter } }
    ).lib;
    const client = new Client({});

    expect(() => client.emit('error', new Error('terminating connection due to administrator command'))).not.toThrow();
    await sequelize.close();
  });
});
