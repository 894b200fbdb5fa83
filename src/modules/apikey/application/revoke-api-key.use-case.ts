import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Principal } from '../../../core/http/principal';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { ApiKeyNotFoundError } from '../domain/errors';
import type { ApiKeyRepository } from '../domain/ports';
import { ApiKeyCredentials } from './api-key-credentials.service';
import { API_KEY_REPOSITORY } from './tokens';

/** Runs in the workspace's tenant scope; the key stops working on the next request, on every instance. */
@Service()
export class RevokeApiKey {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly credentials: ApiKeyCredentials,
  ) {}

  async execute(principal: Principal, keyId: string): Promise<void> {
    const key = await this.keys.findById(principal.workspaceId!, keyId);
    if (!key) throw new ApiKeyNotFoundError();
    if (!key.revoke(this.clock.now())) return;
    await this.keys.save(key);
    await this.audit.record({
      action: 'apikey.revoked',
      targetType: 'api_key',
      targetId: key.id,
      metadata: { prefix: key.toProps().prefix },
    });
    await this.credentials.forget([key.toProps().prefix]);
  }
}
