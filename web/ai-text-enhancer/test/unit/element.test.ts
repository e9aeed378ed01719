import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import '../../src/index';
import type { AiTextEnhancer } from '../../src/element';
import { scriptOrigin } from '../../src/script-origin';
import { errorResponse, fakeToken, sseAnswer, streamResponse } from './helpers';

type Fetch = (url: string, init: RequestInit) => Promise<Response>;

let fetchMock: ReturnType<typeof vi.fn<Fetch>>;

beforeEach(() => {
  fetchMock = vi.fn<Fetch>(async () => streamResponse(sseAnswer(['Better ', 'text.'])));
  vi.stubGlobal('fetch', fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
  document.body.innerHTML = '';
});

function mount(attributes = 'language="en"', editor = '<textarea id="ed">Old text</textarea>') {
  document.body.innerHTML = `<ai-text-enhancer editor-id="ed" api-provider="mock" api-model="echo" proxy-url="https://proxy.test/" user-id="u1" ${attributes}></ai-text-enhancer>${editor}`;
  const element = document.querySelector('ai-text-enhancer')!;
  const shadow = element.shadowRoot!;
  const button = (selector: string) => shadow.querySelector<HTMLButtonElement>(selector)!;
  return { element, shadow, button, editor: document.getElementById('ed')! };
}

function events(element: Element, ...types: string[]) {
  const seen: { type: string; detail: unknown }[] = [];
  for (const type of types) element.addEventListener(type, (e) => seen.push({ type, detail: (e as CustomEvent).detail }));
  return seen;
}

describe('<ai-text-enhancer>', () => {
  it('renders its controls in a shadow root with accessible names in the chosen language', () => {
    const { shadow } = mount('language="es"');
    const labels = [...shadow.querySelectorAll('button[data-action]')].map((b) => b.textContent);
    expect(labels).toEqual(['Mejorar', 'Corregir gramática', 'Acortar', 'Hacer formal', 'Traducir', 'Aplicar']);
    expect(shadow.querySelector('.toolbar')!.getAttribute('aria-label')).toBe('Mejora del texto');
    expect(shadow.querySelector('#preview-text')!.getAttribute('aria-live')).toBe('polite');
    expect(shadow.querySelector<HTMLSelectElement>('#target')!.value).toBe('es');
  });

  it('switches its texts when the language attribute changes', () => {
    const { element, button } = mount('language="es"');
    element.setAttribute('language', 'en');
    expect(button('[data-action=improve]').textContent).toBe('Improve');
  });

  it('posts the seed body to {proxy-url}/api/llm-proxy and streams the answer into the preview', async () => {
    const { element, shadow } = mount();
    const seen = events(element, 'enhance-start', 'enhance-chunk', 'enhance-done');
    expect(await element.enhance('improve')).toBe('Better text.');

    const [url, init] = fetchMock.mock.calls[0];
    expect(url).toBe('https://proxy.test/api/llm-proxy');
    const body = JSON.parse(init.body as string);
    expect(body).toMatchObject({ provider: 'mock', model: 'echo', stream: true, userId: 'u1' });
    expect(body.messages[1]).toEqual({ role: 'user', content: 'Old text' });
    expect(shadow.querySelector('#preview-text')!.textContent).toBe('Better text.');
    expect(seen.map((e) => e.type)).toEqual(['enhance-start', 'enhance-chunk', 'enhance-chunk', 'enhance-done']);
    expect(seen[2].detail).toEqual({ delta: 'text.', text: 'Better text.' });
  });

  it('accept replaces the editor text firing input and change; undo restores it', async () => {
    const { element, editor, button } = mount();
    const fired: string[] = [];
    editor.addEventListener('input', () => fired.push('input'));
    editor.addEventListener('change', () => fired.push('change'));
    await element.enhance('improve');
    expect(button('[data-command=accept]').hidden).toBe(false);

    button('[data-command=accept]').click();
    expect((editor as HTMLTextAreaElement).value).toBe('Better text.');
    expect(fired).toEqual(['input', 'change']);
    expect(button('[data-command=undo]').hidden).toBe(false);

    button('[data-command=undo]').click();
    expect((editor as HTMLTextAreaElement).value).toBe('Old text');
    expect(button('[data-command=undo]').hidden).toBe(true);
  });

  it('works on a contenteditable editor', async () => {
    const { element, editor } = mount('language="en"', '<div id="ed" contenteditable="true">Old text</div>');
    await element.enhance('shorten');
    expect(JSON.parse(fetchMock.mock.calls[0][1].body as string).messages[1].content).toBe('Old text');
    expect(element.accept()).toBe(true);
    expect(editor.textContent).toBe('Better text.');
  });

  it('discard drops the suggestion and leaves the editor as it was', async () => {
    const { element, editor, shadow } = mount();
    await element.enhance('improve');
    element.discard();
    expect((editor as HTMLTextAreaElement).value).toBe('Old text');
    expect(shadow.querySelector<HTMLElement>('#preview')!.hidden).toBe(true);
    expect(element.suggestion).toBe('');
  });

  it('cancel aborts the request and resolves enhance with null', async () => {
    let signal: AbortSignal | undefined;
    fetchMock.mockImplementation((_url, init) => {
      signal = init.signal!;
      return new Promise((_, reject) => signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    });
    const { element, button, shadow } = mount();
    const seen = events(element, 'enhance-cancel', 'enhance-error');
    const running = element.enhance('improve');
    expect(element.busy).toBe(true);
    expect(button('[data-command=cancel]').hidden).toBe(false);
    expect(button('[data-action=improve]').disabled).toBe(true);

    button('[data-command=cancel]').click();
    expect(await running).toBeNull();
    expect(signal!.aborted).toBe(true);
    expect(element.busy).toBe(false);
    expect(seen.map((e) => e.type)).toEqual(['enhance-cancel']);
    expect(shadow.querySelector('#status')!.textContent).toBe('Stopped.');
  });

  it('Escape cancels a running stream', async () => {
    fetchMock.mockImplementation((_url, init) =>
      new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))));
    const { element, button } = mount();
    const running = element.enhance('improve');
    button('[data-command=cancel]').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    expect(await running).toBeNull();
  });

  it('shows a quota refusal in Spanish and sends enhance-error', async () => {
    fetchMock.mockResolvedValue(errorResponse(429, 'insufficient_quota', 'Token quota exceeded', { 'x-should-retry': 'false' }));
    const { element, shadow } = mount('language="es"');
    const seen = events(element, 'enhance-error');
    await expect(element.enhance('improve')).rejects.toMatchObject({ kind: 'quota' });
    const alert = shadow.querySelector('[role=alert]')!;
    expect(alert.textContent).toBe('Has agotado tu cuota de uso para este periodo. Inténtalo más tarde.');
    expect(seen[0].detail).toMatchObject({ kind: 'quota', type: 'insufficient_quota', status: 429, displayMessage: alert.textContent });
  });

  it('shows the wait of a rate limit', async () => {
    fetchMock.mockResolvedValue(errorResponse(429, 'rate_limit_exceeded', 'Too many', { 'Retry-After': '17' }));
    const { element, shadow } = mount();
    await expect(element.enhance('improve')).rejects.toMatchObject({ kind: 'rate' });
    expect(shadow.querySelector('[role=alert]')!.textContent).toBe('Too many requests. Try again in 17 s.');
  });

  it('shows a network failure', async () => {
    fetchMock.mockRejectedValue(new TypeError('Failed to fetch'));
    const { element, shadow } = mount();
    await expect(element.enhance('improve')).rejects.toMatchObject({ kind: 'network' });
    expect(shadow.querySelector('[role=alert]')!.textContent).toContain('could not be reached');
  });

  it('refuses without calling when the editor is missing or empty, or the instruction is', async () => {
    const missing = mount('language="en"', '');
    await expect(missing.element.enhance()).rejects.toMatchObject({ type: 'no_editor' });
    const empty = mount('language="en"', '<textarea id="ed">   </textarea>');
    await expect(empty.element.enhance()).rejects.toMatchObject({ type: 'empty_text' });
    await expect(mount().element.enhance('custom')).rejects.toMatchObject({ type: 'empty_instruction' });
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it('sends the free instruction typed in the element on Enter', async () => {
    const { element, shadow } = mount();
    const done = new Promise((resolve) => element.addEventListener('enhance-done', resolve));
    const input = shadow.querySelector<HTMLInputElement>('#instruction')!;
    input.value = 'make it rhyme';
    input.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await done;
    expect(JSON.parse(fetchMock.mock.calls[0][1].body as string).messages[0].content).toContain('make it rhyme');
  });

  it('sends the api-key attribute as a Bearer token, and custom prompts from the property', async () => {
    const { element } = mount('language="en" api-key="pk_live_abc"');
    element.prompts = { improve: 'Only say hi.' };
    await element.enhance('improve');
    const init = fetchMock.mock.calls[0][1];
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer pk_live_abc');
    expect(JSON.parse(init.body as string).messages[0].content).toBe('Only say hi.');
  });

  it('sends a token attribute as the bearer and leaves the user to the token', async () => {
    const { element } = mount('language="en" token="lp-ut-abc.def.ghi"');
    await element.enhance('improve');
    const init = fetchMock.mock.calls[0][1];
    expect((init.headers as Record<string, string>).Authorization).toBe('Bearer lp-ut-abc.def.ghi');
    expect(JSON.parse(init.body as string).userId).toBeUndefined();
  });

  it('asks getToken once for calls while the token lasts, beside the api-key', async () => {
    const { element } = mount('language="en" api-key="lp-pk-key"');
    const token = fakeToken(Date.now() / 1000 + 900);
    const getToken = vi.fn(async () => token);
    element.getToken = getToken;

    await element.enhance('improve');
    await element.enhance('shorten');

    expect(getToken).toHaveBeenCalledTimes(1);
    for (const [, init] of fetchMock.mock.calls) {
      expect((init.headers as Record<string, string>).Authorization).toBe('Bearer lp-pk-key');
      expect((init.headers as Record<string, string>)['X-End-User-Token']).toBe(token);
    }
  });

  it('after a 401 gets a fresh token and tries once more', async () => {
    const tokens = [fakeToken(Date.now() / 1000 + 900, 'first'), fakeToken(Date.now() / 1000 + 900, 'second')];
    const { element } = mount();
    element.getToken = vi.fn(async () => tokens.shift()!);
    fetchMock.mockResolvedValueOnce(errorResponse(401, 'authentication_error', 'The end-user token has expired'));

    expect(await element.enhance('improve')).toBe('Better text.');

    expect(element.getToken).toHaveBeenCalledTimes(2);
    const bearers = fetchMock.mock.calls.map(([, init]) => (init.headers as Record<string, string>).Authorization);
    expect(bearers[0]).not.toBe(bearers[1]);
    expect(bearers[1]).toContain('lp-ut-');
  });

  it('does not try a third time when the fresh token is refused too', async () => {
    const { element, shadow } = mount();
    element.getToken = vi.fn(async () => fakeToken(Date.now() / 1000 + 900));
    fetchMock.mockResolvedValue(errorResponse(401, 'authentication_error', 'The end-user token is not valid.'));

    await expect(element.enhance('improve')).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });

    expect(fetchMock).toHaveBeenCalledTimes(2);
    expect(shadow.querySelector('[role=alert]')!.textContent).toBe('This page is not allowed to use the service.');
  });

  it('shows the page not allowed when getToken fails, without calling the proxy', async () => {
    const { element } = mount();
    const seen = events(element, 'enhance-error');
    element.getToken = async () => { throw new Error('signed out'); };

    await expect(element.enhance('improve')).rejects.toMatchObject({ kind: 'unauthorized', type: 'token_unavailable' });

    expect(fetchMock).not.toHaveBeenCalled();
    expect(seen).toHaveLength(1);
  });

  it('keeps two instances on one page independent', async () => {
    document.body.innerHTML = `
      <ai-text-enhancer id="a" editor-id="ea" api-provider="mock" api-model="echo" proxy-url="https://proxy.test"></ai-text-enhancer><textarea id="ea">A</textarea>
      <ai-text-enhancer id="b" editor-id="eb" api-provider="mock" api-model="echo" proxy-url="https://proxy.test"></ai-text-enhancer><textarea id="eb">B</textarea>`;
    fetchMock.mockImplementation(async (_url, init) => {
      const text = JSON.parse(init.body as string).messages[1].content as string;
      return streamResponse(sseAnswer([`${text}!`]));
    });
    const a = document.getElementById('a') as AiTextEnhancer;
    const b = document.getElementById('b') as AiTextEnhancer;
    await Promise.all([a.enhance(), b.enhance()]);
    b.accept();
    expect((document.getElementById('ea') as HTMLTextAreaElement).value).toBe('A');
    expect((document.getElementById('eb') as HTMLTextAreaElement).value).toBe('B!');
    expect(a.suggestion).toBe('A!');
  });
});

describe('scriptOrigin', () => {
  it('prefers the script tag that loaded the bundle, then the module URL, then the page', () => {
    // A parsed document never runs its scripts, so the tags need no loading.
    const page = new DOMParser().parseFromString(
      '<script src="https://cdn.other/x.js"></script><script type="module" src="https://proxy.example:8443/_/js/ai-text-enhancer.umd.js"></script>',
      'text/html');
    expect(scriptOrigin(page, 'https://module.example/x.js')).toBe('https://proxy.example:8443');
    expect(scriptOrigin(document, 'https://module.example/_/js/ai-text-enhancer.es.js')).toBe('https://module.example');
    expect(scriptOrigin(document, undefined)).toBe(document.location.origin);
  });
});
