import { Container } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { EventBus, domainEvent } from '../../../core/infrastructure/events/event-bus';
import { createLogger } from '../../../core/logger';
import { DEFAULT_WORKSPACE } from '../../auth/auth.public';
import { Email, USER_REPOSITORY, User } from '../../user/user.public';
import { FakeUsers } from '../../user/user.test-support';
import { WORKSPACE_DIRECTORY } from '../../workspace/workspace.public';
import type { Notification, NotificationRepository } from '../domain/notification';
import { subscribeNotificationHandlers } from './notification-handlers';
import { NOTIFICATION_REPOSITORY, Notifications } from './notifications.service';

const NOW = new Date('2026-11-25T10:00:00Z');
const W1 = '11111111-1111-4111-8111-111111111111';
const W2 = '22222222-2222-4222-8222-222222222222';

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
  const bus = new EventBus(createLogger({ env: 'test', log: { level: 'silent' } }));
  const published: Notification[] = [];
  bus.subscribe<{ name: 'NotificationCreated'; payload: { notification: Notification }; occurredAt: Date }>(
    'NotificationCreated',
    (e) => void published.push(e.payload.notification),
  );
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
  return { container, bus, stored, published, users, homes, service: container.get(Notifications) };
}

async function account(users: FakeUsers, id: string, email: string) {
  const user = User.register({ id, email: Email.create(email), name: id, passwordHash: 'h', now: NOW });
  await users.create(user);
  return user;
}

describe('Notifications', () => {
  test('when notifying, then recipients are deduplicated, written in the workspace’s tenant and each is announced', async () => {
    const { service, stored, published } = setup();
    await service.notify(W1, ['a', 'b', 'a'], { type: 'member.joined', title: 't', body: '', data: {} });
    expect(stored).toEqual([{ schema: `tenant_${W1.replace(/-/g, '')}`, notifications: expect.any(Array) }]);
    expect(stored[0]!.notifications.map((n) => n.recipientId)).toEqual(['a', 'b']);
    expect(published.map((n) => n.recipientId)).toEqual(['a', 'b']);
  });

  test('when nobody is to be notified, then nothing is written or announced', async () => {
    const { service, stored, published } = setup();
    await service.notify(W1, [], { type: 'member.joined', title: 't', body: '', data: {} });
    expect([stored, published]).toEqual([[], []]);
  });

  test('when marking a notification that is not the caller’s, then NOTIFICATION_NOT_FOUND', async () => {
    const { service } = setup();
    await expect(service.markRead('u1', 'n1')).rejects.toMatchObject({ code: 'NOTIFICATION_NOT_FOUND' });
  });
});

describe('notification handlers', () => {
  test('when a member joins, then every other member is notified, not the joiner', async () => {
    const { bus, published, users } = setup();
    await account(users, 'u-joiner', 'joiner@example.com');
    await bus.publish(domainEvent('MemberJoined', { workspaceId: W1, userId: 'u-joiner' }));
    expect(published.map((n) => [n.recipientId, n.type])).toEqual([
      ['u-admin', 'member.joined'],
      ['u-other', 'member.joined'],
    ]);
  });

  test('when members change their own roles, then nobody is notified; when an admin does, the member is', async () => {
    const { bus, published } = setup();
    await bus.publish(domainEvent('MemberRolesChanged', { workspaceId: W1, userId: 'u1', roles: ['admin'], by: 'u1' }));
    await bus.publish(
      domainEvent('MemberRolesChanged', { workspaceId: W1, userId: 'u2', roles: ['viewer'], by: 'u1' }),
    );
    expect(published.map((n) => [n.recipientId, n.type, n.data])).toEqual([
      ['u2', 'roles.changed', { roles: ['viewer'] }],
    ]);
  });

  test('when an invitee has an account and a current workspace, then they are notified there; otherwise not at all', async () => {
    const { bus, stored, users, homes } = setup();
    const invitee = await account(users, 'u-invitee', 'invitee@example.com');
    await bus.publish(domainEvent('MemberInvited', { workspaceId: W1, email: 'nobody@example.com', role: 'member' }));
    await bus.publish(domainEvent('MemberInvited', { workspaceId: W1, email: invitee.email.value, role: 'member' }));
    expect(stored).toEqual([]);
    homes.set(invitee.id, W2);
    await bus.publish(domainEvent('MemberInvited', { workspaceId: W1, email: invitee.email.value, role: 'member' }));
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
