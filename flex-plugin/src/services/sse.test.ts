import { eventStream } from '../test/fakeFetch';
import { readEventStream, SseEvent, SseParser } from './sse';

function parse(...chunks: string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = new SseParser((e) => events.push(e));
  chunks.forEach((c) => parser.push(c));
  return events;
}

describe('SseParser', () => {
  test('an event split mid-line across chunks arrives once, whole', () => {
    expect(parse('event: transc', 'ript\ndata: {"spea', 'ker":"agent"}\n', '\n')).toEqual([
      { type: 'transcript', data: '{"speaker":"agent"}', id: undefined },
    ]);
  });

  test('several events in one chunk arrive in order', () => {
    expect(parse('event: a\ndata: 1\n\nevent: b\ndata: 2\n\ndata: 3\n\n').map((e) => [e.type, e.data])).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['message', '3'],
    ]);
  });

  test('an id is carried by its event and by later events without one', () => {
    expect(parse('id: 7\ndata: x\n\ndata: y\n\nid: 9\ndata: z\n\n').map((e) => e.id)).toEqual(['7', '7', '9']);
  });

  test('comment lines such as the opening ": listening" are not events', () => {
    expect(parse(': listening\n\n: data: not this\nevent: suggestion\ndata: {}\n\n')).toEqual([
      { type: 'suggestion', data: '{}', id: undefined },
    ]);
  });

  test('data lines of one event join with newlines', () => {
    expect(parse('data: first\ndata: second\n\n')[0].data).toBe('first\nsecond');
  });

  test('CRLF and CR line ends work', () => {
    expect(parse('data: a\r\n\r\ndata: b\r\rdata: c\n\n').map((e) => e.data)).toEqual(['a', 'b', 'c']);
  });

  test('a CRLF split between two chunks is one line end, not two', () => {
    expect(parse('data: a\r', '\ndata: b\r\n\r\n').map((e) => e.data)).toEqual(['a\nb']);
  });

  test('an event without its blank line is not dispatched yet', () => {
    expect(parse('event: transcript\ndata: {}\n')).toEqual([]);
  });

  test('a field without a colon or space is read as the spec says', () => {
    expect(parse('data\n\ndata:no-space\n\n').map((e) => e.data)).toEqual(['', 'no-space']);
  });
});

describe('readEventStream', () => {
  test('reads a byte stream to its end, a multi-byte character split across chunks included', async () => {
    const stream = eventStream();
    const events: SseEvent[] = [];
    const done = readEventStream(stream.response.body!, (e) => events.push(e));
    const bytes = new TextEncoder().encode('id: 1\ndata: café\n\n');
    const split = bytes.indexOf(0xc3) + 1;
    stream.writeBytes(bytes.slice(0, split));
    stream.writeBytes(bytes.slice(split));
    stream.close();
    await done;
    expect(events).toEqual([{ type: 'message', data: 'café', id: '1' }]);
  });
});
