// In-memory fakes of the auth ports for use-case unit tests. They keep snapshots, not live
// objects, so state changes a use case forgets to save are lost, as with the real database.
import { DecisionCache } from '../../../core/infrastructure/cache/decision-cache';
import { MemoryCache } from '../../../core/infrastructure/cache/memory-cache';
import { MemoryOutbox } from '../../../core/infrastructure/jobs/memory-outbox.test-support';
import type { JobContext } from '../../../core/infrastructure/jobs/outbox';
import { FakeUsers } from '../../user/user.test-support';
import type { EmailMessage, Mailer } from '../../../core/infrastructure/email/email';
import type { AuditEntry, AuditLog } from '../../audit/audit.public';

import { EmailToken, type EmailTokenProps, type EmailTokenPurpose } from '../domain/email-token';
import { AccessTokenInvalidError } from '../domain/errors';
import { MfaChallenge, type MfaChallengeProps } from '../domain/mfa-challenge';
import type {
  AccessClaims,
  EmailTokenRepository,
  MfaRepository,
  PasswordHasher,
  SessionRepository,
  TokenService,
  TotpService,
} from '../domain/ports';
import { TotpFactor, type TotpFactorProps } from '../domain/totp-factor';
import { RefreshToken, type RefreshTokenProps } from '../domain/refresh-token';
import { Session, type SessionProps } from '../domain/session';
import type { AuthSettings } from './tokens';

export class FakeSessions implements SessionRepository {
  readonly sessions = new Map<string, SessionProps>();
  readonly tokens = new Map<string, RefreshTokenProps>();
  async create(session: Session, token: RefreshToken) {
    this.sessions.set(session.id, session.toProps());
    this.tokens.set(token.id, token.toProps());
  }
  async findTokenByHashForUpdate(hash: string) {
    const p = [...this.tokens.values()].find((t) => t.tokenHash === hash);
    return p ? RefreshToken.restore(p) : null;
  }
  async findTokenByHash(hash: string) {
    return this.findTokenByHashForUpdate(hash);
  }
  async findTokenById(id: string) {
    const p = this.tokens.get(id);
    return p ? RefreshToken.restore(p) : null;
  }
  async findSession(id: string) {
    const p = this.sessions.get(id);
    return p ? Session.restore(p) : null;
  }
  async rotate(used: RefreshToken, successor: RefreshToken, session: Session) {
    this.tokens.set(used.id, used.toProps());
    this.tokens.set(successor.id, successor.toProps());
    this.sessions.set(session.id, session.toProps());
  }
  async saveSession(session: Session) {
    this.sessions.set(session.id, session.toProps());
  }
  async listLive(userId: string, input: { now: Date; idleSeconds: number; page: number; limit: number }) {
    const live = [...this.sessions.values()]
      .filter((p) => p.userId === userId && Session.restore(p).state(input.now, input.idleSeconds) === 'active')
      .sort((a, b) => b.lastUsedAt.getTime() - a.lastUsedAt.getTime());
    const start = (input.page - 1) * input.limit;
    return {
      items: live.slice(start, start + input.limit).map((p) => ({
        id: p.id,
        userAgent: null,
        ip: null,
        createdAt: p.createdAt,
        lastUsedAt: p.lastUsedAt,
        expiresAt: p.expiresAt,
      })),
      total: live.length,
    };
  }
  async revokeAllForUser(userId: string, reason: string, now: Date, except?: string) {
    const ids: string[] = [];
    for (const p of this.sessions.values()) {
      if (p.userId === userId && !p.revokedAt && p.id !== except) {
        this.sessions.set(p.id, { ...p, revokedAt: now, revokedReason: reason });
        ids.push(p.id);
      }
    }
    return ids;
  }
  async purgeEnded(input: { endedBefore: Date; idleSeconds: number }) {
    const before = input.endedBefore.getTime();
    let sessions = 0;
    let refreshTokens = 0;
    for (const t of this.tokens.values()) {
      if (t.expiresAt.getTime() < before) {
        this.tokens.delete(t.id);
        refreshTokens += 1;
      }
    }
    for (const p of this.sessions.values()) {
      const idleSince = p.lastUsedAt.getTime() + input.idleSeconds * 1000;
      const ended = Math.min(p.revokedAt?.getTime() ?? Infinity, p.expiresAt.getTime(), idleSince);
      if (ended < before) {
        this.sessions.delete(p.id);
        sessions += 1;
      }
    }
    return { sessions, refreshTokens };
  }
}

export class FakeMfa implements MfaRepository {
  readonly factors = new Map<string, TotpFactorProps>();
  readonly codes = new Map<string, { userId: string; hash: string; usedAt: Date | null }>();
  readonly challenges = new Map<string, MfaChallengeProps>();
  async findFactor(userId: string) {
    const p = this.factors.get(userId);
    return p ? TotpFactor.restore(p) : null;
  }
  async findFactorForUpdate(userId: string) {
    return this.findFactor(userId);
  }
  async saveFactor(factor: TotpFactor) {
    this.factors.set(factor.userId, factor.toProps());
  }
  async deleteFactor(userId: string) {
    this.factors.delete(userId);
    for (const [k, c] of this.codes) if (c.userId === userId) this.codes.delete(k);
  }
  async replaceRecoveryCodes(userId: string, hashes: string[]) {
    for (const [k, c] of this.codes) if (c.userId === userId) this.codes.delete(k);
    hashes.forEach((hash) => this.codes.set(`${userId}:${hash}`, { userId, hash, usedAt: null }));
  }
  async useRecoveryCode(userId: string, hash: string, now: Date) {
    const c = this.codes.get(`${userId}:${hash}`);
    if (!c || c.usedAt) return false;
    c.usedAt = now;
    return true;
  }
  async countUnusedRecoveryCodes(userId: string) {
    return [...this.codes.values()].filter((c) => c.userId === userId && !c.usedAt).length;
  }
  async createChallenge(challenge: MfaChallenge) {
    this.challenges.set(challenge.id, challenge.toProps());
  }
  async findChallengeByHashForUpdate(hash: string) {
    const p = [...this.challenges.values()].find((c) => c.tokenHash === hash);
    return p ? MfaChallenge.restore(p) : null;
  }
  async saveChallenge(challenge: MfaChallenge) {
    this.challenges.set(challenge.id, challenge.toProps());
  }
  async purgeChallenges(before: Date) {
    const expired = [...this.challenges.values()].filter((c) => c.expiresAt < before);
    expired.forEach((c) => this.challenges.delete(c.id));
    return expired.length;
  }
}

/** A stand-in for RFC 6238: the code of a 30-second step is the step number's last six digits. */
export class FakeTotp implements TotpService {
  private n = 0;
  generateSecret() {
    return `SECRET${++this.n}`;
  }
  keyUri(input: { issuer: string; account: string; secret: string }) {
    return `otpauth://totp/${input.issuer}:${input.account}?secret=${input.secret}`;
  }
  async qrCode(uri: string) {
    return `data:image/svg+xml;base64,${Buffer.from(uri).toString('base64')}`;
  }
  async verify(input: { secret: string; code: string; now: Date }) {
    const step = FakeTotp.step(input.now);
    return [step - 1, step, step + 1].find((s) => FakeTotp.codeOf(s) === input.code) ?? null;
  }
  static step(now: Date) {
    return Math.floor(now.getTime() / 30_000);
  }
  static codeOf(step: number) {
    return String(step % 1_000_000).padStart(6, '0');
  }
  /** The code an app shows at this time. */
  static codeAt(now: Date) {
    return FakeTotp.codeOf(FakeTotp.step(now));
  }
}

export class FakeEmailTokens implements EmailTokenRepository {
  readonly rows = new Map<string, EmailTokenProps>();
  async replace(token: EmailToken) {
    const t = token.toProps();
    for (const p of this.rows.values()) {
      if (p.userId === t.userId && p.purpose === t.purpose && !p.usedAt)
        this.rows.set(p.id, { ...p, usedAt: new Date(0) });
    }
    this.rows.set(t.id, t);
  }
  async findByHashForUpdate(purpose: EmailTokenPurpose, hash: string) {
    const p = [...this.rows.values()].find((r) => r.purpose === purpose && r.tokenHash === hash);
    return p ? EmailToken.restore(p) : null;
  }
  async save(token: EmailToken) {
    this.rows.set(token.toProps().id, token.toProps());
  }
  async retireAll(userId: string) {
    for (const p of this.rows.values())
      if (p.userId === userId && !p.usedAt) this.rows.set(p.id, { ...p, usedAt: new Date(0) });
  }
  async purgeSpent(before: Date) {
    let purged = 0;
    for (const p of this.rows.values()) {
      if ((p.usedAt && p.usedAt < before) || p.expiresAt < before) {
        this.rows.delete(p.id);
        purged += 1;
      }
    }
    return purged;
  }
}

/** Readable, deterministic tokens: `access:<sub>:<sid>:<jti>:<exp>`. */
export class FakeTokenService implements TokenService {
  private n = 0;
  constructor(private readonly clock: { now(): Date }) {}
  signAccessToken(input: { sub: string; sid: string; wid?: string }) {
    const claims: AccessClaims = {
      ...input,
      jti: `jti-${++this.n}`,
      exp: Math.floor(this.clock.now().getTime() / 1000) + 900,
    };
    return { token: `access:${claims.sub}:${claims.sid}:${claims.jti}:${claims.exp}`, claims };
  }
  verifyAccessToken(token: string): AccessClaims {
    const [kind, sub, sid, jti, exp] = token.split(':');
    if (kind !== 'access' || !sub || !sid || !jti || Number(exp) * 1000 <= this.clock.now().getTime()) {
      throw new AccessTokenInvalidError();
    }
    return { sub, sid, jti, exp: Number(exp) };
  }
  mintSecret(prefix: string) {
    const secret = `${prefix}_secret_${++this.n}`;
    return { secret, hash: this.hashSecret(secret) };
  }
  hashSecret(secret: string) {
    return `hash(${secret})`;
  }
  csrfTokenFor(sessionId: string) {
    return `csrf(${sessionId})`;
  }
  seal(secret: string) {
    return `sealed(${secret})`;
  }
  unseal(sealed: string) {
    return sealed.slice('sealed('.length, -1);
  }
}

export class FakeHasher implements PasswordHasher {
  readonly verified: (string | null)[] = [];
  async hash(password: string) {
    return `hashed:${password}`;
  }
  async verify(password: string, hash: string | null) {
    this.verified.push(hash);
    return hash === `hashed:${password}`;
  }
}

export class FakeMailer implements Mailer {
  readonly sent: EmailMessage[] = [];
  async send(message: EmailMessage) {
    this.sent.push(message);
  }
}

/** Job receipts as the database keeps them: one claim per job and effect succeeds. */
export class FakeReceipts {
  readonly claimed = new Set<string>();
  async claim(job: JobContext, effect: string) {
    const key = `${job.id}:${effect}`;
    if (this.claimed.has(key)) return false;
    this.claimed.add(key);
    return true;
  }
}

export class FakeAudit implements AuditLog {
  readonly entries: AuditEntry[] = [];
  async record(entry: AuditEntry) {
    this.entries.push(entry);
  }
  actions() {
    return this.entries.map((e) => e.action);
  }
}

export class FakeClock {
  constructor(public current = new Date('2026-11-24T12:00:00Z')) {}
  now() {
    return new Date(this.current);
  }
  advance(seconds: number) {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

export const settings: AuthSettings = {
  accessTokenTtlSeconds: 900,
  refreshTokenTtlSeconds: 7 * 86_400,
  reuseWindowSeconds: 10,
  sessionAbsoluteSeconds: 30 * 86_400,
  sessionIdleSeconds: 7 * 86_400,
  requireEmailVerification: false,
  verifyEmailTtlSeconds: 86_400,
  resetPasswordTtlSeconds: 3600,
  frontendUrl: 'http://app.test',
  mfaTokenTtlSeconds: 300,
  mfaMaxFailures: 5,
  mfaFailureWindowSeconds: 900,
  mfaIssuer: 'app.test',
};

/** Everything a use case may need, fresh per test. */
export function authFixture(overrides: Partial<AuthSettings> = {}) {
  const clock = new FakeClock();
  const cache = new MemoryCache(1000, () => clock.now().getTime());
  return {
    clock,
    settings: { ...settings, ...overrides },
    users: new FakeUsers(),
    sessions: new FakeSessions(),
    emailTokens: new FakeEmailTokens(),
    mfa: new FakeMfa(),
    totp: new FakeTotp(),
    tokens: new FakeTokenService(clock),
    hasher: new FakeHasher(),
    mailer: new FakeMailer(),
    audit: new FakeAudit(),
    cache,
    decisions: new DecisionCache(cache),
    tx: {
      run: <T>(work: () => Promise<T>) => work(),
      runInTenant: <T>(_schema: unknown, work: () => Promise<T>) => work(),
    },
    events: { publish: jest.fn(async () => undefined) },
    outbox: new MemoryOutbox(),
    receipts: new FakeReceipts(),
  };
}
