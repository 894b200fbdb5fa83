import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** The frontend base URL every mail-reading test server uses, so links are predictable. */
export const FRONTEND_URL = 'http://app.test';

export interface ReceivedMail {
  /** The Message-ID header: the outbox job's id, the same on every copy of one message. */
  messageId: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpReceiver {
  port: number;
  /** Everything received so far, oldest first. */
  readonly mails: readonly ReceivedMail[];
  /** The environment that points a test server at this receiver. */
  env(): Record<string, string>;
  /** Polls until a received mail matches (delivery runs in the server's background queue). */
  waitForMail(predicate: (mail: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  close(): Promise<void>;
}

const POLL_MS = 20;

function firstAddress(to: AddressObject | AddressObject[] | undefined): string {
  const list = Array.isArray(to) ? to : to ? [to] : [];
  return (
    list
      .flatMap((group) => group.value)
      .find((a) => a.address)
      ?.address?.toLowerCase() ?? ''
  );
}

/** A real SMTP server in the test process: plain text (no STARTTLS, no AUTH) on a free port. */
export async function startSmtpReceiver(): Promise<SmtpReceiver> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    // The callback runs only after parsing, so a delivery that resolved is already readable here.
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            messageId: parsed.messageId ?? '',
            to: firstAddress(parsed.to),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            html: typeof parsed.html === 'string' ? parsed.html : '',
          });
          callback();
        })
        .catch((err: Error) => callback(err));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;

  return {
    port,
    mails,
    env: () => ({
      EMAIL_TRANSPORT: 'smtp',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(port),
      SMTP_SECURE: 'false',
      FRONTEND_URL,
    }),
    async waitForMail(predicate, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = mails.find(predicate);
        if (found) return found;
        if (Date.now() > deadline) {
          const seen = mails.map((m) => `${m.to}: ${m.subject}`).join('; ') || 'none';
          throw new Error(`No matching mail within ${timeoutMs} ms (received: ${seen})`);
        }
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** The `token` query parameter of the `${FRONTEND_URL}/<path>?token=...` link in a mail's text. */
export function tokenFrom(mail: ReceivedMail, path: string): string {
  const prefix = `${FRONTEND_URL}/${path}?`;
  const link = mail.text.split(/\s+/).find((word) => word.startsWith(prefix));
  const token = link ? new URL(link).searchParams.get('token') : null;
  if (!token) throw new Error(`No ${prefix}token=... link in the mail "${mail.subject}":\n${mail.text}`);
  return token;
}

/** Mail to one address with a subject, for waitForMail. */
export const mailTo =
  (to: string, subject: string | RegExp) =>
  (mail: ReceivedMail): boolean =>
    mail.to === to.toLowerCase() &&
    (typeof subject === 'string' ? mail.subject === subject : subject.test(mail.subject));
