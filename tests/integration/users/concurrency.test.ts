import { USER_REPOSITORY } from '../../../src/modules/user/user.public';
import { startTestServer, type TestServer } from '../../support/test-server';
import { verifiedAccount } from '../../support/workspace-helpers';

describe('user writes are optimistic', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.stop());

  test('when a flow saves a user it read before someone else saved it, then CONCURRENT_UPDATE and the other write stands', async () => {
    const account = await verifiedAccount(server);
    const users = server.container.get(USER_REPOSITORY);
    const slow = (await users.findById(account.user.id))!; // e.g. a login still checking the password
    const admin = (await users.findById(account.user.id))!;

    admin.changeStatus('banned', '00000000-0000-4000-8000-000000000001', new Date(Date.now() + 5));
    await users.save(admin);
    slow.recordLogin(new Date(Date.now() + 10));

    await expect(users.save(slow)).rejects.toMatchObject({ code: 'CONCURRENT_UPDATE' });
    expect((await users.findById(account.user.id))?.status).toBe('banned');
    // The fresh copy saves again without trouble (its version follows each write).
    admin.updateProfile({ timezone: 'Europe/Paris' }, new Date(Date.now() + 20));
    await expect(users.save(admin)).resolves.toBeUndefined();
  });
});
