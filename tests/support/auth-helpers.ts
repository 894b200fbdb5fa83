import { randomUUID } from 'node:crypto';
import request, { type Response } from 'supertest';
import { mailTo, tokenFrom, type ReceivedMail, type SmtpReceiver } from './smtp-receiver';

export const API = '/api/v1';

/** Long enough, not in the common-password list, unrelated to any test email. */
export const STRONG_PASSWORD = 'Quiet-Harbour-Lantern-7413';
export const OTHER_STRONG_PASSWORD = 'Amber-Orchard-Compass-2968';

export const VERIFY_SUBJECT = 'Confirm your email address';
export const RESET_SUBJECT = 'Reset your password';
export const CHANGED_SUBJECT = 'Your password was changed';

export const uniqueEmail = (): string => `u-${randomUUID()}@example.com`;

export interface UserView {
  id: string;
  email: string;
  name: string;
  status: string;
  emailVerified: boolean;
  lastLoginAt: string | null;
  createdAt: string;
}

export interface TokenBody {
  accessToken: string;
  refreshToken?: string;
  expiresIn: number;
  tokenType: 'Bearer';
  user: UserView;
}

export interface Registered {
  email: string;
  password: string;
  user: UserView;
}

export const bearer = (accessToken: string) => ({ Authorization: `Bearer ${accessToken}` });

function unexpected(what: string, res: Response): Error {
  return new Error(`${what} answered ${res.status}: ${JSON.stringify(res.body)}`);
}

/** Registers a fresh account (unique email, strong password unless overridden); throws unless 201. */
export async function register(
  url: string,
  overrides: Partial<{ email: string; password: string; name: string }> = {},
): Promise<Registered> {
  const input = { email: uniqueEmail(), password: STRONG_PASSWORD, name: 'Ada Lovelace', ...overrides };
  const res = await request(url).post(`${API}/auth/register`).send(input);
  if (res.status !== 201) throw unexpected('register', res);
  return { email: input.email, password: input.password, user: res.body.data };
}

/** Signs in and returns the token body; throws unless 200. */
export async function login(url: string, email: string, password: string): Promise<TokenBody> {
  const res = await request(url).post(`${API}/auth/login`).send({ email, password });
  if (res.status !== 200) throw unexpected('login', res);
  return res.body.data;
}

export function refresh(url: string, refreshToken: string) {
  return request(url).post(`${API}/auth/refresh-token`).send({ refreshToken });
}

export function me(url: string, accessToken: string) {
  return request(url).get(`${API}/users/me`).set(bearer(accessToken));
}

/** Waits for the verification mail of an address and returns its token. */
export async function verificationToken(receiver: SmtpReceiver, email: string): Promise<string> {
  return tokenFrom(await receiver.waitForMail(mailTo(email, VERIFY_SUBJECT)), 'verify-email');
}

/** Registers, confirms the address from the mail, signs in. */
export async function registerVerifiedAndLogin(
  url: string,
  receiver: SmtpReceiver,
  overrides: Partial<{ email: string; password: string; name: string }> = {},
): Promise<Registered & { tokens: TokenBody }> {
  const registered = await register(url, overrides);
  const token = await verificationToken(receiver, registered.email);
  const verified = await request(url).post(`${API}/auth/verify-email`).send({ token });
  if (verified.status !== 204) throw unexpected('verify-email', verified);
  return { ...registered, tokens: await login(url, registered.email, registered.password) };
}

/** The error envelope of the API contract with this status and code. */
export function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, body: res.body }).toEqual({
    status,
    body: {
      error: { code, message: expect.any(String), details: expect.any(Array), requestId: expect.any(String) },
    },
  });
}

/** Decodes one JWT segment (header or payload) without verifying anything. */
export function decodeJwtPart(token: string, index: 0 | 1): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[index]!, 'base64url').toString('utf8'));
}

export const base64url = (value: string | object): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

/** Mails received for one address, newest last. */
export const mailsTo = (receiver: SmtpReceiver, email: string): ReceivedMail[] =>
  receiver.mails.filter((m) => m.to === email.toLowerCase());
