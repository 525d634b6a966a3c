/**
 * The visualizer's build: a static site with relative paths (base './'), so
 * it works from any static host or folder; the engine runs in a module
 * worker bundled beside the page. `npm run web` serves it, `npm run build`
 * writes web/dist/.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  worker: { format: 'es' },
  server: { fs: { allow: ['..'] } },
});
