/**
 * The element's look. `:host { all: initial }` stops the page's inherited styles (font, colour, line height) from
 * leaking in; everything a host page may change is a `--ate-*` custom property (custom properties do inherit) or a
 * `::part`.
 */
export const css = `
:host {
  all: initial;
  display: block;
  box-sizing: border-box;
  font: var(--ate-font, 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif);
  color: var(--ate-color, #1f2328);
  margin: var(--ate-margin, 8px 0);
}
:host([hidden]) { display: none; }
*, *::before, *::after { box-sizing: inherit; }
.box {
  border: 1px solid var(--ate-border-color, #d0d7de);
  border-radius: var(--ate-radius, 8px);
  background: var(--ate-background, #ffffff);
  padding: 8px;
  display: grid;
  gap: 8px;
}
.toolbar, .actions, .custom { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; }
button, select, input {
  font: inherit;
  color: inherit;
  border: 1px solid var(--ate-border-color, #d0d7de);
  border-radius: calc(var(--ate-radius, 8px) - 2px);
  background: var(--ate-button-background, #f6f8fa);
  padding: 4px 10px;
  min-height: 30px;
}
input { background: var(--ate-background, #ffffff); flex: 1 1 12em; min-width: 8em; }
button { cursor: pointer; }
button.primary {
  background: var(--ate-accent, #0969da);
  border-color: var(--ate-accent, #0969da);
  color: var(--ate-accent-contrast, #ffffff);
}
button:disabled, select:disabled, input:disabled { opacity: 0.55; cursor: not-allowed; }
button:focus-visible, select:focus-visible, input:focus-visible, .preview:focus-visible {
  outline: 3px solid var(--ate-focus-color, #bf3989);
  outline-offset: 2px;
}
.preview-text { white-space: pre-wrap; min-height: 1.5em; }
.preview {
  min-height: 3em;
  padding: 8px;
  border-radius: calc(var(--ate-radius, 8px) - 2px);
  background: var(--ate-preview-background, #f6f8fa);
  overflow-wrap: anywhere;
}
.preview[hidden], .actions [hidden], .status:empty { display: none; }
.status { font-size: 0.92em; color: var(--ate-muted-color, #57606a); }
.status.error { color: var(--ate-error-color, #cf222e); }
.label { font-size: 0.85em; color: var(--ate-muted-color, #57606a); }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`;

/**
 * Constructed style sheets are CSSOM, so a page whose Content-Security-Policy forbids inline styles still styles the
 * element; a `<style>` element is the fallback where they are missing.
 */
export function applyStyles(root: ShadowRoot): void {
  if ('adoptedStyleSheets' in root && typeof CSSStyleSheet !== 'undefined' && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
    return;
  }
  const style = document.createElement('style');
  style.textContent = css;
  root.append(style);
}
