import type { Sequelize } from 'sequelize';
import type { Page } from '../../../core/domain/page';
import { tenantQuery } from '../../../core/infrastructure/database/tenant-query';
import type { Notification, NotificationRepository, NotificationType } from '../domain/notification';

interface Row {
  id: string;
  recipient_id: string;
  type: NotificationType;
  title: string;
  body: string;
  data: Notification['data'];
  read_at: Date | null;
  created_at: Date;
}

const toDomain = (r: Row): Notification => ({
  id: r.id,
  recipientId: r.recipient_id,
  type: r.type,
  title: r.title,
  body: r.body,
  data: r.data,
  readAt: r.read_at,
  createdAt: r.created_at,
});

/** The tenant's `notifications` table, through the request's search_path. */
export class SqlNotificationRepository implements NotificationRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async add(notifications: Notification[]): Promise<void> {
    if (notifications.length === 0) return;
    // One statement for every recipient: a join in a large workspace is one round trip.
    const replacements: Record<string, unknown> = {};
    const rows = notifications.map((n, i) => {
      Object.assign(replacements, {
        [`id${i}`]: n.id,
        [`recipient${i}`]: n.recipientId,
        [`type${i}`]: n.type,
        [`title${i}`]: n.title,
        [`body${i}`]: n.body,
        [`data${i}`]: JSON.stringify(n.data),
        [`at${i}`]: n.createdAt,
      });
      return `(:id${i}, :recipient${i}, :type${i}, :title${i}, :body${i}, CAST(:data${i} AS jsonb), :at${i})`;
    });
    await tenantQuery(
      this.sequelize,
      `INSERT INTO notifications (id, recipient_id, type, title, body, data, created_at) VALUES ${rows.join(', ')}`,
      replacements,
    );
  }

  async list(
    recipientId: string,
    query: { unread: boolean; page: number; limit: number },
  ): Promise<Page<Notification>> {
    const where = `recipient_id = :recipientId${query.unread ? ' AND read_at IS NULL' : ''}`;
    const replacements = { recipientId, limit: query.limit, offset: (query.page - 1) * query.limit };
    const rows = await tenantQuery<Row & { total: string }>(
      this.sequelize,
      `SELECT *, count(*) OVER () AS total FROM notifications WHERE ${where}
       ORDER BY created_at DESC, id DESC LIMIT :limit OFFSET :offset`,
      replacements,
    );
    const total = Number(
      rows[0]?.total ??
        (
          await tenantQuery<{ total: string }>(
            this.sequelize,
            `SELECT count(*) AS total FROM notifications WHERE ${where}`,
            replacements,
          )
        )[0]!.total,
    );
    return { items: rows.map(toDomain), meta: { page: query.page, limit: query.limit, total } };
  }

  async markRead(recipientId: string, id: string, now: Date): Promise<Notification | null> {
    const rows = await tenantQuery<Row>(
      this.sequelize,
      `UPDATE notifications SET read_at = COALESCE(read_at, :now)
       WHERE id = :id AND recipient_id = :recipientId RETURNING *`,
      { id, recipientId, now },
    );
    return rows[0] ? toDomain(rows[0]) : null;
  }

  async markAllRead(recipientId: string, now: Date): Promise<number> {
    const rows = await tenantQuery<{ id: string }>(
      this.sequelize,
      'UPDATE notifications SET read_at = :now WHERE recipient_id = :recipientId AND read_at IS NULL RETURNING id',
      { recipientId, now },
    );
    return rows.length;
  }
}
