import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { MfaRepository } from '../domain/ports';
import { MFA_REPOSITORY } from './tokens';

const TTL_SECONDS = 60;
const scope = (userId: string) => `auth:mfa:${userId}`;

/**
 * Whether a user has an active second factor: read on every request to a workspace that requires
 * MFA, so cached; enabling or disabling bumps the entry's version after COMMIT.
 */
@Service()
export class MfaStatus {
  constructor(
    @Inject(MFA_REPOSITORY) private readonly mfa: MfaRepository,
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
  ) {}

  async isEnabled(userId: string): Promise<boolean> {
    const cached = await this.decisions.read<boolean>(`${scope(userId)}:enabled`, [scope(userId)], {
      ttlSeconds: TTL_SECONDS,
    });
    if (cached.value !== null) return cached.value;
    const enabled = (await this.mfa.findFactor(userId))?.enabled ?? false;
    await this.decisions.write(cached, enabled);
    return enabled;
  }

  forget(userId: string): Promise<void> {
    return UnitOfWork.afterCommit(() => this.decisions.bump(scope(userId)));
  }
}
