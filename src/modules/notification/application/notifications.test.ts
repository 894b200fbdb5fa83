import { Container } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { EventBus, domainEvent } from '../../../core/infrastructure/events/event-bus';
import { MemoryOutbox } from '../../../core/infrastructure/jobs/memory-outbox.test-support';
import { DEFAULT_WORKSPACE } from '../../auth/auth.public';
import { Email, USER_REPOSITORY, User } from '../../user/user.public';
import { FakeUsers } from '../../user/user.test-support';
import { WORKSPACE_DIRECTORY } from '../../workspace/workspace.public';
import type { Notification, NotificationCreated, NotificationRepository } from '../domain/notification';
import { subscribeNotificationHandlers } from './notification-handlers';
import { NOTIFICATION_REPOSITORY, Notifications } from './notifications.service';

const NOW = new Date('2026-11-25T10:00:00Z');
const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';
const JOB = { id: '33333333-3333-4333-8333-333333333333', attempt: 1 };

function setup() {
  const container = Container.of(`notifications-${Math.random()}`);
  const stored: { schema: string; notifications: Notification[] }[] = [];
  let schema = '';
  const repository: NotificationRepository = {
    add: async (notifications) => void stored.push({ schema, notifications }),
    list: async () => ({ items: [], meta: { page: 1, limit: 20, total: 0 } }),
    markRead: async () => null,
    markAllRead: async () => 0,
  };
  const outbox = new MemoryOutbox();
  const bus = new EventBus(outbox);
  const published: NotificationCreated['payload']['notification'][] = [];
  bus.subscribe<NotificationCreated>('NotificationCreated', 'test.published', (e) => {
    published.push(e.payload.notification);
  });
  const claimed = new Set<string>();
  container.set(TOKENS.receipts, {
    claim: async (job: { id: string }, effect: string) =>
      !claimed.has(`${job.id}:${effect}`) && !!claimed.add(`${job.id}:${effect}`),
  });
  const users = new FakeUsers();
  const homes = new Map<string, string>();
  container.set(NOTIFICATION_REPOSITORY, repository);
  container.set(TOKENS.eventBus, bus);
  container.set(TOKENS.clock, { now: () => NOW });
  container.set(TOKENS.transactions, {
    run: (work: () => Promise<unknown>) => work(),
    runInTenant: async (s: { value: string }, work: () => Promise<unknown>) => {
      schema = s.value;
      return work();
    },
  });
  container.set(USER_REPOSITORY, users);
  container.set(DEFAULT_WORKSPACE, { for: async (userId: string) => homes.get(userId) });
  container.set(WORKSPACE_DIRECTORY, {
    findById: async (id: string) => (id === W1 ? { id: W1, name: 'Acme' } : null),
    memberIds: async () => ['u-admin', 'u-joiner', 'u-other'],
  } as never);
  subscribeNotificationHandlers(container);
  /** Publishes an event and runs the jobs it leads to, as the workers would. */
  const deliver = async (event: Parameters<EventBus['publish']>[0]) => {
    await bus.publish(event);
    await outbox.runAll();
  };
  return { container, deliver, outbox, stored, published, users, homes, service: container.get(Notifications) };
}

async function account(users: FakeUsers, id: string, email: string) {
  const user = User.register({ id, email: Email.create(email), name: id, passwordHash: 'h', now: NOW });
  await users.create(user);
  return user;
}

describe('Notifications', () => {
  test('when notifying, then recipients are deduplicated, written in the workspace’s tenant and each is announced', async () => {
    const { service, stored, published, outbox } = setup();
    await service.notify(W1, ['a', 'b', 'a'], { type: 'member.joined', title: 't', body: '', data: {} }, JOB);
    await outbox.runAll();
    expect(stored).toEqual([{ schema: `tenant_${W1.replace(/-/g, '')}`, notifications: expect.any(Array) }]);
    expect(stored[0]!.notifications.map((n) => n.recipientId)).toEqual(['a', 'b']);
    expect(published.map((n) => n.recipientId)).toEqual(['a', 'b']);
  });

  test('when nobody is to be notified, then nothing is written or announced', async () => {
    const { service, stored, published, outbox } = setup();
    await service.notify(W1, [], { type: 'member.joined', title: 't', body: '', data: {} }, JOB);
    await outbox.runAll();
    expect([stored, published]).toEqual([[], []]);
  });

  test('when the same job notifies twice, then the notifications are written and announced once', async () => {
    const { service, stored, published, outbox } = setup();
    const content = { type: 'member.joined' as const, title: 't', body: '', data: {} };
    await service.notify(W1, ['a'], content, JOB);
    await service.notify(W1, ['a'], content, { ...JOB, attempt: 2 });
    await outbox.runAll();
    expect(stored).toHaveLength(1);
    expect(published).toHaveLength(1);
  });

  test('when marking a notification that is not the caller’s, then NOTIFICATION_NOT_FOUND', async () => {
    const { service } = setup();
    await expect(service.markRead('u1', 'n1')).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' });
  });
});

describe('notification handlers', () => {
  test('when a member joins, then every other member is notified, not the joiner', async () => {
    const { deliver, published, users } = setup();
    await account(users, 'u-joiner', 'joiner@example.com');
    await deliver(domainEvent('MemberJoined', { workspaceId: W1, userId: 'u-joiner' }));
    expect(published.map((n) => [n.recipientId, n.type])).toEqual([
      ['u-admin', 'member.joined'],
      ['u-other', 'member.joined'],
    ]);
  });

  test('when members change their own roles, then nobody is notified; when an admin does, the member is', async () => {
    const { deliver, published } = setup();
    await deliver(domainEvent('MemberRolesChanged', { workspaceId: W1, userId: 'u1', roles: ['admin'], by: 'u1' }));
    await deliver(domainEvent('MemberRolesChanged', { workspaceId: W1, userId: 'u2', roles: ['viewer'], by: 'u1' }));
    expect(published.map((n) => [n.recipientId, n.type, n.data])).toEqual([
      ['u2', 'roles.changed', { roles: ['viewer'] }],
    ]);
  });

  test('when an invitee has an account and a current workspace, then they are notified there; otherwise not at all', async () => {
    const { deliver, stored, users, homes } = setup();
    const invitee = await account(users, 'u-invitee', 'invitee@example.com');
    await deliver(domainEvent('MemberInvited', { workspaceId: W1, email: 'nobody@example.com', role: 'member' }));
    await deliver(domainEvent('MemberInvited', { workspaceId: W1, email: invitee.email.value, role: 'member' }));
    expect(stored).toEqual([]);
    homes.set(invitee.id, W2);
    await deliver(domainEvent('MemberInvited', { workspaceId: W1, email: invitee.email.value, role: 'member' }));
    expect(stored).toEqual([
      {
        schema: `tenant_${W2.replace(/-/g, '')}`,
        notifications: [
          expect.objectContaining({
            recipientId: invitee.id,
            type: 'invitation.received',
            data: { workspaceId: W1, workspaceName: 'Acme', role: 'member' },
          }),
        ],
      },
    ]);
  });
});
