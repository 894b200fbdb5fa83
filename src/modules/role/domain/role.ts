import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../../../core/errors/app-error';
import { ALL_WORKSPACE_PERMISSIONS, grantsOf } from './permissions';

export class RoleNotFoundError extends NotFoundError {
  constructor() {
    super('Role not found', 'ROLE_NOT_FOUND');
  }
}

export class MemberNotFoundError extends NotFoundError {
  constructor() {
    super('Member not found', 'MEMBER_NOT_FOUND');
  }
}

export class LastAdminError extends UnprocessableError {
  constructor() {
    super('A workspace must keep at least one admin', 'LAST_ADMIN');
  }
}

export class SystemRoleError extends UnprocessableError {
  constructor(message: string) {
    super(message, 'SYSTEM_ROLE_IMMUTABLE');
  }
}

export class RoleInUseError extends ConflictError {
  constructor() {
    super('Members still hold this role; move them to another role first (?moveTo=<roleId>)', 'ROLE_IN_USE');
  }
}

export class RoleMoveTargetError extends UnprocessableError {
  constructor() {
    super("A role's holders can only move to another role of the workspace", 'ROLE_MOVE_TARGET_INVALID');
  }
}

export class RoleNameTakenError extends ConflictError {
  constructor() {
    super('A role with this name already exists', 'ROLE_NAME_TAKEN');
  }
}

export class UnknownPermissionError extends ValidationError {
  constructor(codes: string[]) {
    super(
      'Unknown or non-workspace permissions',
      codes.map((code) => ({ path: 'permissions', message: `Unknown permission ${code}` })),
      'UNKNOWN_PERMISSION',
    );
  }
}

export interface RoleProps {
  id: string;
  name: string;
  description: string;
  isSystem: boolean;
  permissions: string[];
}

/** A workspace role. System roles cannot be deleted or renamed; admin's grants cannot change. */
export class Role {
  private constructor(private props: RoleProps) {}

  static create(input: { id: string; name: string; description: string; permissions: string[] }): Role {
    return new Role({ ...input, isSystem: false, permissions: Role.validated(input.permissions) });
  }

  static restore(props: RoleProps): Role {
    return new Role({
      ...props,
      permissions: grantsOf(props.name, props.permissions),
    });
  }

  get id(): string {
    return this.props.id;
  }
  get name(): string {
    return this.props.name;
  }
  get isSystem(): boolean {
    return this.props.isSystem;
  }
  get permissions(): string[] {
    return [...this.props.permissions];
  }

  update(changes: { name?: string; description?: string }): void {
    if (changes.name !== undefined && changes.name !== this.props.name) {
      if (this.props.isSystem) throw new SystemRoleError('System roles cannot be renamed');
      this.props.name = changes.name;
    }
    if (changes.description !== undefined) {
      if (this.props.name === 'admin') throw new SystemRoleError('The admin role cannot be edited');
      this.props.description = changes.description;
    }
  }

  setPermissions(permissions: string[]): void {
    if (this.props.name === 'admin') throw new SystemRoleError('The admin role always holds every permission');
    this.props.permissions = Role.validated(permissions);
  }

  assertDeletable(): void {
    if (this.props.isSystem) throw new SystemRoleError('System roles cannot be deleted');
  }

  toProps(): Readonly<RoleProps> {
    return { ...this.props, permissions: [...this.props.permissions] };
  }

  private static validated(permissions: string[]): string[] {
    const unknown = permissions.filter((p) => !(ALL_WORKSPACE_PERMISSIONS as string[]).includes(p));
    if (unknown.length > 0) throw new UnknownPermissionError(unknown);
    return [...new Set(permissions)].sort();
  }
}
