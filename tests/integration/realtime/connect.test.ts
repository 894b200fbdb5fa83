import { io as connect, type Socket } from 'socket.io-client';
import { startSmtpReceiver, type SmtpReceiver } from '../../support/smtp-receiver';
import { startTestServer, type TestServer } from '../../support/test-server';
import {
  createWorkspace,
  inviteAndJoin,
  switchTo,
  verifiedAccount,
  type Account,
} from '../../support/workspace-helpers';

function open(server: TestServer, workspaceId: string, token: string): Socket {
  return connect(`${server.socketUrl}/workspaces/${workspaceId}`, {
    auth: { token },
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
  });
}

function outcome(socket: Socket): Promise<{ connected: true } | { connected: false; code: string }> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ connected: true }));
    socket.once('connect_error', (err: Error & { data?: { code: string } }) =>
      resolve({ connected: false, code: err.data?.code ?? err.message }),
    );
  });
}

describe('realtime smoke', () => {
  let receiver: SmtpReceiver;
  let server: TestServer;
  let admin: Account;
  let workspace: { id: string };
  const sockets: Socket[] = [];

  beforeAll(async () => {
    receiver = await startSmtpReceiver();
    server = await startTestServer(receiver.env());
    admin = await verifiedAccount(server);
    workspace = await createWorkspace(server, admin, 'Sockets Co');
    await switchTo(server, admin, workspace.id);
  }, 60_000);
  afterEach(() => sockets.splice(0).forEach((s) => s.close()));
  afterAll(async () => {
    await server.stop();
    await receiver.close();
  });

  test('when a member connects with its token, then the namespace accepts; without a token, UNAUTHORIZED', async () => {
    const ok = open(server, workspace.id, admin.accessToken);
    const bad = open(server, workspace.id, 'nope');
    sockets.push(ok, bad);
    const [good, refused] = await Promise.all([outcome(ok), outcome(bad)]);
    expect(good).toEqual({ connected: true });
    expect(refused).toEqual({ connected: false, code: 'UNAUTHORIZED' });
  });

  test('when someone joins, then a connected member receives workspace:member:joined and a notification', async () => {
    const socket = open(server, workspace.id, admin.accessToken);
    sockets.push(socket);
    await outcome(socket);
    const joined = new Promise((resolve) => socket.once('workspace:member:joined', resolve));
    const notified = new Promise((resolve) => socket.once('notification:new', resolve));
    const newcomer = await verifiedAccount(server);
    await inviteAndJoin(server, receiver, admin, { id: workspace.id, name: 'Sockets Co' }, newcomer, 'member');
    expect(await joined).toEqual({ workspaceId: workspace.id, userId: newcomer.user.id });
    expect(await notified).toMatchObject({ type: 'member.joined', data: { userId: newcomer.user.id } });
  });
});
