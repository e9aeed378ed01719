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
