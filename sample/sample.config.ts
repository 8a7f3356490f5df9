/** Reads the sample's environment variables once, with their defaults. */

export interface SampleConfig {
  port: number;
  host: string;
  /** `host:port` of the gRPC transport, when DUPLEX_GRPC_URL is set. */
  grpcUrl: string | undefined;
  /** `redis://…` of the Redis broker, when REDIS_URL is set (sessions shared by every node using it). */
  redisUrl: string | undefined;
  /** Environment variables that are set but name a feature this version does not have. */
  ignored: Array<{ name: string; reason: string }>;
}

const NOT_YET: Readonly<Record<string, string>> = {};

export function readSampleConfig(env: NodeJS.ProcessEnv = process.env): SampleConfig {
  const rawPort = env.PORT ?? '3000';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`PORT must be an integer from 0 to 65535 (got "${rawPort}")`);
  }
  const ignored = Object.entries(NOT_YET)
    .filter(([name]) => (env[name] ?? '') !== '')
    .map(([name, reason]) => ({ name, reason }));
  const grpcUrl = env.DUPLEX_GRPC_URL || undefined;
  const redisUrl = env.REDIS_URL || undefined;
  return { port, host: env.HOST || '0.0.0.0', grpcUrl, redisUrl, ignored };
}
