import type { ContainerInstance } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import { DEFAULT_WORKSPACE } from '../../auth/auth.public';
import type { MemberRolesChanged } from '../../role/role.public';
import { Email, USER_REPOSITORY } from '../../user/user.public';
import { WORKSPACE_DIRECTORY, type MemberInvited, type MemberJoined } from '../../workspace/workspace.public';
import { Notifications } from './notifications.service';

/**
 * Which domain events become notifications, and for whom:
 * - MemberInvited: the invitee, if they have an account, in the workspace they work in now (their
 *   default one); nobody is notified inside a workspace they do not belong to yet.
 * - MemberJoined: every other member of the workspace.
 * - MemberRolesChanged: the member, unless they changed their own roles.
 */
export function subscribeNotificationHandlers(container: ContainerInstance): void {
  const bus = container.get(TOKENS.eventBus);
  const notifications = () => container.get(Notifications);
  const directory = () => container.get(WORKSPACE_DIRECTORY);
  const users = () => container.get(USER_REPOSITORY);

  bus.subscribe<MemberInvited>('MemberInvited', 'notifications.member-invited', async ({ payload }, job) => {
    const invitee = await users().findByEmail(Email.create(payload.email));
    if (!invitee) return;
    const [home, workspace] = await Promise.all([
      container.get(DEFAULT_WORKSPACE).for(invitee.id),
      directory().findById(payload.workspaceId),
    ]);
    if (!home || !workspace || home === workspace.id) return;
    await notifications().notify(
      home,
      [invitee.id],
      {
        type: 'invitation.received',
        title: `You were invited to join ${workspace.name}`,
        body: `Accept the invitation sent to ${invitee.email.value} to join as ${payload.role}.`,
        data: { workspaceId: workspace.id, workspaceName: workspace.name, role: payload.role },
      },
      job,
    );
  });

  bus.subscribe<MemberJoined>('MemberJoined', 'notifications.member-joined', async ({ payload }, job) => {
    const [joiner, others] = await Promise.all([
      users().findById(payload.userId),
      directory().memberIds(payload.workspaceId),
    ]);
    if (!joiner) return;
    await notifications().notify(
      payload.workspaceId,
      others.filter((id) => id !== joiner.id),
      {
        type: 'member.joined',
        title: `${joiner.name} joined the workspace`,
        body: '',
        data: { userId: joiner.id, name: joiner.name },
      },
      job,
    );
  });

  bus.subscribe<MemberRolesChanged>('MemberRolesChanged', 'notifications.roles-changed', async ({ payload }, job) => {
    if (payload.by === payload.userId) return;
    await notifications().notify(
      payload.workspaceId,
      [payload.userId],
      {
        type: 'roles.changed',
        title: 'Your roles changed',
        body: `You now hold: ${payload.roles.join(', ')}.`,
        data: { roles: payload.roles },
      },
      job,
    );
  });
}
