import { defineConfig } from 'vitest/config';

/**
 * Library build into the Functions project, which embeds the files and serves them at /_/js/{file}.
 * BUNDLE_OUT_DIR lets the freshness test build elsewhere and compare with the committed files.
 */
export default defineConfig({
  build: {
    lib: {
      entry: 'src/index.ts',
      name: 'AiTextEnhancer',
      formats: ['es', 'umd'],
      fileName: (format) => `ai-text-enhancer.${format}.js`,
    },
    outDir: process.env.BUNDLE_OUT_DIR ?? '../../LlmProxy.Functions/StaticAssets/Files/js',
    emptyOutDir: false,
    target: 'es2022',
    sourcemap: false,
    reportCompressedSize: false,
    // The UMD build has no import.meta; an empty one is expected there (see src/script-origin.ts).
    rolldownOptions: { checks: { emptyImportMeta: false } },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'happy-dom' },
      },
      {
        extends: true,
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
