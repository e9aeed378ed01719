/**
 * Reads a `text/event-stream` body into the `data` of each event, as the EventSource spec frames them:
 * lines end in CRLF, LF or CR; a blank line ends an event; several `data:` lines join with LF; comments are skipped.
 */
export async function* readSseData(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new SseLineParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode() + '\n\n');
  } finally {
    reader.releaseLock();
  }
}

/** The incremental part of {@link readSseData}: feed text as it arrives, get the events it completes. */
export class SseLineParser {
  private buffer = '';
  private data: string[] = [];

  *push(text: string): Generator<string> {
    this.buffer += text;
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone CR at the end may be the first half of a CRLF split across chunks.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) return;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (this.data.length) yield this.data.join('\n');
        this.data = [];
      } else if (line.startsWith('data')) {
        const colon = line.indexOf(':');
        if (colon === 4) this.data.push(line.slice(5).replace(/^ /, ''));
        else if (line === 'data') this.data.push('');
      }
    }
  }
}
