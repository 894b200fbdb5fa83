import type { Context } from 'koa';
import { UnauthorizedError } from '../errors/app-error';

/** Who is calling, as established by the auth guard from a verified access token. */
export interface Principal {
  userId: string;
  sessionId: string;
  tokenId: string;
  /** Active workspace (the token's `wid`), when there is one. */
  workspaceId?: string;
  /** Access token expiry (epoch seconds): how long a denylist entry must live. */
  expiresAt: number;
  /**
   * Set when a workspace API key authenticated the request (no session, no account): `userId`
   * then holds the key's id, which matches no account, so whatever a route records as its actor
   * names the key. Its permissions are its roles' alone.
   */
  apiKey?: { id: string; prefix: string; roleIds: string[] };
}

declare module 'koa' {
  interface DefaultState {
    principal?: Principal;
  }
}

/** The principal of an authenticated route; a route without the auth guard has none. */
export function principalOf(ctx: Context): Principal {
  const { principal } = ctx.state;
  if (!principal) throw new UnauthorizedError();
  return principal;
}
