import type { Migration } from '../src/core/infrastructure/database/migrator';

/** Platform audit trail (auth events and platform actions); tenant events live in each tenant schema. */
export const up: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query(`
    CREATE TABLE public.audit_events (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      at timestamptz NOT NULL DEFAULT now(),
      actor_id uuid,
      action text NOT NULL,
      target_type text,
      target_id text,
      ip text,
      user_agent text,
      request_id text,
      metadata jsonb NOT NULL DEFAULT '{}'::jsonb
    )`);
  await sequelize.query('CREATE INDEX audit_events_at_idx ON public.audit_events (at DESC)');
  await sequelize.query('CREATE INDEX audit_events_actor_idx ON public.audit_events (actor_id, at DESC)');
  await sequelize.query('CREATE INDEX audit_events_action_idx ON public.audit_events (action, at DESC)');
};

export const down: Migration = async ({ context: { sequelize } }) => {
  await sequelize.query('DROP TABLE public.audit_events');
};
