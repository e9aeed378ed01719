import { describe, expect, it } from 'vitest';
import { readSseData, SseLineParser } from '../../src/sse';
import { streamResponse } from './helpers';

async function collect(pieces: string[]): Promise<string[]> {
  const out: string[] = [];
  for await (const data of readSseData(streamResponse(pieces).body!)) out.push(data);
  return out;
}

describe('SSE reading', () => {
  it('yields each event once its blank line arrives, even when frames split across network chunks', async () => {
    expect(await collect(['data: {"a"', ':1}\n', '\ndata: [DO', 'NE]\n\n'])).toEqual(['{"a":1}', '[DONE]']);
  });

  it('accepts CRLF and CR line ends, including a CRLF split between chunks', async () => {
    expect(await collect(['data: one\r', '\n\r\ndata: two\r\r'])).toEqual(['one', 'two']);
  });

  it('joins multi-line data with LF and skips comments, other fields and empty events', async () => {
    expect(await collect([': keep-alive\n\nevent: x\nid: 3\ndata: a\ndata:b\ndata\n\n'])).toEqual(['a\nb\n']);
  });

  it('ends a last event that has no blank line when the stream closes', async () => {
    expect(await collect(['data: tail'])).toEqual(['tail']);
  });

  it('decodes UTF-8 split inside a character', async () => {
    const bytes = new TextEncoder().encode('data: ñandú\n\n');
    const body = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 7)); // cuts "ñ" in half
        c.enqueue(bytes.slice(7));
        c.close();
      },
    });
    const out: string[] = [];
    for await (const d of readSseData(body)) out.push(d);
    expect(out).toEqual(['ñandú']);
  });

  it('keeps state between pushes', () => {
    const parser = new SseLineParser();
    expect([...parser.push('data: x')]).toEqual([]);
    expect([...parser.push('\n\n')]).toEqual(['x']);
  });
});
