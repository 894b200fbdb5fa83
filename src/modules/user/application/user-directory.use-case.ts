import { Inject, Service } from 'typedi';
import type { Page } from '../../../core/domain/page';
import { UserNotFoundError } from '../domain/errors';
import type { User } from '../domain/user';
import type { UserListQuery, UserRepository, UserScope } from '../domain/user.repository';
import { USER_REPOSITORY } from './tokens';

/**
 * Reading users. Visibility follows tenancy: the workspace scope covers the members of the
 * request's tenant, the platform scope everyone (the route guards decide who may ask for which).
 * A user outside the scope does not exist for the caller: 404, as for an unknown id.
 */
@Service()
export class UserDirectory {
  constructor(@Inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async me(userId: string): Promise<User> {
    const user = await this.users.findById(userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  list(scope: UserScope, query: UserListQuery): Promise<Page<User>> {
    return this.users.list(scope, query);
  }

  async get(scope: UserScope, id: string): Promise<User> {
    const user = await this.users.findInScope(scope, id);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
