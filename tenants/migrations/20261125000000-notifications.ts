import type { Migration } from '../../src/core/infrastructure/database/migrator';

/** In-app notifications of the workspace's members (runs in the tenant's search_path). */
export const up: Migration = async ({ context: { query } }) => {
  // One round trip: every tenant provisioned replays this.
  await query(`
    CREATE TABLE notifications (
      id uuid PRIMARY KEY,
      recipient_id uuid NOT NULL,
      type text NOT NULL,
      title text NOT NULL,
      body text NOT NULL DEFAULT '',
      data jsonb NOT NULL DEFAULT '{}'::jsonb,
      read_at timestamptz,
      created_at timestamptz NOT NULL DEFAULT now()
    );
    -- A recipient's list, newest first, and their unread ones.
    CREATE INDEX notifications_recipient_idx ON notifications (recipient_id, created_at DESC, id);
    CREATE INDEX notifications_unread_idx ON notifications (recipient_id, created_at DESC) WHERE read_at IS NULL;
  `);
};

export const down: Migration = async ({ context: { query } }) => {
  await query('DROP TABLE notifications');
};
