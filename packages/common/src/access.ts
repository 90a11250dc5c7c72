// Who may call what. Every procedure needs at least `read`; changing anything needs `manage`.
export const PERMISSIONS = ['read', 'manage'] as const;
export type Permission = (typeof PERMISSIONS)[number];

export interface Principal {
  id: string;
  permissions: readonly Permission[];
}

export function hasPermission(principal: Principal, needed: Permission): boolean {
  return principal.permissions.includes(needed);
}
