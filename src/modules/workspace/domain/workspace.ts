import type { SchemaName } from '../../../core/domain/schema-name';
import type { Slug } from './slug';

export type WorkspaceStatus = 'provisioning' | 'active' | 'suspended' | 'deleted';

export interface WorkspaceProps {
  id: string;
  name: string;
  slug: Slug;
  schemaName: SchemaName;
  /** The database that holds the schema: `main` or a TENANT_DATABASES name. */
  shard: string;
  ownerId: string;
  status: WorkspaceStatus;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

/** A tenant: a directory entry in public whose data lives in its own schema. */
export class Workspace {
  private constructor(private props: WorkspaceProps) {}

  static create(input: {
    id: string;
    name: string;
    slug: Slug;
    schemaName: SchemaName;
    shard: string;
    ownerId: string;
    now: Date;
  }): Workspace {
    return new Workspace({
      ...input,
      name: input.name.trim(),
      status: 'provisioning',
      settings: {},
      createdAt: input.now,
      updatedAt: input.now,
      deletedAt: null,
    });
  }

  static restore(props: WorkspaceProps): Workspace {
    return new Workspace({ ...props });
  }

  get id(): string {
    return this.props.id;
  }
  get name(): string {
    return this.props.name;
  }
  get slug(): Slug {
    return this.props.slug;
  }
  get schemaName(): SchemaName {
    return this.props.schemaName;
  }
  get shard(): string {
    return this.props.shard;
  }
  get ownerId(): string {
    return this.props.ownerId;
  }
  get status(): WorkspaceStatus {
    return this.props.status;
  }
  get settings(): Record<string, unknown> {
    return this.props.settings;
  }
  get createdAt(): Date {
    return this.props.createdAt;
  }
  get isActive(): boolean {
    return this.props.status === 'active';
  }

  activate(now: Date): void {
    if (this.props.status === 'provisioning') this.props.status = 'active';
    this.props.updatedAt = now;
  }

  update(changes: { name?: string; settings?: Record<string, unknown> }, now: Date): void {
    if (changes.name !== undefined) this.props.name = changes.name.trim();
    if (changes.settings !== undefined) this.props.settings = { ...this.props.settings, ...changes.settings };
    this.props.updatedAt = now;
  }

  /** Members lose access at once; the schema stays until an administrator drops it. */
  softDelete(now: Date): void {
    this.props.status = 'deleted';
    this.props.deletedAt = now;
    this.props.updatedAt = now;
  }

  toProps(): Readonly<WorkspaceProps> {
    return { ...this.props };
  }
}
