import { findEditor, readEditor, writeEditor, type Editor } from './editor';
import { TokenKeeper, type TokenSource } from './end-user-token';
import { type ActionName, primaryLanguage, type Texts, textsFor } from './i18n';
import { buildMessages, parsePrompts, type Prompts } from './prompts';
import { EnhanceError, streamCompletion } from './proxy-client';
import { scriptOrigin } from './script-origin';
import { applyStyles } from './styles';

export interface EnhanceOptions {
  /** Target language for `translate`; defaults to the language chosen in the element. */
  language?: string;
  /** The instruction for `custom`; defaults to the one typed in the element. */
  instruction?: string;
}

export interface EnhanceErrorDetail {
  kind: EnhanceError['kind'];
  type: string;
  status: number;
  message: string;
  retryAfterSeconds?: number;
  /** The message shown to the user, in the element's language. */
  displayMessage: string;
}

const presetActions = ['improve', 'grammar', 'shorten', 'formal', 'translate'] as const;
const targetLanguages = ['en', 'es', 'fr', 'de', 'it', 'pt'];

const template = `
<div class="box" part="container">
  <div class="toolbar" role="group" part="toolbar">
    ${presetActions.map((a) => `<button type="button" part="button action" data-action="${a}"></button>`).join('')}
    <label class="visually-hidden" for="target"></label>
    <select id="target" part="select">${targetLanguages.map((l) => `<option value="${l}"></option>`).join('')}</select>
  </div>
  <div class="custom" part="custom">
    <label class="visually-hidden" for="instruction"></label>
    <input id="instruction" type="text" part="input" autocomplete="off">
    <button type="button" part="button action" data-action="custom"></button>
  </div>
  <div class="preview" id="preview" part="preview" role="region" tabindex="0" hidden>
    <div class="label" id="preview-label"></div>
    <div class="preview-text" id="preview-text" aria-live="polite" aria-atomic="false"></div>
  </div>
  <div class="status" id="status" role="status" part="status"></div>
  <div class="status error" id="error" role="alert" part="error"></div>
  <div class="actions" part="actions">
    <button type="button" part="button cancel" data-command="cancel" hidden></button>
    <button type="button" part="button accept" class="primary" data-command="accept" hidden></button>
    <button type="button" part="button discard" data-command="discard" hidden></button>
    <button type="button" part="button undo" data-command="undo" hidden></button>
  </div>
</div>`;

/** Resolved once, when the bundle loads: later `document.currentScript` and tag lookups would see other scripts. */
const loadedFrom = typeof document === 'undefined' ? '' : scriptOrigin(document, import.meta.url);

/**
 * `<ai-text-enhancer>`: improves the text of the editor named by `editor-id` through LLM Proxy, streaming the
 * suggestion into a preview that the user accepts (replacing the editor's text), discards, or cancels mid-stream.
 */
export class AiTextEnhancer extends HTMLElement {
  static readonly observedAttributes = ['language'];

  private readonly root: ShadowRoot;
  private controller: AbortController | null = null;
  private suggestionText = '';
  private undoText: string | null = null;
  private undoEditor: Editor | null = null;
  private promptOverrides: Prompts | null = null;
  private readonly tokens = new TokenKeeper();
  private tokenSource: TokenSource | null = null;

  constructor() {
    super();
    this.root = this.attachShadow({ mode: 'open' });
    applyStyles(this.root);
    const container = document.createElement('template');
    container.innerHTML = template;
    this.root.append(container.content.cloneNode(true));
    this.root.addEventListener('click', (e) => this.onClick(e));
    this.root.addEventListener('keydown', (e) => this.onKeydown(e as KeyboardEvent));
    this.applyTexts();
    // A page script may set getToken before the bundle defines the element; that own property hides the accessor.
    if (Object.hasOwn(this, 'getToken')) {
      const source = (this as { getToken?: TokenSource | null }).getToken ?? null;
      delete (this as { getToken?: TokenSource | null }).getToken;
      this.getToken = source;
    }
  }

  attributeChangedCallback(): void {
    this.applyTexts();
  }

  // ---- attributes as properties -------------------------------------------------------------------------------

  get editorId(): string | null { return this.getAttribute('editor-id'); }
  set editorId(value: string | null) { this.setOrRemove('editor-id', value); }
  get apiProvider(): string | null { return this.getAttribute('api-provider'); }
  set apiProvider(value: string | null) { this.setOrRemove('api-provider', value); }
  get apiModel(): string | null { return this.getAttribute('api-model'); }
  set apiModel(value: string | null) { this.setOrRemove('api-model', value); }
  get language(): string { return this.getAttribute('language') ?? document.documentElement.lang ?? 'en'; }
  set language(value: string) { this.setAttribute('language', value); }
  get apiKey(): string | null { return this.getAttribute('api-key'); }
  set apiKey(value: string | null) { this.setOrRemove('api-key', value); }
  get userId(): string | null { return this.getAttribute('user-id'); }
  set userId(value: string | null) { this.setOrRemove('user-id', value); }
  /**
   * Asks the page for an end-user token (from its backend's `POST /api/tokens`): called when the element holds none,
   * when the held one is about to expire, and once more after the proxy refuses one (401). Wins over `token`.
   */
  get getToken(): TokenSource | null { return this.tokenSource; }
  set getToken(value: TokenSource | null) {
    this.tokenSource = value;
    // A new source may speak for another user: the token held from the old one is not reused.
    this.tokens.forget();
  }
  /** An end-user token, sent as is (the page replaces it before it expires); see `getToken` for one the element renews. */
  get token(): string | null { return this.getAttribute('token'); }
  set token(value: string | null) { this.setOrRemove('token', value); }
  /** Base URL of the proxy; defaults to the origin the script was loaded from. */
  get proxyUrl(): string { return (this.getAttribute('proxy-url') || loadedFrom || location.origin).replace(/\/+$/, ''); }
  set proxyUrl(value: string) { this.setAttribute('proxy-url', value); }

  /** Custom system prompts per action (`{language}` is the translation target); the `prompts` attribute takes JSON. */
  get prompts(): Prompts { return this.promptOverrides ?? parsePrompts(this.getAttribute('prompts')); }
  set prompts(value: Prompts | null) { this.promptOverrides = value; }

  /** The suggestion streamed so far (or complete). */
  get suggestion(): string { return this.suggestionText; }
  get busy(): boolean { return this.controller !== null; }

  // ---- methods for hosts that drive the element ------------------------------------------------------------------

  /** Streams a suggestion for the editor's text; resolves with it, or with null when cancelled. */
  async enhance(action: ActionName = 'improve', options: EnhanceOptions = {}): Promise<string | null> {
    const texts = this.texts;
    const editor = findEditor(this, this.editorId);
    if (!editor) return this.fail(new EnhanceError('invalid', texts.noEditor(this.editorId ?? ''), 'no_editor', 0));
    const text = readEditor(editor);
    if (!text.trim()) return this.fail(new EnhanceError('invalid', texts.emptyText, 'empty_text', 0));
    const instruction = options.instruction ?? this.$<HTMLInputElement>('#instruction').value;
    if (action === 'custom' && !instruction.trim()) return this.fail(new EnhanceError('invalid', texts.emptyInstruction, 'empty_instruction', 0));

    this.cancel();
    const controller = new AbortController();
    this.controller = controller;
    this.suggestionText = '';
    this.showError('');
    this.showStatus(texts.streaming);
    this.$('#preview-text').textContent = '';
    this.$('#preview-text').setAttribute('aria-busy', 'true');
    this.$('#preview').hidden = false;
    this.updateButtons();
    this.emit('enhance-start', { action, text });

    const messages = buildMessages({ action, text, instruction, language: options.language ?? this.$<HTMLSelectElement>('#target').value }, this.prompts);
    const call = (endUserToken: string | undefined) => streamCompletion({
      endpoint: `${this.proxyUrl}/api/llm-proxy`,
      apiKey: this.apiKey ?? undefined,
      endUserToken,
      // With a token the user is the token's: the proxy refuses a body naming another.
      body: { provider: this.apiProvider ?? undefined, model: this.apiModel ?? undefined, messages, stream: true, userId: endUserToken ? undefined : this.userId ?? undefined },
      signal: controller.signal,
      onDelta: (delta) => {
        this.suggestionText += delta;
        this.$('#preview-text').textContent = this.suggestionText;
        this.emit('enhance-chunk', { delta, text: this.suggestionText });
      },
    });
    try {
      let result: string;
      try {
        // Without a callback nothing is awaited before the fetch starts, so a cancel right away still reaches it.
        result = await call(this.getToken ? await this.freshToken(this.getToken) : this.token ?? undefined);
      } catch (e) {
        // A refused token (expired early, signing key rotated away): one fresh token, one more try.
        if (!(e instanceof EnhanceError && e.status === 401 && this.getToken) || controller.signal.aborted) throw e;
        this.tokens.forget();
        result = await call(await this.freshToken(this.getToken));
      }
      this.finish(controller);
      this.showStatus(this.texts.done);
      this.emit('enhance-done', { action, text: result });
      return result;
    } catch (e) {
      if (controller.signal.aborted) return null;
      this.finish(controller);
      if (e instanceof EnhanceError) return this.fail(e);
      throw e;
    }
  }

  /** Stops a running stream; closing the connection makes the proxy cancel the vendor call. */
  cancel(): void {
    const controller = this.controller;
    if (!controller) return;
    controller.abort();
    this.finish(controller);
    this.showStatus(this.texts.cancelled);
    this.emit('enhance-cancel', { text: this.suggestionText });
  }

  /** Replaces the editor's text with the suggestion (firing `input` and `change`); `undo()` restores it. */
  accept(): boolean {
    const editor = findEditor(this, this.editorId);
    if (!editor || this.busy || !this.suggestionText) return false;
    this.undoText = readEditor(editor);
    this.undoEditor = editor;
    writeEditor(editor, this.suggestionText);
    this.emit('enhance-accept', { text: this.suggestionText });
    this.clearSuggestion(this.texts.accepted);
    editor.focus();
    return true;
  }

  /** Drops the suggestion; the editor keeps its text. */
  discard(): void {
    this.cancel();
    this.clearSuggestion(this.texts.discarded);
  }

  /** Restores the editor's text from before the last accept. */
  undo(): boolean {
    if (this.undoText === null || !this.undoEditor) return false;
    writeEditor(this.undoEditor, this.undoText);
    this.undoText = null;
    this.undoEditor = null;
    this.clearSuggestion(this.texts.undone);
    return true;
  }

  // ---- internals -------------------------------------------------------------------------------------------------

  private async freshToken(source: TokenSource): Promise<string> {
    try {
      return await this.tokens.get(source);
    } catch (e) {
      throw new EnhanceError('unauthorized', `No end-user token: ${String(e)}`, 'token_unavailable', 0);
    }
  }

  private get texts(): Texts {
    return textsFor(this.language);
  }

  private $<T extends HTMLElement = HTMLElement>(selector: string): T {
    return this.root.querySelector<T>(selector)!;
  }

  private setOrRemove(name: string, value: string | null): void {
    if (value === null) this.removeAttribute(name);
    else this.setAttribute(name, value);
  }

  private emit(type: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
  }

  private finish(controller: AbortController): void {
    if (this.controller === controller) this.controller = null;
    this.$('#preview-text').removeAttribute('aria-busy');
    this.updateButtons();
  }

  private fail(error: EnhanceError): never {
    const detail: EnhanceErrorDetail = {
      kind: error.kind,
      type: error.type,
      status: error.status,
      message: error.message,
      retryAfterSeconds: error.retryAfterSeconds,
      displayMessage: this.describe(error),
    };
    this.showStatus('');
    this.showError(detail.displayMessage);
    if (!this.suggestionText) this.$('#preview').hidden = true;
    this.emit('enhance-error', detail);
    throw error;
  }

  private describe(error: EnhanceError): string {
    const texts = this.texts;
    switch (error.kind) {
      case 'quota': return texts.quotaExceeded;
      case 'rate': return texts.rateLimited(error.retryAfterSeconds);
      case 'network': return texts.network;
      case 'unauthorized': return texts.unauthorized;
      case 'vendor': return texts.vendor(error.message);
      case 'invalid': return error.status === 0 ? error.message : texts.invalid(error.message);
    }
  }

  private clearSuggestion(status: string): void {
    this.suggestionText = '';
    this.$('#preview-text').textContent = '';
    this.$('#preview').hidden = true;
    this.showError('');
    this.showStatus(status);
    this.updateButtons();
  }

  private showStatus(text: string): void {
    this.$('#status').textContent = text;
  }

  private showError(text: string): void {
    this.$('#error').textContent = text;
  }

  private updateButtons(): void {
    const busy = this.busy;
    const has = this.suggestionText.length > 0;
    const focused = this.root.activeElement as HTMLButtonElement | null;
    this.root.querySelectorAll<HTMLButtonElement>('button[data-action]').forEach((b) => (b.disabled = busy));
    this.$<HTMLButtonElement>('[data-command=cancel]').hidden = !busy;
    this.$<HTMLButtonElement>('[data-command=accept]').hidden = busy || !has;
    this.$<HTMLButtonElement>('[data-command=discard]').hidden = busy || !has;
    this.$<HTMLButtonElement>('[data-command=undo]').hidden = busy || this.undoText === null;
    // A button that becomes disabled or hidden drops the keyboard focus to the page; hand it to the next useful control.
    if (focused && (focused.disabled || focused.hidden)) {
      const next = busy ? '[data-command=cancel]' : has ? '[data-command=accept]' : '[data-action=improve]';
      this.$(next).focus();
    }
  }

  private applyTexts(): void {
    const texts = this.texts;
    this.$('.toolbar').setAttribute('aria-label', texts.toolbar);
    this.root.querySelectorAll<HTMLButtonElement>('button[data-action]').forEach((b) => {
      b.textContent = texts.actions[b.dataset.action as ActionName];
    });
    this.$('label[for=target]').textContent = texts.targetLanguage;
    const select = this.$<HTMLSelectElement>('#target');
    select.querySelectorAll('option').forEach((o) => (o.textContent = texts.languages[o.value]));
    const wanted = primaryLanguage(this.language);
    if (targetLanguages.includes(wanted)) select.value = wanted;
    this.$('label[for=instruction]').textContent = texts.instruction;
    this.$<HTMLInputElement>('#instruction').placeholder = texts.instructionPlaceholder;
    this.$('#preview-label').textContent = texts.preview;
    this.$('#preview').setAttribute('aria-labelledby', 'preview-label');
    for (const command of ['cancel', 'accept', 'discard', 'undo'] as const)
      this.$(`[data-command=${command}]`).textContent = texts[command];
    this.updateButtons();
  }

  private onClick(event: Event): void {
    const button = (event.target as Element).closest?.('button');
    if (!button || button.disabled) return;
    const action = button.dataset.action as ActionName | undefined;
    if (action) {
      this.enhance(action).catch(() => {
        // shown in the element and sent as enhance-error
      });
      return;
    }
    switch (button.dataset.command) {
      case 'cancel': this.cancel(); break;
      case 'accept': this.accept(); break;
      case 'discard': this.discard(); break;
      case 'undo': this.undo(); break;
    }
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Escape' && (this.busy || this.suggestionText)) {
      event.preventDefault();
      if (this.busy) this.cancel();
      else this.discard();
    } else if (event.key === 'Enter' && (event.target as Element).id === 'instruction') {
      event.preventDefault();
      if (!this.busy) this.enhance('custom').catch(() => undefined);
    }
  }
}
