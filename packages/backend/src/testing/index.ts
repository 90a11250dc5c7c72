export * from './test-database.ts';
export * from './test-backend.ts';
