// Who may call what. Every procedure needs at least `read`; changing anything needs `manage`.
// An admin token holds both; a read-only token holds `read` alone.
export const PERMISSIONS = ['read', 'manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ADMIN_PERMISSIONS: readonly Permission[] = ['read', 'manage'];
export const READ_ONLY_PERMISSIONS: readonly Permission[] = ['read'];

export interface Principal {
  id: string;
  permissions: readonly Permission[];
}

export function hasPermission(principal: Principal, needed: Permission): boolean {
  return principal.permissions.includes(needed);
}
