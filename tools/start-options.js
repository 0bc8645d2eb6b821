// @ts-check
/**
 * `npm start -- --projectors N --api-replicas M` (issue 13): how many processes of each app to run and
 * on which ports. Instance i (1-based) of an app listens on the app's port + 100·(i−1): with the
 * defaults, timeline-API replicas on 3000, 3100, 3200 … and projectors on 3002, 3102, 3202 …; ingest
 * stays one process on 3001. A port of 0 (any free port) stays 0 for every instance.
 */

/** Gap between the ports of two instances of one app. */
export const INSTANCE_PORT_STEP = 100;

/**
 * @param {string[]} argv the arguments after `node tools/start.js`
 * @returns {{ projectors: number, apiReplicas: number }}
 */
export function parseStartArgs(argv) {
  const out = { projectors: 1, apiReplicas: 1 };
  for (let i = 0; i < argv.length; i++) {
    const arg = /** @type {string} */ (argv[i]);
    const [flag, inline] = arg.includes('=') ? arg.split('=', 2) : [arg, undefined];
    const key = flag === '--projectors' ? 'projectors' : flag === '--api-replicas' ? 'apiReplicas' : undefined;
    if (!key) throw new Error(`unknown option "${arg}"; npm start takes --projectors N and --api-replicas M`);
    const raw = inline ?? argv[++i];
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 9) throw new Error(`${flag} must be a whole number from 1 to 9, got "${raw ?? ''}"`);
    out[key] = n;
  }
  return out;
}

/**
 * The processes to start: a name (log file, console prefix), the app, its port and its own variables.
 * @param {{ projectors: number, apiReplicas: number }} counts
 * @param {{ api: number, ingest: number, projector: number }} ports the configured (first-instance) ports
 * @param {string} clientId KAFKA_CLIENT_ID of the deployment
 * @returns {{ name: string, app: 'projector' | 'ingest' | 'timeline-api', port: number, env: Record<string, string> }[]}
 */
export function instancePlan(counts, ports, clientId) {
  const port = (/** @type {number} */ base, /** @type {number} */ i) => (base === 0 ? 0 : base + INSTANCE_PORT_STEP * i);
  const plan = [];
  for (let i = 0; i < counts.projectors; i++) {
    const name = i === 0 ? 'projector' : `projector-${i + 1}`;
    plan.push({
      name,
      app: /** @type {const} */ ('projector'),
      port: port(ports.projector, i),
      // One consumer group; a client id per instance tells their sessions apart in pg_stat_activity.
      env: {
        PROJECTOR_PORT: String(port(ports.projector, i)),
        ...(counts.projectors > 1 ? { KAFKA_CLIENT_ID: `${clientId}-p${i + 1}` } : {}),
      },
    });
  }
  plan.push({ name: 'ingest', app: /** @type {const} */ ('ingest'), port: ports.ingest, env: { INGEST_PORT: String(ports.ingest) } });
  for (let i = 0; i < counts.apiReplicas; i++) {
    plan.push({
      name: i === 0 ? 'timeline-api' : `timeline-api-${i + 1}`,
      app: /** @type {const} */ ('timeline-api'),
      port: port(ports.api, i),
      env: { API_PORT: String(port(ports.api, i)) },
    });
  }
  return plan;
}
