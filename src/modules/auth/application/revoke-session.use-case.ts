import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { Principal } from '../../../core/http/principal';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { SessionNotFoundError } from '../domain/errors';
import type { SessionsEnded } from '../domain/events';
import type { SessionRepository } from '../domain/ports';
import { SessionIssuer } from './session-issuer.service';
import { AUTH_SETTINGS, SESSION_REPOSITORY, type AuthSettings } from './tokens';

/**
 * Ends one of the caller's sessions (the current one too): its refresh tokens stop at once, its
 * access tokens on their next request (the session cache is bumped), its sockets through the
 * SessionsEnded subscriber. Someone else's session, or one already ended, is a 404.
 */
@Service()
export class RevokeSession {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly issuer: SessionIssuer,
  ) {}

  async execute(input: { principal: Principal; sessionId: string }): Promise<void> {
    const { principal, sessionId } = input;
    const now = this.clock.now();
    await this.tx.run(async () => {
      const session = await this.sessions.findSession(sessionId);
      const live = session?.state(now, this.settings.sessionIdleSeconds) === 'active';
      if (!session || session.userId !== principal.userId || !live) {
        // Detached: kept although the transaction rolls back (written once it has ended).
        await this.audit.record(
          {
            action: 'auth.session.revoke_refused',
            actorId: principal.userId,
            targetType: 'session',
            targetId: sessionId,
          },
          { detached: true },
        );
        throw new SessionNotFoundError();
      }
      session.revoke('revoked_by_user', now);
      await this.sessions.saveSession(session);
      await this.audit.record({
        action: 'auth.session.revoked',
        actorId: principal.userId,
        targetType: 'session',
        targetId: sessionId,
        metadata: { current: sessionId === principal.sessionId },
      });
      await this.events.publish<SessionsEnded>(
        domainEvent('SessionsEnded', { userId: principal.userId, sessionIds: [sessionId], reason: 'revoked_by_user' }),
      );
    });
    await this.issuer.forget([sessionId]);
  }
}
