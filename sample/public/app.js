// The sample page: plain ES modules, no build step. The client is the browser build (one ES
// module, `npm run build`), which the sample server serves at /browser/; the same client is also
// served as separate modules at /lib/client/index.js.
import { DuplexClient } from '/browser/nest-duplex-client.js';

const $ = (id) => document.getElementById(id);

let client;
/** Until this time (ms) the page's connections fail: the simulated outage. */
let offlineUntil = 0;
/** The WebSocket and EventSource the client is using now, so the outage button can drop them. */
let currentSocket;
let currentStream;
/** Aborts the fetches in flight (held polls, POSTs, streams read by fetch) when an outage begins. */
let outage = new AbortController();

const offline = () => Date.now() < offlineUntil;

/**
 * The browser's WebSocket, EventSource and fetch, with two additions for the outage demo: they
 * remember what is live, and during an outage they fail like a real network failure would.
 */
class DemoWebSocket extends WebSocket {
  constructor(url) {
    super(offline() ? url.replace('/duplex', '/offline') : url);
    currentSocket = this;
  }
}

class DemoEventSource extends EventSource {
  constructor(url) {
    super(offline() ? url.replace('/duplex/sse', '/offline') : url);
    currentStream = this;
  }
}

function demoFetch(url, init = {}) {
  if (offline()) return Promise.reject(new TypeError('network outage (simulated)'));
  const signal = init.signal ? AbortSignal.any([init.signal, outage.signal]) : outage.signal;
  return fetch(url, { ...init, signal });
}

function time() {
  return new Date().toLocaleTimeString([], { hour12: false });
}

function append(list, parts, kind) {
  const item = document.createElement('li');
  if (kind) item.className = kind;
  const stamp = document.createElement('time');
  stamp.textContent = time();
  item.append(stamp, ...parts);
  list.append(item);
  list.scrollTop = list.scrollHeight;
}

function logEvent(text, kind) {
  append($('events'), [text], kind);
}

function setState(state, label = state) {
  $('state').dataset.state = state;
  $('state').textContent = label;
  const busy = state === 'connected' || state === 'connecting' || state === 'reconnecting';
  $('connect').disabled = busy;
  $('token').disabled = busy;
  $('transport-choice').disabled = busy;
  $('disconnect').disabled = client === undefined;
  $('outage').disabled = state !== 'connected';
}

/** How an error from request() reads on the page: its code, then the validation messages or the message. */
function describeError(error) {
  const errors = error.details?.errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return [`error ${error.code}`, ...errors.map((text) => `• ${text}`)].join('\n');
  }
  return `error ${error.code ?? 'internal'}: ${error.message}`;
}

function showResult(element, promise) {
  element.className = 'result';
  element.textContent = '…';
  promise.then(
    (data) => {
      element.className = 'result good';
      element.textContent = JSON.stringify(data, null, 2);
    },
    (error) => {
      element.className = 'result bad';
      element.textContent = describeError(error);
    },
  );
}

/** While reconnecting, requests and messages wait in the client's outbox and go out after the resume. */
function canSend() {
  const state = $('state').dataset.state;
  return client !== undefined && (state === 'connected' || state === 'reconnecting');
}

function requireClient(element) {
  if (canSend()) return true;
  element.className = 'result bad';
  element.textContent = 'Connect first.';
  return false;
}

function showTransport(c) {
  $('transport').textContent = c.transport ?? '–';
}

function listen(c) {
  // Events of a client the page has replaced are still logged, but no longer change the state.
  const current = () => c === client;
  c.on('transport_changed', ({ transport, previous }) => {
    if (current()) $('transport').textContent = transport;
    logEvent(previous === undefined ? `transport: ${transport}` : `transport changed: ${previous} → ${transport}`, 'good');
  });
  c.on('transport_failed', ({ transport, failure }) => {
    logEvent(`${transport} failed (${failure}): trying the next one`, 'warn');
  });
  c.on('connected', ({ sessionId, resumed }) => {
    $('session').textContent = sessionId;
    if (current()) showTransport(c);
    logEvent(`connected (session ${sessionId.slice(0, 8)}…${resumed ? ', resumed' : ''})`, 'good');
  });
  c.on('disconnected', ({ code, reason }) => {
    // A 'reconnecting' event follows at once if the client will try again.
    if (current()) {
      setState('disconnected');
      showTransport(c);
    }
    logEvent(`disconnected (code ${code}${reason ? `, ${reason}` : ''})`, 'warn');
  });
  c.on('reconnecting', (attempt, delayMs) => {
    if (current()) setState('reconnecting', `reconnecting… (attempt ${attempt})`);
    logEvent(`reconnecting… attempt ${attempt} in ${delayMs} ms`, 'warn');
  });
  c.on('reconnected', ({ resumed }) => {
    if (current()) {
      setState('connected');
      $('session').textContent = c.sessionId ?? '–';
      showTransport(c);
    }
    logEvent(resumed ? 'reconnected: session resumed, missed messages replayed' : 'reconnected with a fresh session', 'good');
  });
  c.on('session_lost', ({ code, message }) => {
    logEvent(`session_lost (${code}): ${message}`, 'bad');
  });
  c.on('error', (error) => {
    logEvent(`error ${error.code}: ${error.message}`, 'bad');
  });
  c.registerCallback('chat', ({ from, text }) => {
    const who = document.createElement('span');
    who.className = 'from';
    who.textContent = `${from}:`;
    append($('chat'), [who, String(text)]);
  });
}

async function connect(token, protocolType) {
  await client?.disconnect();
  const c = new DuplexClient({
    serverUrl: location.origin,
    query: { token },
    // 'auto' (the default in a page) or one transport forced.
    protocolType,
    // Backoff ceilings of at most 2 s (default 10 s), so the page recovers quickly after an outage.
    reconnect: { maxMs: 2000 },
    websocket: { WebSocket: DemoWebSocket },
    http: { fetch: demoFetch, EventSource: DemoEventSource },
  });
  client = c;
  listen(c);
  setState('connecting', 'connecting…');
  // connect() never rejects: it resolves false and an `error` event says why. A browser cannot see
  // the HTTP 401 of a refused WebSocket upgrade; over SSE and long-polling it can.
  const ok = await c.connect();
  if (c !== client) return;
  if (ok) {
    setState('connected');
  } else {
    client = undefined;
    setState('failed', 'not connected');
    logEvent('connect failed: is the token one of demo, alice, admin? Is the server running?', 'bad');
  }
}

async function disconnect() {
  const c = client;
  client = undefined;
  setState('disconnected');
  $('session').textContent = '–';
  $('transport').textContent = '–';
  await c?.disconnect();
}

$('host').textContent = location.host;
setState('disconnected');
// `/?token=admin&transport=sse` fills the form in and connects at once (handy for a second tab).
const params = new URLSearchParams(location.search);
const transportInUrl = params.get('transport');
if (transportInUrl !== null) $('transport-choice').value = transportInUrl;
const tokenInUrl = params.get('token');
if (tokenInUrl !== null) {
  $('token').value = tokenInUrl;
  void connect(tokenInUrl, $('transport-choice').value);
}

$('connect-form').addEventListener('submit', (event) => {
  event.preventDefault();
  void connect($('token').value.trim(), $('transport-choice').value);
});

$('disconnect').addEventListener('click', () => void disconnect());

$('outage').addEventListener('click', () => {
  offlineUntil = Date.now() + 5000;
  logEvent('network outage for 5 s: messages to and from this tab wait in the outboxes', 'warn');
  currentSocket?.close(3000, 'simulated outage');
  outage.abort();
  outage = new AbortController();
  // Closing an EventSource fires nothing: the error a dropped stream would fire is sent by hand.
  currentStream?.close();
  currentStream?.dispatchEvent(new Event('error'));
});

$('echo-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!requireClient($('echo-result'))) return;
  showResult($('echo-result'), client.request('echo', { text: $('echo-text').value }));
});

$('greet-form').addEventListener('submit', (event) => {
  event.preventDefault();
  if (!requireClient($('greet-result'))) return;
  const reply = client.request('greet', { name: $('greet-name').value });
  showResult($('greet-result'), reply);
  // `fields` names the properties that failed validation.
  reply.then(
    () => $('greet-name').classList.remove('invalid'),
    (error) => $('greet-name').classList.toggle('invalid', error.details?.fields?.includes('name') === true),
  );
});

$('stats').addEventListener('click', () => {
  if (!requireClient($('stats-result'))) return;
  showResult($('stats-result'), client.request('stats'));
});

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const text = $('chat-text').value.trim();
  if (text === '') return;
  if (!canSend()) {
    logEvent('chat not sent: connect first', 'bad');
    return;
  }
  try {
    // A notification: no answer is awaited; it is queued and delivered even across a reconnect.
    client.sendMessage({ action: 'chat', data: { text } });
    $('chat-text').value = '';
  } catch (error) {
    logEvent(`chat not sent: ${error.code}: ${error.message}`, 'bad');
  }
});
