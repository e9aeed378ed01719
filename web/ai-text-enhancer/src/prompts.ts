import { type ActionName, languageName } from './i18n';

/** System prompts per action; `{language}` is replaced by the target language's English name. */
export type Prompts = Partial<Record<Exclude<ActionName, 'custom'>, string>>;

const rules = 'Answer with the rewritten text only: no preamble, no quotes, no explanations.';

export const defaultPrompts: Required<Prompts> = {
  improve: `Improve the clarity, flow and style of the user's text. Keep its meaning and its language. ${rules}`,
  grammar: `Fix the spelling, grammar and punctuation of the user's text. Change nothing else and keep its language. ${rules}`,
  shorten: `Shorten the user's text to about half its length. Keep the key information and its language. ${rules}`,
  formal: `Rewrite the user's text in a formal, professional tone. Keep its meaning and its language. ${rules}`,
  translate: `Translate the user's text into {language}. ${rules}`,
};

export interface ChatMessage {
  role: 'system' | 'user';
  content: string;
}

export interface EnhanceRequest {
  action: ActionName;
  text: string;
  /** Target language code for `translate`. */
  language?: string;
  /** The free instruction for `custom`. */
  instruction?: string;
}

/** Parses the `prompts` attribute: a JSON object of action -> prompt; anything else is ignored. */
export function parsePrompts(json: string | null): Prompts {
  if (!json) return {};
  try {
    const value: unknown = JSON.parse(json);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
    const prompts: Prompts = {};
    for (const [key, prompt] of Object.entries(value)) {
      if (key in defaultPrompts && typeof prompt === 'string' && prompt.trim()) prompts[key as keyof Prompts] = prompt;
    }
    return prompts;
  } catch {
    return {};
  }
}

export function buildMessages(request: EnhanceRequest, prompts: Prompts = {}): ChatMessage[] {
  const system =
    request.action === 'custom'
      ? `Rewrite the user's text following this instruction: ${(request.instruction ?? '').trim()}. ${rules}`
      : (prompts[request.action] ?? defaultPrompts[request.action]).replaceAll('{language}', languageName(request.language ?? 'en'));
  return [
    { role: 'system', content: system },
    { role: 'user', content: request.text },
  ];
}
