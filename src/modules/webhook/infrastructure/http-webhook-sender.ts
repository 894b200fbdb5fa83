import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { WebhookSender } from '../domain/ports';
import type { AttemptResult } from '../domain/webhook';
import type { AddressPolicy } from './address-policy';

export interface SenderSettings {
  /** One attempt's bound, from the DNS check to the last byte kept. */
  timeoutMs: number;
  /** How much of an answer is kept (and read): the rest is cut off. */
  maxResponseBytes: number;
}

const elapsed = (started: bigint) => Math.round(Number(process.hrtime.bigint() - started) / 1e6);

/** Text that fits the log: at most `max` bytes of UTF-8, without NUL (PostgreSQL text cannot hold it). */
function clip(bytes: Buffer, max: number): string {
  let text = bytes.subarray(0, max).toString('utf8').replace(/\0/g, '');
  while (Buffer.byteLength(text) > max) text = text.slice(0, -1);
  return text;
}

/**
 * POSTs a delivery with node's http client: the host is checked by the address policy at this
 * moment and the socket connects to exactly the address that passed (a custom lookup, so a DNS
 * answer that changes between the check and the connection cannot redirect it); TLS still
 * verifies the certificate against the host name. No redirect is followed (a 3xx is a failure),
 * no connection is reused, and no more than `maxResponseBytes` of the answer is read.
 */
export class HttpWebhookSender implements WebhookSender {
  constructor(
    private readonly policy: AddressPolicy,
    private readonly settings: SenderSettings,
  ) {}

  async send(request: { url: string; headers: Record<string, string>; body: string }): Promise<AttemptResult> {
    const started = process.hrtime.bigint();
    const failed = (error: string): AttemptResult => ({
      statusCode: null,
      durationMs: elapsed(started),
      error,
      responseBody: null,
    });
    let target;
    try {
      target = await this.policy.resolve(request.url);
    } catch (err) {
      return failed((err as Error).message);
    }
    const { address, family } = target;
    const pinned: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) {
        (callback as unknown as (err: null, addresses: { address: string; family: number }[]) => void)(null, [
          { address, family },
        ]);
      } else callback(null, address, family);
    };
    const client = target.url.protocol === 'https:' ? https : http;
    const remaining = this.settings.timeoutMs - elapsed(started);
    if (remaining <= 0) return failed(`no answer within ${this.settings.timeoutMs} ms`);

    return new Promise<AttemptResult>((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(result);
      };
      const req = client.request(target.url, {
        method: 'POST',
        headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
        lookup: pinned,
        agent: false,
      });
      const timer = setTimeout(() => {
        finish(failed(`no complete answer within ${this.settings.timeoutMs} ms`));
        req.destroy();
      }, remaining);
      req.on('error', (err) => finish(failed(err.message)));
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        const chunks: Buffer[] = [];
        let kept = 0;
        const done = () => {
          const ok = status >= 200 && status < 300;
          finish({
            statusCode: status,
            durationMs: elapsed(started),
            error: ok
              ? null
              : status >= 300 && status < 400
                ? `HTTP ${status}: redirects are not followed`
                : `HTTP ${status}`,
            responseBody: kept > 0 ? clip(Buffer.concat(chunks), this.settings.maxResponseBytes) : null,
          });
          res.destroy();
        };
        res.on('data', (chunk: Buffer) => {
          if (kept < this.settings.maxResponseBytes) {
            chunks.push(chunk);
            kept += chunk.length;
          }
          // Enough is kept: the rest of the answer is not waited for.
          if (kept >= this.settings.maxResponseBytes) done();
        });
        res.on('end', done);
        res.on('error', done);
        res.on('close', done);
      });
      req.end(request.body);
    });
  }
}
