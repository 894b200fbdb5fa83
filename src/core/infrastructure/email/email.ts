export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one message now; adapters: SMTP or .eml files. `id` becomes its Message-ID. */
export interface EmailTransport {
  deliver(message: EmailMessage, options: { id: string }): Promise<void>;
}

/**
 * What use cases depend on: the message is written to the outbox in the caller's unit of work
 * (so it is sent if and only if the change commits) and delivered by a worker.
 */
export interface Mailer {
  send(message: EmailMessage): Promise<void>;
}
