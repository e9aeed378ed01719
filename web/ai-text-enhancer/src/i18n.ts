/** The element's own texts. A language is chosen by its primary subtag (`es-MX` -> `es`); anything unknown falls back to English. */
export interface Texts {
  toolbar: string;
  actions: Record<ActionName, string>;
  targetLanguage: string;
  instruction: string;
  instructionPlaceholder: string;
  preview: string;
  accept: string;
  discard: string;
  cancel: string;
  undo: string;
  streaming: string;
  done: string;
  cancelled: string;
  accepted: string;
  discarded: string;
  undone: string;
  noEditor: (id: string) => string;
  emptyText: string;
  emptyInstruction: string;
  quotaExceeded: string;
  rateLimited: (seconds: number | undefined) => string;
  network: string;
  vendor: (message: string) => string;
  unauthorized: string;
  invalid: (message: string) => string;
  languages: Record<string, string>;
}

export type ActionName = 'improve' | 'grammar' | 'shorten' | 'formal' | 'translate' | 'custom';

const en: Texts = {
  toolbar: 'Text enhancement',
  actions: { improve: 'Improve', grammar: 'Fix grammar', shorten: 'Shorten', formal: 'Make formal', translate: 'Translate', custom: 'Apply' },
  targetLanguage: 'Target language',
  instruction: 'Your instruction',
  instructionPlaceholder: 'e.g. make it friendlier',
  preview: 'Suggested text',
  accept: 'Accept',
  discard: 'Discard',
  cancel: 'Cancel',
  undo: 'Undo',
  streaming: 'Writing…',
  done: 'Suggestion ready. Accept or discard it.',
  cancelled: 'Stopped.',
  accepted: 'Text replaced.',
  discarded: 'Suggestion discarded.',
  undone: 'Original text restored.',
  noEditor: (id) => `No editor with id "${id}" was found on the page.`,
  emptyText: 'There is no text to enhance.',
  emptyInstruction: 'Write an instruction first.',
  quotaExceeded: 'Your usage quota is used up for this period. Please try again later.',
  rateLimited: (s) => (s ? `Too many requests. Try again in ${s} s.` : 'Too many requests. Try again in a moment.'),
  network: 'The service could not be reached. Check your connection and try again.',
  vendor: (m) => `The AI service failed: ${m}`,
  unauthorized: 'This page is not allowed to use the service.',
  invalid: (m) => `The request was refused: ${m}`,
  languages: { en: 'English', es: 'Spanish', fr: 'French', de: 'German', it: 'Italian', pt: 'Portuguese' },
};

const es: Texts = {
  toolbar: 'Mejora del texto',
  actions: { improve: 'Mejorar', grammar: 'Corregir gramática', shorten: 'Acortar', formal: 'Hacer formal', translate: 'Traducir', custom: 'Aplicar' },
  targetLanguage: 'Idioma de destino',
  instruction: 'Tu instrucción',
  instructionPlaceholder: 'p. ej. hazlo más cercano',
  preview: 'Texto sugerido',
  accept: 'Aceptar',
  discard: 'Descartar',
  cancel: 'Cancelar',
  undo: 'Deshacer',
  streaming: 'Escribiendo…',
  done: 'Sugerencia lista. Acéptala o descártala.',
  cancelled: 'Detenido.',
  accepted: 'Texto reemplazado.',
  discarded: 'Sugerencia descartada.',
  undone: 'Texto original restaurado.',
  noEditor: (id) => `No se encontró ningún editor con id "${id}" en la página.`,
  emptyText: 'No hay texto que mejorar.',
  emptyInstruction: 'Escribe primero una instrucción.',
  quotaExceeded: 'Has agotado tu cuota de uso para este periodo. Inténtalo más tarde.',
  rateLimited: (s) => (s ? `Demasiadas solicitudes. Inténtalo de nuevo en ${s} s.` : 'Demasiadas solicitudes. Inténtalo de nuevo en un momento.'),
  network: 'No se pudo conectar con el servicio. Comprueba tu conexión e inténtalo de nuevo.',
  vendor: (m) => `El servicio de IA falló: ${m}`,
  unauthorized: 'Esta página no tiene permiso para usar el servicio.',
  invalid: (m) => `La solicitud fue rechazada: ${m}`,
  languages: { en: 'Inglés', es: 'Español', fr: 'Francés', de: 'Alemán', it: 'Italiano', pt: 'Portugués' },
};

const catalog: Record<string, Texts> = { en, es };

export function primaryLanguage(language: string | null | undefined): string {
  return (language ?? '').trim().toLowerCase().split(/[-_]/)[0] || 'en';
}

export function textsFor(language: string | null | undefined): Texts {
  return catalog[primaryLanguage(language)] ?? en;
}

/** The English name of a language code, for prompts (models follow English instructions best). */
export function languageName(code: string): string {
  return en.languages[primaryLanguage(code)] ?? code;
}
