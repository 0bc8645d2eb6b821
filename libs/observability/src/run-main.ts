/**
 * Runs a service's start function; a failure at boot (bad configuration, unreachable database or
 * broker) prints ONE line naming the problem and exits 1 — no stack trace, no restart loop.
 */
export function runMain(service: string, start: () => Promise<void>): void {
  start().catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    const hint = bootHint(err);
    process.stderr.write(`${service}: cannot start: ${message.split('\n')[0]}${hint ? ` — ${hint}` : ''}\n`);
    if (process.env.LOG_LEVEL === 'debug' || process.env.LOG_LEVEL === 'trace') console.error(err);
    process.exit(1);
  });
}

function bootHint(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  if (err.name === 'ConfigError') return 'fix the environment variable (see the README configuration table)';
  const code = (err as { code?: string }).code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === '28P01' || code === '3D000') {
    return 'check DATABASE_URL / KAFKA_BROKERS and that the server runs (`npm run infra:up`)';
  }
  if (err.name.startsWith('KafkaJS')) return 'check KAFKA_BROKERS and that the broker runs (`npm run infra:up`)';
  return undefined;
}
