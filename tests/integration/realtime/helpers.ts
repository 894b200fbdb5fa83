import request from 'supertest';
import { io, type Socket } from 'socket.io-client';
import { API, bearer, login } from '../../support/auth-helpers';
import type { TestServer } from '../../support/test-server';
import type { Account } from '../../support/workspace-helpers';

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** How long an expected event may take (Redis round trips included). */
const EVENT_TIMEOUT_MS = 4_000;

export type Outcome = { connected: true } | { connected: false; code: string };

export interface Received {
  event: string;
  payload: unknown;
}

const clients = new Set<Client>();

/**
 * One Socket.IO client with everything it saw recorded from the start: the connect outcome,
 * every event in order and the disconnect reason. Listeners are attached before the socket can
 * emit anything, so no event is lost between creating it and awaiting it.
 */
export class Client {
  readonly socket: Socket;
  readonly received: Received[] = [];
  readonly outcome: Promise<Outcome>;
  /** The reason of the first disconnect after a successful connect. */
  readonly disconnected: Promise<string>;
  disconnectReason: string | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(url: string, auth: Record<string, unknown> | undefined) {
    this.socket = io(url, {
      ...(auth ? { auth } : {}),
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
    });
    clients.add(this);
    this.outcome = new Promise((resolve) => {
      this.socket.once('connect', () => resolve({ connected: true }));
      this.socket.once('connect_error', (err: Error & { data?: { code?: string } }) =>
        resolve({ connected: false, code: err.data?.code ?? `message:${err.message}` }),
      );
    });
    this.disconnected = new Promise((resolve) => {
      this.socket.once('disconnect', (reason: string) => {
        this.disconnectReason = reason;
        resolve(reason);
        this.notify();
      });
    });
    this.socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      this.notify();
    });
  }

  /** Resolves once connected; fails with the refusal code otherwise. */
  async connected(): Promise<this> {
    const outcome = await this.outcome;
    if (!outcome.connected) throw new Error(`socket refused: ${outcome.code}`);
    return this;
  }

  /** Index to pass as `since`, so only later events count. */
  mark(): number {
    return this.received.length;
  }

  /** Payloads of an event received so far, in order. */
  payloads(event: string): unknown[] {
    return this.received.filter((r) => r.event === event).map((r) => r.payload);
  }

  /** The first payload of `event` received at index >= since (already received or still to come). */
  waitFor(event: string, options: { since?: number; timeoutMs?: number } = {}): Promise<unknown> {
    const since = options.since ?? 0;
    const timeoutMs = options.timeoutMs ?? EVENT_TIMEOUT_MS;
    const find = () => this.received.slice(since).find((r) => r.event === event);
    return new Promise((resolve, reject) => {
      const check = () => {
        const hit = find();
        if (!hit) return;
        done();
        resolve(hit.payload);
      };
      const timer = setTimeout(() => {
        done();
        const seen = this.received.map((r) => r.event).join(', ') || 'nothing';
        reject(
          new Error(`no ${event} within ${timeoutMs} ms (received: ${seen}; disconnect: ${this.disconnectReason})`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** The disconnect reason, or a failure if the socket is still connected after the bound. */
  waitForDisconnect(timeoutMs = EVENT_TIMEOUT_MS): Promise<string> {
    return Promise.race([
      this.disconnected,
      new Promise<string>((_resolve, reject) =>
        setTimeout(() => reject(new Error(`still connected after ${timeoutMs} ms`)), timeoutMs).unref(),
      ),
    ]);
  }

  close(): void {
    this.socket.close();
    clients.delete(this);
  }

  private notify(): void {
    [...this.listeners].forEach((listener) => listener());
  }
}

/** A socket on a workspace namespace with this access token (undefined: no auth at all). */
export function openWorkspace(server: TestServer, workspaceId: string, token: string | undefined): Client {
  return new Client(`${server.socketUrl}/workspaces/${workspaceId}`, token === undefined ? undefined : { token });
}

/** A socket on any namespace path with any handshake auth. */
export function openPath(server: TestServer, path: string, auth: Record<string, unknown> | undefined): Client {
  return new Client(`${server.socketUrl}${path}`, auth);
}

/** Opens and awaits a connected workspace socket. */
export function connectWorkspace(server: TestServer, workspaceId: string, token: string): Promise<Client> {
  return openWorkspace(server, workspaceId, token).connected();
}

/** Closes every socket opened through these helpers (call in afterEach). */
export function closeAllClients(): void {
  [...clients].forEach((client) => client.close());
}

/** A second, independent session of the account, active in the workspace (the account keeps its own). */
export async function anotherSession(
  server: TestServer,
  account: Account,
  workspaceId: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const signedIn = await login(server.url, account.email, account.password);
  const res = await request(server.url)
    .post(`${API}/workspaces/${workspaceId}/switch`)
    .set(bearer(signedIn.accessToken));
  if (res.status !== 200) throw new Error(`switch answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { accessToken: res.body.data.accessToken, refreshToken: res.body.data.refreshToken };
}

/** Renames the workspace (the token must be active in it); every socket there gets workspace:updated. */
export async function rename(server: TestServer, token: string, workspaceId: string, name: string): Promise<void> {
  const res = await request(server.url).put(`${API}/workspaces/${workspaceId}`).set(bearer(token)).send({ name });
  if (res.status !== 200) throw new Error(`rename answered ${res.status}: ${JSON.stringify(res.body)}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
