/**
 * Measures the three ways a Redis outbox could be laid out (a list, a stream, a hash per session)
 * with the same Lua steps the broker needs (append with limits, read after a cursor, trim on ack),
 * and the two ways a broadcast could be stored (a copy per session, or the body once plus a
 * reference per session). docs/redis.md reports its numbers. Run:
 *   npx tsc -p bench/tsconfig.json && node dist/bench/redis/outbox-layouts.js [redis://…]
 */
import { Redis } from 'ioredis';
import { RedisBroker } from '../../lib/brokers/redis/redis.broker.js';
import { PreparedMessage } from '../../lib/envelope/prepared-message.js';

const url = process.argv[2] ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `bench:layout:${process.pid}:`;
const RUNS = Number(process.env.RUNS ?? 5);

/** Each layout's append, read and trim, with the session hash `s` holding last/trim/bytes. */
const LAYOUTS: Record<string, { append: string; read: string; trim: string }> = {
  list: {
    append: `local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
      redis.call('RPUSH', KEYS[2], ARGV[2] .. ' ' .. ARGV[1])
      redis.call('HSET', KEYS[1], 'last', last + 1); redis.call('HINCRBY', KEYS[1], 'b', ARGV[2]); return last + 1`,
    read: `local trim = tonumber(redis.call('HGET', KEYS[1], 'trim') or '0')
      local from = math.max(tonumber(ARGV[1]), trim) - trim
      return redis.call('LRANGE', KEYS[2], from, from + tonumber(ARGV[2]) - 1)`,
    trim: `local trim = tonumber(redis.call('HGET', KEYS[1], 'trim') or '0')
      local n = tonumber(ARGV[1]) - trim; if n <= 0 then return 0 end
      local gone = redis.call('LPOP', KEYS[2], n); local bytes = 0
      for _, e in ipairs(gone) do bytes = bytes + tonumber(string.match(e, '^%d+')) end
      redis.call('HSET', KEYS[1], 'trim', trim + #gone); redis.call('HINCRBY', KEYS[1], 'b', -bytes); return #gone`,
  },
  stream: {
    append: `local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
      redis.call('XADD', KEYS[2], (last + 1) .. '-0', 's', ARGV[2], 'm', ARGV[1])
      redis.call('HSET', KEYS[1], 'last', last + 1); redis.call('HINCRBY', KEYS[1], 'b', ARGV[2]); return last + 1`,
    read: `local trim = tonumber(redis.call('HGET', KEYS[1], 'trim') or '0')
      local from = math.max(tonumber(ARGV[1]), trim)
      return redis.call('XRANGE', KEYS[2], (from + 1) .. '-0', '+', 'COUNT', ARGV[2])`,
    trim: `local trim = tonumber(redis.call('HGET', KEYS[1], 'trim') or '0')
      local upto = tonumber(ARGV[1]); if upto <= trim then return 0 end
      local gone = redis.call('XRANGE', KEYS[2], '-', upto .. '-0'); local bytes = 0
      for _, e in ipairs(gone) do bytes = bytes + tonumber(e[2][2]) end
      redis.call('XTRIM', KEYS[2], 'MINID', (upto + 1) .. '-0')
      redis.call('HSET', KEYS[1], 'trim', upto); redis.call('HINCRBY', KEYS[1], 'b', -bytes); return #gone`,
  },
  hash: {
    append: `local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
      redis.call('HSET', KEYS[2], last + 1, ARGV[2] .. ' ' .. ARGV[1])
      redis.call('HSET', KEYS[1], 'last', last + 1); redis.call('HINCRBY', KEYS[1], 'b', ARGV[2]); return last + 1`,
    read: `local h = redis.call('HMGET', KEYS[1], 'trim', 'last'); local trim = tonumber(h[1] or '0'); local last = tonumber(h[2] or '0')
      local from = math.max(tonumber(ARGV[1]), trim); local to = math.min(last, from + tonumber(ARGV[2]))
      if to <= from then return {} end
      local fields = {}; for s = from + 1, to do fields[#fields + 1] = s end
      return redis.call('HMGET', KEYS[2], unpack(fields))`,
    trim: `local trim = tonumber(redis.call('HGET', KEYS[1], 'trim') or '0')
      local upto = tonumber(ARGV[1]); if upto <= trim then return 0 end
      local fields = {}; for s = trim + 1, upto do fields[#fields + 1] = s end
      local gone = redis.call('HMGET', KEYS[2], unpack(fields)); local bytes = 0
      for _, e in ipairs(gone) do bytes = bytes + tonumber(string.match(e, '^%d+')) end
      redis.call('HDEL', KEYS[2], unpack(fields))
      redis.call('HSET', KEYS[1], 'trim', upto); redis.call('HINCRBY', KEYS[1], 'b', -bytes); return #gone`,
  },
};

/** A broadcast as one stored body and a small reference per session (what `appendMany` could do). */
const APPEND_REF = `local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
  redis.call('RPUSH', KEYS[2], ARGV[1]); redis.call('HSET', KEYS[1], 'last', last + 1); return last + 1`;
/** A broadcast as one script over every session (one copy of the body on the wire; not cluster-safe). */
const APPEND_ALL = `local n = #KEYS / 2
  for i = 1, n do
    local last = tonumber(redis.call('HGET', KEYS[i], 'last') or '0')
    redis.call('RPUSH', KEYS[n + i], ARGV[2] .. ' ' .. ARGV[1])
    redis.call('HSET', KEYS[i], 'last', last + 1); redis.call('HINCRBY', KEYS[i], 'b', ARGV[2])
  end
  return n`;

function body(size: number): string {
  return `"id":"m1","type":"notification","action":"n","data":{"text":"${'x'.repeat(Math.max(0, size - 80))}"},"timestamp":1.5}`;
}

async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1]);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1]);
  return (user + sys) * 1000;
}

interface Sample {
  wallMs: number;
  redisCpuMs: number;
  clientCpuMs: number;
}

async function measure(redis: Redis, work: () => Promise<void>): Promise<Sample> {
  const cpu0 = await redisCpuMs(redis);
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  const client = process.cpuUsage(client0);
  return { wallMs, redisCpuMs: (await redisCpuMs(redis)) - cpu0, clientCpuMs: (client.user + client.system) / 1000 };
}

function median(samples: Sample[]): Sample {
  const pick = (key: keyof Sample) => samples.map((s) => s[key]).sort((a, b) => a - b)[Math.floor(samples.length / 2)];
  return { wallMs: pick('wallMs'), redisCpuMs: pick('redisCpuMs'), clientCpuMs: pick('clientCpuMs') };
}

const fmt = (s: Sample, per: number, unit: string) =>
  `${((s.wallMs * 1000) / per).toFixed(2)} µs wall, ${((s.redisCpuMs * 1000) / per).toFixed(2)} µs Redis CPU, ${((s.clientCpuMs * 1000) / per).toFixed(2)} µs client CPU per ${unit}`;

async function layouts(redis: Redis): Promise<void> {
  const N = 20_000;
  const BATCH = 100;
  for (const size of [200, 2000]) {
    const message = body(size);
    for (const [name, scripts] of Object.entries(LAYOUTS)) {
      const results: Record<string, Sample[]> = { append: [], replay: [], trim: [], steady: [] };
      let memory = 0;
      for (let run = 0; run < RUNS; run++) {
        const s = `${prefix}${name}:${run}:s`;
        const o = `${prefix}${name}:${run}:o`;
        await redis.del(s, o);
        results.append.push(
          await measure(redis, async () => {
            for (let i = 0; i < N; i += BATCH) {
              const p = redis.pipeline();
              for (let j = 0; j < BATCH; j++) p.eval(scripts.append, 2, s, o, message, String(message.length));
              await p.exec();
            }
          }),
        );
        memory = Number(await redis.memory('USAGE', o, 'SAMPLES', 0)) / N;
        results.replay.push(
          await measure(redis, async () => {
            for (let after = 0; after < N; after += 256) await redis.eval(scripts.read, 2, s, o, String(after), '256');
          }),
        );
        results.trim.push(
          await measure(redis, async () => {
            for (let upto = 32; upto <= N; upto += 32) await redis.eval(scripts.trim, 2, s, o, String(upto));
          }),
        );
        // The cross-node path: one append, the holder reads it, an ack trims every 32.
        results.steady.push(
          await measure(redis, async () => {
            for (let i = 1; i <= 2000; i++) {
              const seq = Number(await redis.eval(scripts.append, 2, s, o, message, String(message.length)));
              await redis.eval(scripts.read, 2, s, o, String(seq - 1), '256');
              if (i % 32 === 0) await redis.eval(scripts.trim, 2, s, o, String(seq));
            }
          }),
        );
        await redis.del(s, o);
      }
      console.log(`${name} ${size} B: ${(memory).toFixed(0)} bytes of Redis memory per entry`);
      console.log(`  append (pipelined ×${BATCH}): ${fmt(median(results.append), N, 'message')}`);
      console.log(`  replay (batches of 256):    ${fmt(median(results.replay), N, 'message')}`);
      console.log(`  trim (every 32):            ${fmt(median(results.trim), N, 'message')}`);
      console.log(`  append+read+trim/32 (RTT):  ${fmt(median(results.steady), 2000, 'message')}`);
    }
  }
}

async function broadcasts(redis: Redis): Promise<void> {
  const SESSIONS = 1000;
  const message = body(1000);
  const keys = (run: number) => Array.from({ length: SESSIONS }, (_, i) => [`${prefix}b${run}:{${i}}:s`, `${prefix}b${run}:{${i}}:o`]);
  const ways: Record<string, (k: string[][], run: number) => Promise<void>> = {
    'copy per session, pipeline of scripts': async (k) => {
      const p = redis.pipeline();
      for (const [s, o] of k) p.eval(LAYOUTS.list.append, 2, s, o, message, String(message.length));
      await p.exec();
    },
    'copy per session, one script over all (not cluster-safe)': async (k) => {
      await redis.eval(APPEND_ALL, k.length * 2, ...k.map((x) => x[0]), ...k.map((x) => x[1]), message, String(message.length));
    },
    'body once + reference per session': async (k, run) => {
      const p = redis.pipeline();
      p.set(`${prefix}b${run}:body`, message);
      for (const [s, o] of k) p.eval(APPEND_REF, 2, s, o, `${prefix}b${run}:body`);
      await p.exec();
    },
  };
  for (const [name, way] of Object.entries(ways)) {
    const samples: Sample[] = [];
    let memory = 0;
    for (let run = 0; run < RUNS; run++) {
      const k = keys(run);
      samples.push(await measure(redis, () => way(k, run)));
      let total = 0;
      for (const [, o] of k) total += Number(await redis.memory('USAGE', o, 'SAMPLES', 0));
      memory = total / SESSIONS;
      const p = redis.pipeline();
      for (const [s, o] of k) p.del(s, o);
      p.del(`${prefix}b${run}:body`);
      await p.exec();
    }
    const s = median(samples);
    console.log(`broadcast 1 KB to ${SESSIONS}: ${name}: ${s.wallMs.toFixed(1)} ms wall, ${s.redisCpuMs.toFixed(1)} ms Redis CPU, ${s.clientCpuMs.toFixed(1)} ms client CPU; outbox key ${memory.toFixed(0)} B per session`);
  }
}

/** The broker itself: a broadcast through `appendMany` (chunks of 256 sessions per script) and one `append`. */
async function broker(redis: Redis): Promise<void> {
  const SESSIONS = 1000;
  const keyPrefix = `${prefix}broker:`;
  const b = new RedisBroker({ redis: url, keyPrefix });
  try {
    const ids = Array.from({ length: SESSIONS }, (_, i) => `s${i}`);
    const limits = { maxSessions: 1e6, ttlMs: 60_000 };
    for (const id of ids) await b.sessions.create({ id, tokenHash: 'h', identity: 'i', principal: null, epoch: 'e', createdAt: 0 }, limits);
    const message = new PreparedMessage({ id: 'm', type: 'notification', action: 'n', data: { text: 'x'.repeat(920) }, timestamp: 1.5 });
    const outbox = { maxMessages: 10_000, maxBytes: 1e9 };
    const many: Sample[] = [];
    for (let run = 0; run < RUNS; run++) many.push(await measure(redis, async () => void (await b.outbox.appendMany(ids, message, outbox, { origin: 'n1' }))));
    const m = median(many);
    console.log(`RedisBroker.appendMany 1 KB to ${SESSIONS}: ${m.wallMs.toFixed(1)} ms wall, ${m.redisCpuMs.toFixed(1)} ms Redis CPU, ${m.clientCpuMs.toFixed(1)} ms client CPU`);
    const one = await measure(redis, async () => {
      for (let i = 0; i < 2000; i++) await b.outbox.append('s0', message, outbox, { origin: 'n1' });
    });
    console.log(`RedisBroker.append 1 KB, one at a time: ${fmt(one, 2000, 'message')}`);
    const read = await measure(redis, async () => {
      for (let after = 0; after < 2000 + RUNS; after += 256) await b.outbox.read('s0', after, 256);
    });
    console.log(`RedisBroker.read in batches of 256 (decoded): ${fmt(read, 2000 + RUNS, 'message')}`);
  } finally {
    await b.close();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.unlink(...keys);
    } while (cursor !== '0');
  }
}

const redis = new Redis(url);
try {
  console.log(`Redis ${(await redis.info('server')).match(/redis_version:(\S+)/)?.[1]}, median of ${RUNS} runs`);
  await layouts(redis);
  await broadcasts(redis);
  await broker(redis);
} finally {
  redis.disconnect();
}
