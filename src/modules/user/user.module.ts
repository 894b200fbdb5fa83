import { TOKENS } from '../../core/bootstrap/tokens';
import type { AppModule } from '../../core/bootstrap/module';
import { LocalFileStore } from '../../core/infrastructure/storage/file-store';
import { AVATAR_SETTINGS, AVATAR_STORE, USER_REPOSITORY } from './application/tokens';
import { SequelizeUserRepository } from './infrastructure/sequelize-user.repository';
import { userRoutes } from './presentation/user.routes';

export const userModule: AppModule = {
  name: 'user',
  register: (container) => {
    const config = container.get(TOKENS.config);
    container.set(USER_REPOSITORY, new SequelizeUserRepository(container.get(TOKENS.sequelize)));
    container.set(AVATAR_STORE, new LocalFileStore(config.uploads.dir));
    container.set(AVATAR_SETTINGS, { publicPath: `${config.api.basePath}/avatars` });
  },
  routes: userRoutes,
};
