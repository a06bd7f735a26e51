import { defineConfig } from 'vitest/config';

// No @vitejs/plugin-react: Vite 8 transforms JSX itself (oxc), and fast refresh is not worth the plugin's peer tree.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 2000 },
  server: { proxy: { '/admin': 'http://127.0.0.1:8001' } },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./src/test-setup.ts'],
  },
});
