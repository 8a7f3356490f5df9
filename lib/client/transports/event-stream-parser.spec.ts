import { describe, expect, it } from 'vitest';
import { EventStreamParser, type StreamEvent } from './event-stream-parser.js';

function parse(...chunks: string[]): StreamEvent[] {
  const events: StreamEvent[] = [];
  const parser = new EventStreamParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  return events;
}

describe('EventStreamParser', () => {
  it('dispatches at a blank line, with the event name, the joined data lines and the last id', () => {
    expect(parse('id: 3\nevent: message\ndata: {"a":1}\n\n', 'event: close\ndata: {"reason":"taken_over"}\n\n')).toEqual([
      { type: 'message', data: '{"a":1}', lastEventId: '3' },
      { type: 'close', data: '{"reason":"taken_over"}', lastEventId: '3' },
    ]);
    expect(parse('data: one\ndata:two\n\n')).toEqual([{ type: 'message', data: 'one\ntwo', lastEventId: '' }]);
  });

  it('ignores comments (keep-alives), unknown fields, retry, and events without data', () => {
    expect(parse(': ping\n\nretry: 10\nfoo: bar\n\nevent: x\n\ndata: y\n\n')).toEqual([{ type: 'message', data: 'y', lastEventId: '' }]);
  });

  it('reads lines split anywhere across chunks, with LF, CRLF or CR endings and a leading BOM', () => {
    const stream = '\ufeffid: 1\r\ndata: {"t":"é"}\r\n\r\nid: 2\rdata: b\r\rdata: c\n\n';
    const whole = parse(stream);
    expect(whole).toEqual([
      { type: 'message', data: '{"t":"é"}', lastEventId: '1' },
      { type: 'message', data: 'b', lastEventId: '2' },
      { type: 'message', data: 'c', lastEventId: '2' },
    ]);
    for (let cut = 1; cut < stream.length; cut++) {
      expect(parse(stream.slice(0, cut), stream.slice(cut)), `cut at ${cut}`).toEqual(whole);
    }
    expect(parse(...stream.split(''))).toEqual(whole);
  });
});
