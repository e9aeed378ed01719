import { defineConfig } from 'vitest/config';

/**
 * One ES module (Chart.js included) and one stylesheet into the Functions project, which embeds them and serves
 * them at /usage/assets/{file}. BUNDLE_OUT_DIR lets the freshness test build elsewhere and compare.
 */
export default defineConfig({
  build: {
    lib: {
      entry: 'src/main.ts',
      formats: ['es'],
      fileName: () => 'dashboard.js',
      cssFileName: 'dashboard',
    },
    outDir: process.env.BUNDLE_OUT_DIR ?? '../../LlmProxy.Functions/StaticAssets/Files/dashboard',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    minify: true,
    reportCompressedSize: false,
  },
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
