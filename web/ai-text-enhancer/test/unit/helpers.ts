/** A fetch Response whose body arrives in the given pieces, as a network would deliver them. */
export function streamResponse(pieces: string[], init: ResponseInit = {}): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' }, ...init });
}

export function chunkFrame(content: string): string {
  return `data: ${JSON.stringify({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] })}\n\n`;
}

export function sseAnswer(words: string[]): string[] {
  return [...words.map(chunkFrame), 'data: [DONE]\n\n'];
}

export function errorResponse(status: number, type: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ error: { type, message, status } }), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

/** A token shaped like the proxy's, with the given expiry (Unix seconds); its MAC is not the element's business. */
export function fakeToken(exp: number, user = 'ana'): string {
  const payload = btoa(JSON.stringify({ tenantId: 'shop', userId: user, iat: exp - 900, exp })).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return `lp-ut-AbCdEfGh.${payload}.${'m'.repeat(43)}`;
}
