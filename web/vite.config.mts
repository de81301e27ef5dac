// Two pages from one build: the team's app (/app, index.html) and the customer's pay page
// (/i/<token>, pay.html), with shared chunks under /assets. api/web.ts serves web/dist.
import { defineConfig } from 'vite';

const root = new URL('.', import.meta.url).pathname;

export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: true,
    rolldownOptions: {
      input: { app: `${root}index.html`, pay: `${root}pay.html` },
      // React and the pieces both pages use, in one chunk named for what it is.
      output: { chunkFileNames: 'assets/shared-[hash].js', assetFileNames: 'assets/styles-[hash][extname]' },
    },
  },
  server: { fs: { allow: ['..'] } },
});
