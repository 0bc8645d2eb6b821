// @ts-check
/**
 * Local Apache Kafka for development, tests and CI, without Docker: the official broker jars
 * (`org.apache.kafka:kafka_2.13`, pinned in pom.xml) are resolved by Maven into `.cache/kafka/<v>/libs`,
 * KRaft storage is formatted once, and combined broker+controller JVMs run detached on 127.0.0.1.
 *
 * - one node (the default): broker on 9092, controller on 9093, state in `.data/kafka/`;
 * - N nodes (`infra:up -- --brokers 3` or TIMELINE_KAFKA_NODES=3, issue 13): node i (1-based) listens
 *   on 9092 + 2(i−1) (broker) and the port after it (controller), with an N-voter static quorum
 *   (`controller.quorum.voters`), state in `.data/kafka-cluster/node-<i>/` and the layout (node count,
 *   cluster id, base port) in `.data/kafka-cluster/cluster.json`.
 */
import { spawn, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { CACHE_DIR, DATA_DIR, ROOT } from './paths.js';
import { InfraError, isAlive, livePid, portOpen, sleep, stopPid, tail } from './process-util.js';

const { Kafka, logLevel } = kafkajs;

/** Broker version, kept in one place with the pom.xml default. */
export const KAFKA_VERSION = '4.4.0';
export const KAFKA_HOST = '127.0.0.1';
export const KAFKA_PORT = Number(process.env.TIMELINE_KAFKA_PORT ?? 9092);

const singleDir = path.join(DATA_DIR, 'kafka');
const clusterDir = path.join(DATA_DIR, 'kafka-cluster');
const clusterFile = path.join(clusterDir, 'cluster.json');
const libsDir = path.join(CACHE_DIR, 'kafka', KAFKA_VERSION, 'libs');

/** Where the (first) broker's log lives (for messages and `infra:status`). */
export const KAFKA_LOG = path.join(singleDir, 'kafka.log');

/**
 * The node count asked for by TIMELINE_KAFKA_NODES (unset: undefined, i.e. "whatever runs, else 1").
 * @param {NodeJS.ProcessEnv} env
 * @returns {number | undefined}
 */
export function nodesFromEnv(env = process.env) {
  const raw = env.TIMELINE_KAFKA_NODES;
  if (raw === undefined || raw === '') return undefined;
  return parseNodeCount(raw, 'TIMELINE_KAFKA_NODES');
}

/** @param {string} raw @param {string} what */
export function parseNodeCount(raw, what) {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 9) throw new InfraError(`${what} must be a whole number from 1 to 9, got "${raw}"`);
  return n;
}

/**
 * @typedef {object} KafkaNode
 * @property {number} id node.id (1-based)
 * @property {number} port broker (PLAINTEXT) port
 * @property {number} controllerPort
 * @property {string} dir the node's state folder
 * @property {string} pidFile
 * @property {string} logFile
 * @property {string} propsFile
 */

/**
 * The nodes of an N-node layout on `basePort`: node i on basePort + 2(i−1) and the port after it.
 * @param {number} nodes @param {number} [basePort]
 * @returns {KafkaNode[]}
 */
export function kafkaLayout(nodes, basePort = KAFKA_PORT) {
  return Array.from({ length: nodes }, (_, i) => {
    const dir = nodes === 1 ? singleDir : path.join(clusterDir, `node-${i + 1}`);
    const port = basePort + 2 * i;
    return {
      id: i + 1,
      port,
      controllerPort: port + 1,
      dir,
      pidFile: path.join(dir, 'kafka.pid'),
      logFile: path.join(dir, 'kafka.log'),
      propsFile: path.join(dir, 'server.properties'),
    };
  });
}

/**
 * The layout whose processes run (or whose pid files exist) in the data folder, if any.
 * @returns {{ nodes: number, basePort: number, clusterId?: string } | undefined}
 */
function recordedCluster() {
  try {
    const c = JSON.parse(fs.readFileSync(clusterFile, 'utf8'));
    if (Number.isInteger(c.nodes) && Number.isInteger(c.basePort)) return c;
  } catch {
    /* no cluster recorded */
  }
  return undefined;
}

/** The layout of the Kafka nodes that run from this data folder now (undefined: none runs). */
export function runningLayout() {
  const c = recordedCluster();
  if (c) {
    const nodes = kafkaLayout(c.nodes, c.basePort);
    if (nodes.some((n) => livePid(n.pidFile))) return nodes;
  }
  const single = kafkaLayout(1);
  if (livePid(single[0].pidFile)) return single;
  return undefined;
}

/** @param {KafkaNode[]} nodes */
const brokerList = (nodes) => nodes.map((n) => `${KAFKA_HOST}:${n.port}`).join(',');

/**
 * Checks that Java ≥ 17 is on PATH; Kafka 4 brokers need it.
 * @returns {number} the Java major version
 */
function requireJava() {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (r.error) {
    throw new InfraError(
      'Java was not found on PATH. Install a JDK 17+ (e.g. `apt-get install openjdk-17-jdk-headless`), ' +
        'or point the project at an existing broker with KAFKA_BROKERS=host:9092, or use `docker compose up`.',
    );
  }
  const m = /version "(\d+)(?:\.(\d+))?/.exec(`${r.stderr}${r.stdout}`);
  const major = m ? (m[1] === '1' ? Number(m[2]) : Number(m[1])) : 0;
  if (major < 17) {
    throw new InfraError(
      `Java ${major || '?'} found, but Apache Kafka ${KAFKA_VERSION} needs Java 17+. Install a newer JDK, ` +
        'or set KAFKA_BROKERS to use an existing broker.',
    );
  }
  return major;
}

/**
 * Resolves the broker jars with Maven into the cache (once; a marker file records completion).
 * @param {(msg: string) => void} log
 */
export function resolveKafkaJars(log) {
  const marker = path.join(libsDir, '.complete');
  if (fs.existsSync(marker)) return libsDir;
  const mvn = spawnSync('mvn', ['-v'], { encoding: 'utf8' });
  if (mvn.error) {
    throw new InfraError(
      'Maven (mvn) was not found on PATH; it downloads the Apache Kafka jars from Maven Central. ' +
        'Install it (`apt-get install maven`), or set KAFKA_BROKERS to use an existing broker, or use `docker compose up`.',
    );
  }
  log(`resolving Apache Kafka ${KAFKA_VERSION} jars with Maven (first run only) …`);
  fs.rmSync(libsDir, { recursive: true, force: true });
  fs.mkdirSync(libsDir, { recursive: true });
  const r = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      path.join(ROOT, 'tools', 'infra', 'pom.xml'),
      `-Dkafka.version=${KAFKA_VERSION}`,
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libsDir}`,
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (r.status !== 0) {
    throw new InfraError(
      `Maven could not resolve org.apache.kafka:kafka_2.13:${KAFKA_VERSION} (exit ${r.status}). ` +
        `Check access to Maven Central or set KAFKA_BROKERS. Output:\n${`${r.stdout}${r.stderr}`.trim().slice(-2000)}`,
    );
  }
  fs.writeFileSync(marker, new Date().toISOString());
  return libsDir;
}

/**
 * server.properties of one node of an N-node layout.
 * @param {KafkaNode} node @param {KafkaNode[]} all
 */
function serverProperties(node, all) {
  const n = all.length;
  // Internal topics replicate like the apps' topics do (libs/kafka ensureTopics): 3 copies, 2 in sync,
  // once there are 3 nodes; one copy on a single node.
  const rf = Math.min(3, n);
  const minIsr = rf >= 3 ? 2 : 1;
  return [
    `# Written by tools/infra/kafka.js — node ${node.id} of a ${n}-node KRaft ${n === 1 ? 'broker' : 'cluster'} for development and tests.`,
    'process.roles=broker,controller',
    `node.id=${node.id}`,
    `controller.quorum.voters=${all.map((v) => `${v.id}@${KAFKA_HOST}:${v.controllerPort}`).join(',')}`,
    `listeners=PLAINTEXT://${KAFKA_HOST}:${node.port},CONTROLLER://${KAFKA_HOST}:${node.controllerPort}`,
    `advertised.listeners=PLAINTEXT://${KAFKA_HOST}:${node.port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(node.dir, 'kraft-logs')}`,
    'num.partitions=3',
    `default.replication.factor=${rf}`,
    `offsets.topic.replication.factor=${rf}`,
    // Fewer coordinator partitions make the first consumer-group join fast on a 2-core machine.
    'offsets.topic.num.partitions=3',
    `transaction.state.log.replication.factor=${rf}`,
    `transaction.state.log.min.isr=${minIsr}`,
    'transaction.state.log.num.partitions=3',
    `share.coordinator.state.topic.replication.factor=${rf}`,
    `share.coordinator.state.topic.min.isr=${minIsr}`,
    // Never elect an out-of-sync replica: an acknowledged (acks=all) record must survive a leader's death.
    'unclean.leader.election.enable=false',
    ...(n > 1
      ? [
          // A SIGKILLed node is fenced (and its partitions move) after this long without a heartbeat;
          // the defaults (2 s / 9 s) would keep its partitions leaderless for 9 s.
          'broker.heartbeat.interval.ms=1000',
          'broker.session.timeout.ms=6000',
        ]
      : []),
    // Tests create many short-lived groups; waiting for more members would only slow them down.
    'group.initial.rebalance.delay.ms=0',
    // Topics are created explicitly (apps at boot, tests per test) so a typo never invents a topic.
    'auto.create.topics.enable=false',
    'delete.topic.enable=true',
    // Allow the 1 MB poison-message tests plus envelope overhead.
    'message.max.bytes=2097152',
    '',
  ].join('\n');
}
/**
 * Answers once a kafkajs admin call succeeds; returns the cluster description.
 * @param {string[]} brokers
 * @param {number} timeoutMs
 * @param {() => boolean} [stillRunning]
 * @param {string} [logFile] the log an error message points at
 */
export async function waitForKafka(brokers, timeoutMs, stillRunning = () => true, logFile = KAFKA_LOG) {
  const deadline = Date.now() + timeoutMs;
  let lastError = /** @type {unknown} */ (undefined);
  while (Date.now() < deadline) {
    if (!stillRunning()) break;
    const admin = new Kafka({
      clientId: 'timeline-infra-probe',
      brokers,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      await admin.disconnect();
      return cluster;
    } catch (err) {
      lastError = err;
      await admin.disconnect().catch(() => undefined);
      await sleep(500);
    }
  }
  throw new InfraError(
    `Kafka at ${brokers.join(',')} did not answer an admin call within ${Math.round(timeoutMs / 1000)} s` +
      `${lastError instanceof Error ? ` (${lastError.message})` : ''}. Broker log: ${logFile}\n${tail(logFile, 15)}`,
  );
}

/**
 * Starts the local broker — or, with `nodes` > 1, every node of the local cluster that is not running —
 * unless it already answers; idempotent. `nodes` defaults to TIMELINE_KAFKA_NODES, else to the layout
 * already running from this data folder, else 1.
 * @param {{ log?: (msg: string) => void, timeoutMs?: number, nodes?: number }} [options]
 * @returns {Promise<{ brokers: string, started: boolean, pid?: number, nodes: number }>}
 */
export async function startKafka(options = {}) {
  const log = options.log ?? (() => undefined);
  const running = runningLayout();
  const nodes = options.nodes ?? nodesFromEnv() ?? running?.length ?? 1;
  if (running && running.length !== nodes) {
    throw new InfraError(
      `a ${running.length}-node Kafka from ${DATA_DIR} is running, but ${nodes} node${nodes === 1 ? ' was' : 's were'} asked for: ` +
        'stop it first with `npm run infra:down`.',
    );
  }
  const layout = running ?? kafkaLayout(nodes);
  const brokers = brokerList(layout);
  if (nodes === 1) return startSingle(layout[0], log, options.timeoutMs);

  const dead = layout.filter((n) => !livePid(n.pidFile));
  if (dead.length === 0) {
    await waitForCluster(layout, options.timeoutMs ?? 60_000);
    return { brokers, started: false, nodes };
  }
  for (const n of dead) {
    if (await portOpen(KAFKA_HOST, n.port)) {
      throw new InfraError(
        `port ${n.port} (Kafka node ${n.id} of ${nodes}) is held by a process this launcher did not start; ` +
          'stop it, or set TIMELINE_KAFKA_PORT to another base port (node i uses base + 2(i−1) and the port after it).',
      );
    }
  }
  requireJava();
  const libs = resolveKafkaJars(log);
  const cluster = recordedCluster();
  // Every node of a cluster is formatted with the same id; the id is kept so a restarted node rejoins.
  const clusterId =
    cluster?.clusterId && cluster.nodes === nodes && cluster.basePort === layout[0].port
      ? cluster.clusterId
      : crypto.randomBytes(16).toString('base64url');
  if (cluster && cluster.clusterId !== clusterId) {
    // A different layout was recorded (other node count or ports): its storage cannot join this quorum.
    log(`replacing the stopped ${cluster.nodes}-node cluster recorded in ${clusterDir} (its topics are gone)`);
    fs.rmSync(clusterDir, { recursive: true, force: true });
  }
  fs.mkdirSync(clusterDir, { recursive: true });
  fs.writeFileSync(clusterFile, `${JSON.stringify({ nodes, basePort: layout[0].port, clusterId }, null, 2)}\n`);
  const pids = dead.map((n) => launchNode(n, layout, libs, clusterId));
  log(
    `Kafka ${KAFKA_VERSION}: starting node${dead.length > 1 ? 's' : ''} ${dead.map((n) => `${n.id} (pid ${pids[dead.indexOf(n)]}, :${n.port})`).join(', ')} of ${nodes} …`,
  );
  try {
    await waitForCluster(layout, options.timeoutMs ?? 120_000, () => pids.every(isAlive));
  } catch (err) {
    const gone = dead.filter((_, i) => !isAlive(/** @type {number} */ (pids[i])));
    if (gone.length) {
      throw new InfraError(
        `Kafka node ${gone[0].id} exited during start-up. Last lines of ${gone[0].logFile}:\n${tail(gone[0].logFile, 25)}`,
      );
    }
    throw err;
  }
  return { brokers, started: true, nodes };
}

/**
 * Waits until every node of `layout` is registered with the cluster (describeCluster lists them all).
 * @param {KafkaNode[]} layout @param {number} timeoutMs @param {() => boolean} [stillRunning]
 */
export async function waitForCluster(layout, timeoutMs, stillRunning = () => true) {
  const deadline = Date.now() + timeoutMs;
  const brokers = layout.map((n) => `${KAFKA_HOST}:${n.port}`);
  for (;;) {
    const cluster = await waitForKafka(brokers, Math.max(1000, deadline - Date.now()), stillRunning, layout[0].logFile);
    const ids = new Set(cluster.brokers.map((b) => b.nodeId));
    if (layout.every((n) => ids.has(n.id))) return cluster;
    if (Date.now() > deadline || !stillRunning()) {
      const missing = layout.filter((n) => !ids.has(n.id));
      throw new InfraError(
        `Kafka nodes ${missing.map((n) => n.id).join(', ')} did not join the cluster within ${Math.round(timeoutMs / 1000)} s. ` +
          `Log of node ${missing[0]?.id}: ${missing[0]?.logFile}\n${tail(missing[0]?.logFile ?? '', 15)}`,
      );
    }
    await sleep(500);
  }
}

/**
 * Formats (once) and spawns one node; returns its pid.
 * @param {KafkaNode} node @param {KafkaNode[]} all @param {string} libs @param {string} clusterId
 */
function launchNode(node, all, libs, clusterId) {
  fs.mkdirSync(node.dir, { recursive: true });
  fs.writeFileSync(node.propsFile, serverProperties(node, all));
  const classpath = path.join(libs, '*');
  if (!fs.existsSync(path.join(node.dir, 'kraft-logs', 'meta.properties'))) {
    const fmt = spawnSync(
      'java',
      // `--cluster-id=<id>`, not `-t <id>`: a base64url id can start with "-", which the tool's argument
      // parser then takes for an option ("expected one argument"; 1 run in 64 failed to start).
      ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', node.propsFile, '--ignore-formatted'],
      { encoding: 'utf8' },
    );
    if (fmt.status !== 0) {
      throw new InfraError(`formatting the KRaft storage of node ${node.id} failed:\n${fmt.stdout}${fmt.stderr}`);
    }
  }
  const out = fs.openSync(node.logFile, 'a');
  // One node keeps the heap it always had; the nodes of a cluster get a modest one (3 × 384 MB).
  const heap = process.env.TIMELINE_KAFKA_HEAP ?? (all.length === 1 ? '768m' : '384m');
  const child = spawn(
    'java',
    [
      all.length === 1 ? '-Xms256m' : '-Xms128m',
      `-Xmx${heap}`,
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${path.join(ROOT, 'tools', 'infra', 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${node.dir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      node.propsFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  child.unref();
  if (!child.pid) throw new InfraError(`could not spawn java for Kafka node ${node.id}`);
  fs.writeFileSync(node.pidFile, `${child.pid}\n`);
  return child.pid;
}

/**
 * The single broker: unchanged behaviour (reuse a broker already on the port, else format and start).
 * @param {KafkaNode} node @param {(msg: string) => void} log @param {number} [timeoutMs]
 */
async function startSingle(node, log, timeoutMs) {
  const brokers = `${KAFKA_HOST}:${node.port}`;
  const running = livePid(node.pidFile);
  if (running) {
    await waitForKafka([brokers], timeoutMs ?? 60_000, () => isAlive(running));
    return { brokers, started: false, pid: running, nodes: 1 };
  }
  if (await portOpen(KAFKA_HOST, node.port)) {
    // Something else (a broker started by hand, another checkout) holds the port: use it if it is Kafka.
    await waitForKafka([brokers], 15_000);
    log(`reusing the Kafka broker already listening on ${brokers}`);
    return { brokers, started: false, nodes: 1 };
  }
  requireJava();
  const libs = resolveKafkaJars(log);
  const pid = launchNode(node, [node], libs, crypto.randomBytes(16).toString('base64url'));
  log(`Kafka ${KAFKA_VERSION} starting (pid ${pid}, log ${node.logFile}) …`);
  try {
    await waitForKafka([brokers], timeoutMs ?? 90_000, () => isAlive(pid));
  } catch (err) {
    if (!isAlive(pid)) {
      throw new InfraError(`the Kafka broker exited during start-up. Last lines of ${node.logFile}:\n${tail(node.logFile, 25)}`);
    }
    throw err;
  }
  return { brokers, started: true, pid, nodes: 1 };
}

/**
 * Stops the nodes this launcher started (pid files; single broker and cluster alike) — in parallel, each
 * with SIGTERM (controlled shutdown) and SIGKILL after 30 s. A broker it did not start is left alone.
 * @returns {Promise<'stopped' | 'not-running'>}
 */
export async function stopKafka() {
  const c = recordedCluster();
  const nodes = [...kafkaLayout(1), ...(c ? kafkaLayout(c.nodes, c.basePort) : [])];
  const live = nodes.map((n) => ({ n, pid: livePid(n.pidFile) }));
  // Followers first would make each stop move leadership again; all at once is both faster and what a
  // "stop the cluster" means. The last controller standing cannot reach a quorum, so controlled
  // shutdown of the final node(s) may wait for the 30 s escalation: acceptable for `infra:down`.
  await Promise.all(live.filter((l) => l.pid).map((l) => stopPid(/** @type {number} */ (l.pid), 'SIGTERM', 30_000)));
  for (const { n } of live) fs.rmSync(n.pidFile, { force: true });
  return live.some((l) => l.pid) ? 'stopped' : 'not-running';
}

/**
 * The controller quorum's leader as the nodes last recorded it (`__cluster_metadata-0/quorum-state`,
 * the highest epoch wins), without starting a JVM.
 * @param {KafkaNode[]} nodes
 * @returns {{ leaderId: number, epoch: number } | undefined}
 */
export function quorumLeader(nodes) {
  /** @type {{ leaderId: number, epoch: number } | undefined} */
  let best;
  for (const n of nodes) {
    if (!livePid(n.pidFile)) continue;
    try {
      const q = JSON.parse(fs.readFileSync(path.join(n.dir, 'kraft-logs', '__cluster_metadata-0', 'quorum-state'), 'utf8'));
      if (Number.isInteger(q.leaderId) && q.leaderId >= 0 && (!best || q.leaderEpoch > best.epoch)) {
        best = { leaderId: q.leaderId, epoch: q.leaderEpoch };
      }
    } catch {
      /* not written yet */
    }
  }
  return best;
}

/**
 * @typedef {object} KafkaNodeStatus
 * @property {number} id @property {number} port @property {number | undefined} pid @property {string} log
 */

/** @returns {{ pid?: number, brokers: string, log: string, nodes: KafkaNodeStatus[], quorumLeader?: number }} */
export function kafkaStatus() {
  const recorded = recordedCluster();
  const layout = runningLayout() ?? (recorded ? kafkaLayout(recorded.nodes, recorded.basePort) : kafkaLayout(1));
  const nodes = layout.map((n) => ({ id: n.id, port: n.port, pid: livePid(n.pidFile), log: n.logFile }));
  const leader = layout.length > 1 ? quorumLeader(layout) : undefined;
  return {
    pid: nodes[0]?.pid,
    brokers: brokerList(layout),
    log: layout[0].logFile,
    nodes,
    ...(leader ? { quorumLeader: leader.leaderId } : {}),
  };
}

/**
 * Partitions whose in-sync replicas are fewer than their replicas, over every topic of the cluster.
 * @param {string[]} brokers
 * @returns {Promise<{ topic: string, partition: number, replicas: number[], isr: number[], leader: number }[]>}
 */
export async function underReplicatedPartitions(brokers) {
  const admin = new Kafka({
    clientId: 'timeline-infra-status',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 1 },
  }).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    const { topics: meta } = await admin.fetchTopicMetadata({ topics });
    return meta.flatMap((t) =>
      t.partitions
        .filter((p) => p.isr.length < p.replicas.length)
        .map((p) => ({ topic: t.name, partition: p.partitionId, replicas: p.replicas, isr: p.isr, leader: p.leader })),
    );
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
