/**
 * Reads a `text/event-stream` response body event by event: just what the bench's streams use
 * (`event:` and `data:` lines, `:` comments; several `data:` lines join with "\n", as in
 * EventSource). Resolves when the stream ends; rejects when it fails or is aborted.
 */
export async function readEventStream(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      let data: string | undefined;
      for (const line of block.split('\n')) {
        if (line.startsWith('data:')) {
          const value = line.charCodeAt(5) === 32 ? line.slice(6) : line.slice(5);
          data = data === undefined ? value : `${data}\n${value}`;
        } else if (line.startsWith('event:')) event = line.slice(6).trim();
      }
      if (data !== undefined) onEvent(event, data);
    }
  }
}
