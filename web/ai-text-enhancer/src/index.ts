import { AiTextEnhancer } from './element';

export { AiTextEnhancer } from './element';
export type { EnhanceErrorDetail, EnhanceOptions } from './element';
export { EnhanceError } from './proxy-client';
export type { ActionName } from './i18n';
export type { Prompts } from './prompts';

// Two copies of the bundle on one page must not fight over the tag name.
if (typeof customElements !== 'undefined' && !customElements.get('ai-text-enhancer')) {
  customElements.define('ai-text-enhancer', AiTextEnhancer);
}

declare global {
  interface HTMLElementTagNameMap {
    'ai-text-enhancer': AiTextEnhancer;
  }
}
