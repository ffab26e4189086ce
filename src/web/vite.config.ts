// The admin console's build: Vite root is this folder (`vite build src/web`); the output goes to
// dist/web, which `cratekeeper serve` serves at /console/.
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: {
    outDir: '../../dist/web',
    emptyOutDir: true,
    // One small bundle: nothing is loaded from anywhere but this server.
    assetsInlineLimit: 0,
    target: 'es2022',
  },
  server: {
    // `npx vite src/web` during development, against a registry on :8080.
    proxy: { '/api': 'http://127.0.0.1:8080' },
  },
});
