import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Page } from '../../../core/domain/page';
import type { Principal } from '../../../core/http/principal';
import type { SessionInfo, SessionRepository } from '../domain/ports';
import { AUTH_SETTINGS, SESSION_REPOSITORY, type AuthSettings } from './tokens';

export type SessionListItem = SessionInfo & { current: boolean };

/** The caller's own live sessions; `current` marks the one the request's access token belongs to. */
@Service()
export class ListSessions {
  constructor(
    @Inject(SESSION_REPOSITORY) private readonly sessions: SessionRepository,
    @Inject(AUTH_SETTINGS) private readonly settings: AuthSettings,
    @Inject(TOKENS.clock) private readonly clock: Clock,
  ) {}

  async execute(input: { principal: Principal; page: number; limit: number }): Promise<Page<SessionListItem>> {
    const { principal, page, limit } = input;
    const found = await this.sessions.listLive(principal.userId, {
      now: this.clock.now(),
      idleSeconds: this.settings.sessionIdleSeconds,
      page,
      limit,
    });
    return {
      items: found.items.map((s) => ({ ...s, current: s.id === principal.sessionId })),
      meta: { page, limit, total: found.total },
    };
  }
}
