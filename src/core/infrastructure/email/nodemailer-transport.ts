import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type { Config } from '../../config/config';
import type { Logger } from '../../logger';
import type { EmailMessage, EmailTransport } from './email';

/** A stable Message-ID per outbox job: a copy sent twice carries the same one. */
const messageId = (jobId: string) => `<${jobId}@tenant-api.outbox>`;

/**
 * nodemailer behind the EmailTransport port. `smtp` covers any relay (SendGrid, SES, Mailgun);
 * `file` (the development default) writes each message as an .eml file and logs its name.
 */
export function createEmailTransport(config: Config['email'], logger: Logger): EmailTransport {
  if (config.transport === 'smtp') {
    const { smtp } = config;
    const transporter = nodemailer.createTransport(
      smtp.url ?? {
        host: smtp.host,
        port: smtp.port,
        secure: smtp.secure,
        auth: smtp.user ? { user: smtp.user, pass: smtp.password } : undefined,
      },
    );
    return {
      deliver: async (message, { id }) => {
        await transporter.sendMail({ from: config.from, ...message, messageId: messageId(id) });
      },
    };
  }
  const streamer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    deliver: async (message: EmailMessage, { id }) => {
      const info = await streamer.sendMail({ from: config.from, ...message, messageId: messageId(id) });
      await fs.mkdir(config.outboxDir, { recursive: true });
      const file = path.join(config.outboxDir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.eml`);
      await fs.writeFile(file, info.message as Buffer);
      logger.info({ file, subject: message.subject }, 'email written to outbox');
    },
  };
}
