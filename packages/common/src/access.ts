// Who may call what. Every admin procedure needs at least `read`; changing anything needs `manage`.
// An admin token holds both; a read-only token holds `read` alone. A satellite token holds
// `satellite` alone: the agent procedures and blob downloads, nothing else.
export const PERMISSIONS = ['read', 'manage', 'satellite'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const ADMIN_PERMISSIONS: readonly Permission[] = ['read', 'manage'];
export const READ_ONLY_PERMISSIONS: readonly Permission[] = ['read'];
export const SATELLITE_PERMISSIONS: readonly Permission[] = ['satellite'];

export interface Principal {
  id: string;
  permissions: readonly Permission[];
  /** Set for a satellite token: the satellite's name (its identity in `hosts.status`). */
  satellite?: string;
}

export function hasPermission(principal: Principal, needed: Permission): boolean {
  return principal.permissions.includes(needed);
}

/** Whether the principal holds at least one of `anyOf` (blob downloads: `read` or `satellite`). */
export function hasAnyPermission(principal: Principal, anyOf: readonly Permission[]): boolean {
  return anyOf.some((needed) => principal.permissions.includes(needed));
}
