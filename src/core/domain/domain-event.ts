/** A domain event: a fact, named in the past tense, with a plain payload. */
export interface DomainEvent<TName extends string = string, TPayload = unknown> {
  name: TName;
  payload: TPayload;
  occurredAt: Date;
}

export function domainEvent<TName extends string, TPayload>(
  name: TName,
  payload: TPayload,
): DomainEvent<TName, TPayload> {
  return { name, payload, occurredAt: new Date() };
}
