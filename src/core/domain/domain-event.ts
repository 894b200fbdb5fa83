/**
 * A domain event: a fact, named in the past tense, with a plain payload. Events travel through
 * the outbox as JSON, so a payload holds only JSON values (dates as ISO strings).
 */
export interface DomainEvent<TName extends string = string, TPayload = unknown> {
  name: TName;
  payload: TPayload;
  occurredAt: string;
}

export function domainEvent<TName extends string, TPayload>(
  name: TName,
  payload: TPayload,
): DomainEvent<TName, TPayload> {
  return { name, payload, occurredAt: new Date().toISOString() };
}
