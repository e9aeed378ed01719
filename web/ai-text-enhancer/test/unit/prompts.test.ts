import { describe, expect, it } from 'vitest';
import { languageName, primaryLanguage, textsFor } from '../../src/i18n';
import { buildMessages, defaultPrompts, parsePrompts } from '../../src/prompts';

describe('prompts', () => {
  it('sends the action prompt as system message and the text unchanged as user message', () => {
    const messages = buildMessages({ action: 'grammar', text: 'Hello  world' });
    expect(messages).toEqual([
      { role: 'system', content: defaultPrompts.grammar },
      { role: 'user', content: 'Hello  world' },
    ]);
  });

  it('names the translation target in English', () => {
    expect(buildMessages({ action: 'translate', text: 't', language: 'es-MX' })[0].content).toContain('into Spanish');
  });

  it('uses the free instruction for custom', () => {
    expect(buildMessages({ action: 'custom', text: 't', instruction: '  make it rhyme ' })[0].content).toContain('instruction: make it rhyme.');
  });

  it('takes custom prompts per action, with {language}', () => {
    const prompts = parsePrompts('{"translate":"Pasa a {language}.","improve":"Mejóralo.","bogus":"x","shorten":7}');
    expect(prompts).toEqual({ translate: 'Pasa a {language}.', improve: 'Mejóralo.' });
    expect(buildMessages({ action: 'translate', text: 't', language: 'fr' }, prompts)[0].content).toBe('Pasa a French.');
    expect(buildMessages({ action: 'shorten', text: 't' }, prompts)[0].content).toBe(defaultPrompts.shorten);
  });

  it('ignores a prompts attribute that is not a JSON object', () => {
    expect(parsePrompts('not json')).toEqual({});
    expect(parsePrompts('["improve"]')).toEqual({});
    expect(parsePrompts(null)).toEqual({});
  });
});

describe('texts', () => {
  it('chooses Spanish or English by the primary subtag and falls back to English', () => {
    expect(primaryLanguage('es-MX')).toBe('es');
    expect(textsFor('es-MX').actions.improve).toBe('Mejorar');
    expect(textsFor('en').actions.improve).toBe('Improve');
    expect(textsFor('xx').actions.improve).toBe('Improve');
    expect(textsFor(undefined).actions.improve).toBe('Improve');
    expect(languageName('de')).toBe('German');
  });

  it('has every English text in Spanish too', () => {
    const en = textsFor('en');
    const es = textsFor('es');
    expect(Object.keys(es).sort()).toEqual(Object.keys(en).sort());
    expect(Object.keys(es.actions).sort()).toEqual(Object.keys(en.actions).sort());
    expect(es.rateLimited(12)).toContain('12 s');
  });
});
