import { Inject, Service } from 'typedi';
import { AUDIT_LOG, type AuditLog } from '../../audit/audit.public';
import { SsoNotConfiguredError } from '../domain/errors';
import type { SsoDirectory } from '../domain/ports';
import { SSO_DIRECTORY } from './tokens';

/** Password sign-in applies again to the workspace's domains; the domains stay verified. */
@Service()
export class RemoveSso {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(AUDIT_LOG) private readonly audit: AuditLog,
  ) {}

  async execute(workspaceId: string): Promise<void> {
    if (!(await this.directory.removeConnection(workspaceId))) throw new SsoNotConfiguredError();
    await this.audit.record({ action: 'sso.removed', targetType: 'workspace', targetId: workspaceId });
  }
}
