// The console's build: static files in dist/ that the server serves at `/`. Every asset but
// index.html has a content hash in its name (the server sends those as immutable).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Monaco and TypeScript are large by nature; they load in chunks of their own.
    chunkSizeWarningLimit: 8192,
  },
  worker: { format: 'es' },
  server: {
    // `npm run dev -w @spk/web`: the API of a server started with `npm start`.
    proxy: Object.fromEntries(['/rpc', '/api', '/types', '/healthz', '/readyz'].map((p) => [p, `http://127.0.0.1:${process.env.PORT ?? 3000}`])),
  },
});
