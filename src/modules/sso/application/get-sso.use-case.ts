import { Inject, Service } from 'typedi';
import { SsoNotConfiguredError } from '../domain/errors';
import type { SsoDirectory } from '../domain/ports';
import { toConfigurationView, type SsoConfigurationView } from './sso.view';
import { SSO_DIRECTORY, SSO_SETTINGS, type SsoSettings } from './tokens';

@Service()
export class GetSso {
  constructor(
    @Inject(SSO_DIRECTORY) private readonly directory: SsoDirectory,
    @Inject(SSO_SETTINGS) private readonly settings: SsoSettings,
  ) {}

  async execute(workspaceId: string): Promise<SsoConfigurationView> {
    const connection = await this.directory.findConnection(workspaceId);
    if (!connection) throw new SsoNotConfiguredError();
    return toConfigurationView(connection, await this.directory.listDomains(workspaceId), this.settings.callbackUrl);
  }
}
