import { TOKENS } from '../../core/bootstrap/container';
import type { AppModule } from '../../core/bootstrap/module';
import { USER_REPOSITORY } from './application/tokens';
import { SequelizeUserRepository } from './infrastructure/sequelize-user.repository';
import { userRoutes } from './presentation/user.routes';

export const userModule: AppModule = {
  name: 'user',
  register: (container) => {
    container.set(USER_REPOSITORY, new SequelizeUserRepository(container.get(TOKENS.sequelize)));
  },
  routes: userRoutes,
};
