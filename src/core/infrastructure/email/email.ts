export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Delivers one message now; adapters: SMTP or .eml files. */
export interface EmailTransport {
  deliver(message: EmailMessage): Promise<void>;
}

/** What use cases depend on: hand a message over and go on; delivery happens in the background. */
export interface Mailer {
  send(message: EmailMessage): void;
  /** At shutdown: lets deliveries in flight finish, within a bound. */
  drain(timeoutMs: number): Promise<void>;
}
