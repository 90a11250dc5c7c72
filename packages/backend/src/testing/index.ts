export * from './test-database.ts';
export * from './test-backend.ts';
export * from './installer-lock-session.ts';
export * from './registry-settings.ts';
export * from './indexed-blobs.ts';
