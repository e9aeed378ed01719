const bundleName = /\/ai-text-enhancer(\.[\w-]+)?\.js(?:[?#]|$)/;

/**
 * Where the proxy is when the page does not say: the origin the script was loaded from. A `<script>` tag naming the
 * bundle wins (it is right for the UMD build even when loaded with type="module", where `currentScript` is null and
 * the bundler's `import.meta.url` shim falls back to the page); then the module's own URL; then the page.
 */
export function scriptOrigin(doc: Document, moduleUrl: string | undefined): string {
  const tags = Array.from(doc.querySelectorAll<HTMLScriptElement>('script[src]'));
  const tag = tags.find((s) => bundleName.test(s.src));
  for (const candidate of [tag?.src, moduleUrl]) {
    if (!candidate) continue;
    try {
      const url = new URL(candidate, doc.baseURI);
      if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
    } catch {
      // not a URL: try the next candidate
    }
  }
  return doc.location?.origin ?? '';
}
