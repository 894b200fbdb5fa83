import { randomUUID } from 'node:crypto';
import { Inject, Service } from 'typedi';
import { TOKENS } from '../../../core/bootstrap/tokens';
import type { Clock } from '../../../core/domain/clock';
import type { Principal } from '../../../core/http/principal';
import { z } from '../../../core/http/zod';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { PermissionService } from '../../role/role.public';
import { ApiKey } from '../domain/api-key';
import { ApiKeyToken } from '../domain/api-key-token';
import { ApiKeyExpiryError, ApiKeyNotAllowedError, ApiKeyRoleNotFoundError } from '../domain/errors';
import type { ApiKeyRepository, TenantRoles } from '../domain/ports';
import { summarize, type ApiKeySummary } from './api-key.view';
import { API_KEY_REPOSITORY, API_KEY_TENANT_ROLES } from './tokens';

export const createApiKeyInput = z.strictObject({
  name: z.string().trim().min(1).max(100).openapi({ example: 'CI deploys' }),
  roles: z
    .array(z.string().min(1).max(64))
    .min(1)
    .max(10)
    .refine((roles) => new Set(roles).size === roles.length, 'Each role at most once')
    .openapi({ example: ['viewer'] }),
  expiresAt: z.iso.datetime({ offset: true }).optional().openapi({ example: '2027-06-30T00:00:00Z' }),
});
export type CreateApiKeyInput = z.infer<typeof createApiKeyInput>;

/**
 * Runs in the workspace's tenant scope. The key is shown once, here; only its hash is kept. Its
 * roles must exist, and the caller must hold everything they grant (no escalation through a key).
 */
@Service()
export class CreateApiKey {
  constructor(
    @Inject(API_KEY_REPOSITORY) private readonly keys: ApiKeyRepository,
    @Inject(API_KEY_TENANT_ROLES) private readonly roles: TenantRoles,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
    @Inject(TOKENS.clock) private readonly clock: Clock,
    private readonly permissions: PermissionService,
  ) {}

  async execute(principal: Principal, input: CreateApiKeyInput): Promise<ApiKeySummary & { key: string }> {
    // A leaked key must not be able to mint itself successors that outlive its revocation.
    if (principal.apiKey) throw new ApiKeyNotAllowedError('An API key cannot create API keys');
    const now = this.clock.now();
    const expiresAt = input.expiresAt ? new Date(input.expiresAt) : null;
    if (expiresAt && expiresAt <= now) throw new ApiKeyExpiryError();
    const found = await this.roles.findByNames(input.roles);
    const missing = input.roles.filter((name) => !found.some((r) => r.name === name));
    if (missing.length > 0) throw new ApiKeyRoleNotFoundError(missing);
    const roleIds = found.map((r) => r.id);
    await this.permissions.requireAll(principal, await this.permissions.grantsOfRoles(roleIds));
    const { token, prefix, secretHash } = ApiKeyToken.generate();
    const key = ApiKey.restore({
      id: randomUUID(),
      workspaceId: principal.workspaceId!,
      prefix,
      name: input.name,
      roleIds,
      createdBy: principal.userId,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: now,
    });
    await this.keys.create(key, secretHash);
    await this.audit.record({
      action: 'apikey.created',
      targetType: 'api_key',
      targetId: key.id,
      metadata: { name: input.name, prefix, roles: [...input.roles].sort(), expiresAt: input.expiresAt ?? null },
    });
    return { ...summarize(key, found), key: token };
  }
}
