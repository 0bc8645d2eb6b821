// @ts-check
/**
 * Local Apache Kafka for development, tests and CI, without Docker: the official broker jars
 * (`org.apache.kafka:kafka_2.13`, pinned in pom.xml) are resolved by Maven into `.cache/kafka/<v>/libs`,
 * a KRaft storage folder is formatted once, and one combined broker+controller JVM runs detached
 * on 127.0.0.1:9092, logging to `.data/kafka/kafka.log`.
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
const CONTROLLER_PORT = KAFKA_PORT + 1;

const kafkaDir = path.join(DATA_DIR, 'kafka');
const pidFile = path.join(kafkaDir, 'kafka.pid');
const logFile = path.join(kafkaDir, 'kafka.log');
const libsDir = path.join(CACHE_DIR, 'kafka', KAFKA_VERSION, 'libs');

/** Where the broker log lives (for messages and `infra:status`). */
export const KAFKA_LOG = logFile;

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

function serverProperties() {
  return [
    '# Written by tools/infra/kafka.js — single-node KRaft broker for development and tests.',
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${KAFKA_HOST}:${CONTROLLER_PORT}`,
    `listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT},CONTROLLER://${KAFKA_HOST}:${CONTROLLER_PORT}`,
    `advertised.listeners=PLAINTEXT://${KAFKA_HOST}:${KAFKA_PORT}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${path.join(kafkaDir, 'kraft-logs')}`,
    'num.partitions=3',
    // One node: every internal topic must have replication factor 1.
    'offsets.topic.replication.factor=1',
    // Fewer coordinator partitions make the first consumer-group join fast on a 2-core machine.
    'offsets.topic.num.partitions=3',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=3',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
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
 */
export async function waitForKafka(brokers, timeoutMs, stillRunning = () => true) {
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
 * Starts the local broker unless one already answers; idempotent.
 * @param {{ log?: (msg: string) => void, timeoutMs?: number }} [options]
 * @returns {Promise<{ brokers: string, started: boolean, pid?: number }>}
 */
export async function startKafka(options = {}) {
  const log = options.log ?? (() => undefined);
  const brokers = `${KAFKA_HOST}:${KAFKA_PORT}`;
  const running = livePid(pidFile);
  if (running) {
    await waitForKafka([brokers], options.timeoutMs ?? 60_000, () => isAlive(running));
    return { brokers, started: false, pid: running };
  }
  if (await portOpen(KAFKA_HOST, KAFKA_PORT)) {
    // Something else (a broker started by hand, another checkout) holds the port: use it if it is Kafka.
    await waitForKafka([brokers], 15_000);
    log(`reusing the Kafka broker already listening on ${brokers}`);
    return { brokers, started: false };
  }
  requireJava();
  const libs = resolveKafkaJars(log);
  fs.mkdirSync(kafkaDir, { recursive: true });
  const propsFile = path.join(kafkaDir, 'server.properties');
  fs.writeFileSync(propsFile, serverProperties());
  const classpath = path.join(libs, '*');
  const storageMeta = path.join(kafkaDir, 'kraft-logs', 'meta.properties');
  if (!fs.existsSync(storageMeta)) {
    const clusterId = crypto.randomBytes(16).toString('base64url');
    const fmt = spawnSync(
      'java',
      // `--cluster-id=<id>`, not `-t <id>`: a base64url id can start with "-", which the tool's argument
      // parser then takes for an option ("expected one argument"; 1 run in 64 failed to start).
      ['-cp', classpath, 'kafka.tools.StorageTool', 'format', `--cluster-id=${clusterId}`, '-c', propsFile, '--ignore-formatted'],
      { encoding: 'utf8' },
    );
    if (fmt.status !== 0) {
      throw new InfraError(`formatting the KRaft storage failed:\n${fmt.stdout}${fmt.stderr}`);
    }
  }
  const out = fs.openSync(logFile, 'a');
  const child = spawn(
    'java',
    [
      '-Xms256m',
      '-Xmx768m',
      '-XX:+UseG1GC',
      '-XX:MaxGCPauseMillis=20',
      '-Djava.awt.headless=true',
      `-Dlog4j2.configurationFile=${path.join(ROOT, 'tools', 'infra', 'log4j2.properties')}`,
      `-Dkafka.logs.dir=${kafkaDir}`,
      '-cp',
      classpath,
      'kafka.Kafka',
      propsFile,
    ],
    { detached: true, stdio: ['ignore', out, out] },
  );
  fs.closeSync(out);
  child.unref();
  if (!child.pid) throw new InfraError('could not spawn java for the Kafka broker');
  fs.writeFileSync(pidFile, `${child.pid}\n`);
  log(`Kafka ${KAFKA_VERSION} starting (pid ${child.pid}, log ${logFile}) …`);
  const pid = child.pid;
  try {
    await waitForKafka([brokers], options.timeoutMs ?? 90_000, () => isAlive(pid));
  } catch (err) {
    if (!isAlive(pid)) {
      throw new InfraError(`the Kafka broker exited during start-up. Last lines of ${logFile}:\n${tail(logFile, 25)}`);
    }
    throw err;
  }
  return { brokers, started: true, pid };
}

/**
 * Stops the broker this launcher started (pid file); a broker it did not start is left alone.
 * @returns {Promise<'stopped' | 'not-running'>}
 */
export async function stopKafka() {
  const pid = livePid(pidFile);
  if (!pid) {
    fs.rmSync(pidFile, { force: true });
    return 'not-running';
  }
  // SIGTERM triggers Kafka's controlled shutdown; give it time to flush before escalating.
  await stopPid(pid, 'SIGTERM', 30_000);
  fs.rmSync(pidFile, { force: true });
  return 'stopped';
}

/** @returns {{ pid?: number, brokers: string, log: string }} */
export function kafkaStatus() {
  return { pid: livePid(pidFile), brokers: `${KAFKA_HOST}:${KAFKA_PORT}`, log: logFile };
}
