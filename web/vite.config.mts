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
    rolldownOptions: { input: { app: `${root}index.html`, pay: `${root}pay.html` } },
  },
  server: { fs: { allow: ['..'] } },
});
