import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import { domainEvent } from '../../../core/domain/domain-event';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import type { TransactionRunner } from '../../../core/infrastructure/database/unit-of-work';
import type { EventBus } from '../../../core/infrastructure/events/event-bus';
import type { Principal } from '../../../core/http/principal';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import type { UserLoggedOut } from '../domain/events';
import type { SessionRepository } from '../domain/ports';
import { denylistKey, SessionIssuer } from './session-issuer.service';
import { SESSION_REPOSITORY } from './tokens';

export const logoutInput = z.strictObject({
  refreshToken: z.string().min(10).max(200).optional(),
  scope: z.enum(['local', 'global', 'others']).default('local').openapi({
    description: '`local`: this session; `global`: every session of the user; `others`: every session but this one',
  }),
});
export type LogoutInput = z.infer<typeof logoutInput>;

@Service()
export class Logout {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(TOKENS.transactions) private readonly tx: TransactionRunner,
    @Inject(TOKENS.cache) private readonly cache: Cache,
    @Inject(TOKENS.eventBus) private readonly events: EventBus,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly issuer: SessionIssuer,
  ) {}

  async execute(input: { principal: Principal; scope: LogoutInput['scope'] }): Promise<void> {
    const { principal, scope } = input;
    const now = this.clock.now();
    const revoked = await this.tx.run(async () => {
      let ids: string[];
      if (scope === 'local') {
        const session = await this.sessions.findSession(principal.sessionId);
        session?.revoke('logout', now);
        if (session) await this.sessions.saveSession(session);
        ids = [principal.sessionId];
      } else {
        const except = scope === 'others' ? principal.sessionId : undefined;
        ids = await this.sessions.revokeAllForUser(principal.userId, 'logout', now, except);
      }
      await this.audit.record({
        action: 'auth.logout',
        actorId: principal.userId,
        metadata: { scope, sessions: ids.length },
      });
      await this.events.publish<UserLoggedOut>(
        domainEvent('UserLoggedOut', { userId: principal.userId, sessionIds: ids }),
      );
      return ids;
    });
    if (scope !== 'others') {
      // The session check already stops this token; the denylist also covers it if a cache entry lingers.
      const ttl = Math.max(1, principal.expiresAt - Math.floor(now.getTime() / 1000));
      await this.cache.set(denylistKey(principal.tokenId), true, ttl);
    }
    await this.issuer.forget(revoked);
  }
}
