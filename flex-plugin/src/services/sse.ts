/** One dispatched server-sent event. */
export interface SseEvent {
  type: string;
  data: string;
  id?: string;
}

/**
 * Incremental parser for the text/event-stream format (WHATWG HTML "server-sent events"): takes text in chunks of
 * any size, split anywhere, and calls `onEvent` for each complete event. Comments are skipped; an event without a
 * data line is not dispatched; `id` persists as the last event ID, as EventSource keeps it.
 */
export class SseParser {
  private buffer = '';
  private type = '';
  private data: string[] = [];
  private lastEventId?: string;
  private skipLineFeed = false;

  constructor(private readonly onEvent: (event: SseEvent) => void) {}

  push(chunk: string): void {
    let text = chunk;
    // A CR that ended the previous chunk already ended its line: a LF right after it belongs to that same break.
    if (this.skipLineFeed && text.startsWith('\n')) {
      text = text.slice(1);
    }
    this.skipLineFeed = false;
    this.buffer += text;
    let start = 0;
    for (let i = 0; i < this.buffer.length; i++) {
      const c = this.buffer[i];
      if (c !== '\n' && c !== '\r') {
        continue;
      }
      this.line(this.buffer.slice(start, i));
      if (c === '\r') {
        if (i + 1 === this.buffer.length) {
          this.skipLineFeed = true;
        } else if (this.buffer[i + 1] === '\n') {
          i++;
        }
      }
      start = i + 1;
    }
    this.buffer = this.buffer.slice(start);
  }

  private line(line: string): void {
    if (line === '') {
      this.dispatch();
      return;
    }
    // A comment line (leading colon) has an empty field name, which no branch below takes.
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) {
      value = value.slice(1);
    }
    if (field === 'event') {
      this.type = value;
    } else if (field === 'data') {
      this.data.push(value);
    } else if (field === 'id' && !value.includes('\0')) {
      this.lastEventId = value;
    }
  }

  private dispatch(): void {
    const data = this.data;
    const type = this.type || 'message';
    this.data = [];
    this.type = '';
    if (data.length > 0) {
      this.onEvent({ type, data: data.join('\n'), id: this.lastEventId });
    }
  }
}

/** Reads a response body to its end through the parser; an unfinished last event is dropped, as the format says. */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: SseEvent) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder('utf-8');
  const parser = new SseParser(onEvent);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        parser.push(decoder.decode());
        return;
      }
      parser.push(decoder.decode(value, { stream: true }));
    }
  } finally {
    reader.releaseLock();
  }
}
