import { Inject, Service } from 'typedi';
import { UserNotFoundError } from '../domain/errors';
import type { User } from '../domain/user';
import type { UserRepository } from '../domain/user.repository';
import { USER_REPOSITORY } from './tokens';

@Service()
export class GetCurrentUser {
  constructor(@Inject(USER_REPOSITORY) private readonly users: UserRepository) {}

  async execute(input: { userId: string }): Promise<User> {
    const user = await this.users.findById(input.userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }
}
