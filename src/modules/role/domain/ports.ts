/** Reads granted permissions; workspace grants come from the current tenant scope. */
export interface PermissionReader {
  /** Permissions of the member's roles in the current tenant (admin: all of them). */
  workspacePermissions(userId: string): Promise<string[]>;
  /** Permissions of the user's global (platform) roles. */
  globalPermissions(userId: string): Promise<string[]>;
}
