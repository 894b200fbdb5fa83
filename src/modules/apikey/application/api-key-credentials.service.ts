import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Principal } from '../../../core/http/principal';
import type { Cache } from '../../../core/infrastructure/cache/cache';
import type { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { UnitOfWork } from '../../../core/infrastructure/database/unit-of-work';
import type { Logger } from '../../../core/logger';
import { ApiKeyInvalidError } from '../domain/api-key';
import { ApiKeyToken } from '../domain/api-key-token';
import type { ApiKeyCredential, ApiKeyRepository } from '../domain/ports';
import { API_KEY_REPOSITORY } from './tokens';

const TTL_SECONDS = 60;
/** last_used_at is written at most once a minute per key, across instances. */
const TOUCH_INTERVAL_SECONDS = 60;
const scope = (prefix: string) => `apikey:${prefix}`;

export interface ApiKeyCaller {
  principal: Principal;
  schemaName: string;
}

/**
 * Authenticates `tak_…` bearers on the request path. The key's record is cached under a versioned
 * scope per key (DecisionCache): revocation bumps it after COMMIT, so the next request anywhere
 * reads the database again, even one that was re-caching the old record at that moment. Expiry is
 * checked against the clock on every request, cached or not.
 */
@Service()
export class ApiKeyCredentials {
  /** When this instance last recorded each key's use (epoch ms): most requests stop here. */
  private readonly touched = new Map<string, number>();

  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(TOKENS.decisions) private readonly decisions: DecisionCache,
    @Inject(TOKENS.cache) private readonly cache: Cache,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    @Inject(TOKENS.logger) private readonly logger: Logger,
  ) {}

  async authenticate(token: string): Promise<ApiKeyCaller> {
    const parsed = ApiKeyToken.parse(token);
    if (!parsed) throw new ApiKeyInvalidError();
    const credential = await this.lookup(parsed.prefix);
    if (!credential || !ApiKeyToken.matches(parsed.secret, Buffer.from(credential.secretHash, 'base64'))) {
      throw new ApiKeyInvalidError();
    }
    const now = this.clock.now();
    if (credential.revokedAt) throw new ApiKeyInvalidError('API_KEY_REVOKED', 'The API key was revoked');
    const expiresAt = credential.expiresAt ? new Date(credential.expiresAt) : null;
    if (expiresAt && now >= expiresAt) throw new ApiKeyInvalidError('API_KEY_EXPIRED', 'The API key has expired');
    // A deleted or suspended workspace takes its keys with it.
    if (!credential.schemaName) throw new ApiKeyInvalidError();
    await this.touch(credential.id, now);
    return {
      schemaName: credential.schemaName,
      principal: {
        userId: credential.id,
        sessionId: '',
        tokenId: credential.id,
        workspaceId: credential.workspaceId,
        expiresAt: expiresAt ? Math.floor(expiresAt.getTime() / 1000) : 0,
        apiKey: { id: credential.id, prefix: credential.prefix, roleIds: credential.roleIds },
      },
    };
  }

  /** After COMMIT: these keys' cached records are never used again. */
  forget(prefixes: string[]): Promise<void> {
    return UnitOfWork.afterCommit(() => this.decisions.bump(...prefixes.map(scope)));
  }

  private async lookup(prefix: string): Promise<ApiKeyCredential | null> {
    const cached = await this.decisions.read<ApiKeyCredential | false>(`${scope(prefix)}:entry`, [scope(prefix)], {
      ttlSeconds: TTL_SECONDS,
    });
    if (cached.value !== null) return cached.value || null;
    const credential = await this.keys.findCredential(prefix);
    await this.decisions.write(cached, credential ?? false);
    return credential;
  }

  private async touch(id: string, now: Date): Promise<void> {
    const last = this.touched.get(id);
    if (last !== undefined && now.getTime() - last < TOUCH_INTERVAL_SECONDS * 1000) return;
    this.touched.set(id, now.getTime());
    if (this.touched.size > 10_000) this.touched.clear();
    try {
      // One instance per minute (of the clock) wins the counter; the others leave the write to it.
      const minute = Math.floor(now.getTime() / (TOUCH_INTERVAL_SECONDS * 1000));
      if ((await this.cache.increment(`apikey:used:${id}:${minute}`, 2 * TOUCH_INTERVAL_SECONDS)) !== 1) return;
      await this.keys.touch(id, now);
    } catch (err) {
      // Bookkeeping only: a failed write must not refuse a request the key was entitled to.
      this.logger.warn({ err, apiKeyId: id }, 'could not record an API key use');
    }
  }
}
