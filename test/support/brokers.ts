import { type DuplexBroker, MemoryBroker } from '../../lib/index.js';
import { redisTestBroker } from './redis.js';

/** The brokers the multi-node suites run against: a new broker joins with one line. */
export const BROKERS: Array<[string, () => DuplexBroker]> = [
  ['memory', () => new MemoryBroker()],
  ['redis', () => redisTestBroker()],
];
