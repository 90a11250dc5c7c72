import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/backend/src/db/schema.ts',
  out: './drizzle',
});
