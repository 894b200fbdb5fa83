import { Token } from 'typedi';
import type { UserRepository } from '../domain/user.repository';

export const USER_REPOSITORY = new Token<UserRepository>('UserRepository');
