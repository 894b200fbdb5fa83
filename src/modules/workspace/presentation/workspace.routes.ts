import type { ContainerInstance } from 'typedi';
import { paginationQuery } from '../../../core/http/envelope';
import { principalOf } from '../../../core/http/principal';
import { defineRoute, type RouteSpec } from '../../../core/http/route';
import { z } from '../../../core/http/zod';
import { AcceptInvitation, acceptInvitationInput } from '../application/accept-invitation.use-case';
import { CreateWorkspace, createWorkspaceInput } from '../application/create-workspace.use-case';
import { DeleteWorkspace } from '../application/delete-workspace.use-case';
import { GetWorkspace } from '../application/get-workspace.use-case';
import { InviteMember, inviteMemberInput } from '../application/invite-member.use-case';
import { ListMembers } from '../application/list-members.use-case';
import { ListMyWorkspaces } from '../application/list-my-workspaces.use-case';
import { RemoveMember } from '../application/remove-member.use-case';
import { SwitchWorkspace } from '../application/switch-workspace.use-case';
import { UpdateWorkspace, updateWorkspaceInput } from '../application/update-workspace.use-case';
import { memberView, toMemberView, toWorkspaceView, workspaceView } from './workspace.view';

const byId = z.strictObject({ workspaceId: z.uuid() });
const byMember = z.strictObject({ workspaceId: z.uuid(), userId: z.uuid() });
const tokenPair = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int(),
    tokenType: z.literal('Bearer'),
  })
  .openapi('WorkspaceTokenPair');

export function workspaceRoutes(container: ContainerInstance): RouteSpec[] {
  return [
    defineRoute({
      method: 'post',
      path: '/workspaces',
      tags: ['Workspaces'],
      summary: 'Create a workspace (its own PostgreSQL schema); you become its admin',
      auth: 'user',
      permission: null,
      request: { body: createWorkspaceInput },
      response: { status: 201, description: 'The new workspace', schema: workspaceView },
      errors: [403, 409, 422],
      handler: async ({ body }, ctx) =>
        toWorkspaceView(await container.get(CreateWorkspace).execute({ ...body, ownerId: principalOf(ctx).userId })),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces',
      tags: ['Workspaces'],
      summary: 'The workspaces you are a member of',
      auth: 'user',
      permission: null,
      request: { query: paginationQuery },
      response: { status: 200, description: 'A page of workspaces', schema: workspaceView, paginated: true },
      handler: async ({ query }, ctx) => {
        const page = await container.get(ListMyWorkspaces).execute({ userId: principalOf(ctx).userId, ...query });
        return { items: page.items.map(toWorkspaceView), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId',
      tags: ['Workspaces'],
      summary: 'A workspace you are a member of (any of yours, active or not)',
      auth: 'user',
      permission: null,
      request: { params: byId },
      response: { status: 200, description: 'The workspace', schema: workspaceView },
      errors: [404],
      handler: async ({ params }, ctx) =>
        toWorkspaceView(
          await container
            .get(GetWorkspace)
            .execute({ workspaceId: params.workspaceId, userId: principalOf(ctx).userId }),
        ),
    }),
    defineRoute({
      method: 'put',
      path: '/workspaces/:workspaceId',
      tags: ['Workspaces'],
      summary: 'Rename the active workspace or change its settings',
      auth: 'workspace',
      permission: 'workspaces.manage',
      request: { params: byId, body: updateWorkspaceInput },
      response: { status: 200, description: 'The updated workspace', schema: workspaceView },
      errors: [403, 404],
      handler: async ({ params, body }, ctx) =>
        toWorkspaceView(
          await container
            .get(UpdateWorkspace)
            .execute({ ...body, workspaceId: params.workspaceId, userId: principalOf(ctx).userId }),
        ),
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId',
      tags: ['Workspaces'],
      summary: 'Delete the active workspace: members lose access at once',
      auth: 'workspace',
      permission: 'workspaces.manage',
      request: { params: byId },
      response: { status: 204, description: 'Deleted' },
      errors: [403, 404],
      handler: async ({ params }, ctx) => {
        await container
          .get(DeleteWorkspace)
          .execute({ workspaceId: params.workspaceId, userId: principalOf(ctx).userId });
      },
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/switch',
      tags: ['Workspaces'],
      summary: 'Make this your active workspace: a new token pair scoped to it (the old pair stops working)',
      auth: 'user',
      permission: null,
      request: { params: byId },
      response: { status: 200, description: 'Tokens whose wid is this workspace', schema: tokenPair },
      errors: [404],
      handler: async ({ params }, ctx) => ({
        ...(await container
          .get(SwitchWorkspace)
          .execute({ workspaceId: params.workspaceId, principal: principalOf(ctx) })),
        tokenType: 'Bearer' as const,
      }),
    }),
    defineRoute({
      method: 'get',
      path: '/workspaces/:workspaceId/members',
      tags: ['Workspaces'],
      summary: 'Members of the active workspace with their roles',
      auth: 'workspace',
      permission: 'members.read',
      request: { params: byId, query: paginationQuery },
      response: { status: 200, description: 'A page of members', schema: memberView, paginated: true },
      errors: [403, 404],
      handler: async ({ query }) => {
        const page = await container.get(ListMembers).execute(query);
        return { items: page.items.map(toMemberView), meta: page.meta };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/members/invite',
      tags: ['Workspaces'],
      summary: 'Invite someone by email with a role you could grant; re-inviting replaces the pending invitation',
      auth: 'workspace',
      permission: 'members.invite',
      request: { params: byId, body: inviteMemberInput },
      response: { status: 202, description: 'Invitation sent', schema: z.object({ message: z.string() }) },
      errors: [403, 404, 409, 422],
      handler: async ({ params, body }, ctx) => {
        await container
          .get(InviteMember)
          .execute({ ...body, workspaceId: params.workspaceId, principal: principalOf(ctx) });
        return { message: 'Invitation sent' };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/workspaces/:workspaceId/members/accept',
      tags: ['Workspaces'],
      summary: 'Accept an invitation sent to your email address',
      auth: 'user',
      permission: null,
      request: { params: byId, body: acceptInvitationInput },
      response: { status: 204, description: 'You are a member now; switch to the workspace to use it' },
      errors: [403, 404],
      handler: async ({ params, body }, ctx) => {
        await container
          .get(AcceptInvitation)
          .execute({ workspaceId: params.workspaceId, userId: principalOf(ctx).userId, token: body.token });
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/workspaces/:workspaceId/members/:userId',
      tags: ['Workspaces'],
      summary: 'Remove a member (needs members.remove) or leave (yourself); the last admin cannot go',
      auth: 'workspace',
      permission: null,
      request: { params: byMember },
      response: { status: 204, description: 'Removed: their access ends on their next request' },
      errors: [403, 404, 422],
      handler: async ({ params }, ctx) => {
        await container.get(RemoveMember).execute({ ...params, principal: principalOf(ctx) });
      },
    }),
  ];
}
