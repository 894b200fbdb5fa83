import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { Principal } from '../../../core/http/principal';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import {
  MfaStatus,
  SESSION_REPOSITORY,
  SessionIssuer,
  type SessionRepository,
  type SessionsEnded,
  type TokenPair,
} from '../../auth/auth.public';
import { domainEvent } from '../../../core/domain/domain-event';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import { USER_REPOSITORY, UserNotFoundError, type UserRepository } from '../../user/user.public';
import { MfaRequiredError, WorkspaceNotFoundError } from '../domain/errors';
import type { WorkspaceDirectory } from '../domain/ports';
import { WORKSPACE_DIRECTORY } from './tokens';
import { WorkspaceAccessCache } from './workspace-access.service';

/**
 * A new session scoped to the workspace replaces the current one (whose tokens stop working),
 * so a token's `wid` can never outlive the session that was granted it.
 */
@Service()
export class SwitchWorkspace {
  constructor(
    @Inject(WORKSPACE_DIRECTORY) private readonly directory: WorkspaceDirectory,
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    private readonly access: WorkspaceAccessCache,
    private readonly issuer: SessionIssuer,
    private readonly mfa: MfaStatus,
  ) {}

  async execute(input: { workspaceId: string; principal: Principal }): Promise<TokenPair> {
    const { principal, workspaceId } = input;
    const access = await this.access.resolve(workspaceId, principal.userId);
    if (!access) throw new WorkspaceNotFoundError();
    if (access.requireMfa && !(await this.mfa.isEnabled(principal.userId))) throw new MfaRequiredError();
    const user = await this.users.findById(principal.userId);
    if (!user) throw new UserNotFoundError();
    const pair = await this.tx.run(async () => {
      const current = await this.sessions.findSession(principal.sessionId);
      if (current) {
        current.revoke('switched_workspace', this.clock.now());
        await this.sessions.saveSession(current);
      }
      const started = await this.issuer.start(user, workspaceId);
      await this.directory.setLastWorkspace(user.id, workspaceId);
      await this.audit.record({
        action: 'workspace.switched',
        actorId: user.id,
        targetType: 'workspace',
        targetId: workspaceId,
      });
      await this.events.publish<SessionsEnded>(
        domainEvent('SessionsEnded', {
          userId: user.id,
          sessionIds: [principal.sessionId],
          reason: 'switched_workspace',
        }),
      );
      return started.pair;
    });
    await this.issuer.forget([principal.sessionId]);
    return pair;
  }
}
