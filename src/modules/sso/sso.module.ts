import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { Sealer } from '../../core/utils/sealer';
import { SSO_POLICY } from '../auth/auth.public';
import { DomainSsoPolicy } from './application/sso-policy.service';
import {
  OIDC_CLIENT,
  SSO_DIRECTORY,
  SSO_SECRET_SEALER,
  SSO_SETTINGS,
  SSO_TENANT_ROLES,
  TXT_RESOLVER,
} from './application/tokens';
import { DnsTxtResolver } from './infrastructure/dns-txt-resolver';
import { OpenIdClientAdapter } from './infrastructure/openid-client.adapter';
import { SqlSsoDirectory } from './infrastructure/sql-sso-directory';
import { SqlTenantRoleCheck } from './infrastructure/sql-tenant-role-check';
import { ssoRoutes } from './presentation/sso.routes';

export const ssoModule: AppModule = {
  name: 'sso',
  register: (container) => {
    const config = container.get(TOKENS.config);
    const sequelize = container.get(TOKENS.sequelize);
    container.set(SSO_SETTINGS, config.sso);
    const directory = new SqlSsoDirectory(sequelize);
    container.set(SSO_DIRECTORY, directory);
    container.set(SSO_TENANT_ROLES, new SqlTenantRoleCheck(sequelize));
    container.set(TXT_RESOLVER, new DnsTxtResolver());
    container.set(OIDC_CLIENT, new OpenIdClientAdapter({ allowInsecureIssuers: config.sso.allowInsecureIssuers }));
    container.set(SSO_SECRET_SEALER, Sealer.fromSecret(config.auth.dataEncryptionKey, 'sso-client-secret'));
    container.set(SSO_POLICY, new DomainSsoPolicy(directory));
  },
  routes: ssoRoutes,
};
