import type { Kafka, Producer, ProducerConfig, ProducerRecord, RecordMetadata } from 'kafkajs';
import { IdempotentProducer } from './idempotent-producer.js';

/**
 * The session logic only (which kafkajs producer a send goes to). That a fresh session really gets
 * past a broker restart is shown on a real broker by test/faults/kafka-restart.fault-spec.ts.
 */
interface FakeSession {
  readonly config: ProducerConfig;
  connects: number;
  disconnects: number;
  sent: ProducerRecord[];
}

function fakeKafka(behaviour: { failConnect?: (n: number) => boolean; failSend?: (n: number) => boolean }) {
  const sessions: FakeSession[] = [];
  let sends = 0;
  const kafka = {
    producer(config: ProducerConfig): Producer {
      const n = sessions.length;
      const s: FakeSession = { config, connects: 0, disconnects: 0, sent: [] };
      sessions.push(s);
      return {
        connect: async () => {
          s.connects += 1;
          if (behaviour.failConnect?.(n)) throw new Error(`session ${n}: connect ECONNREFUSED`);
        },
        disconnect: async () => {
          s.disconnects += 1;
        },
        send: async (record: ProducerRecord): Promise<RecordMetadata[]> => {
          const i = sends++;
          if (behaviour.failSend?.(i)) throw new Error(`send ${i}: OUT_OF_ORDER_SEQUENCE_NUMBER`);
          s.sent.push(record);
          return [{ topicName: record.topic, partition: 0, errorCode: 0, baseOffset: String(i) }];
        },
      } as unknown as Producer;
    },
  } as unknown as Kafka;
  return { kafka, sessions };
}

const record = (value: string): ProducerRecord => ({ topic: 't', messages: [{ value }] });

describe('IdempotentProducer', () => {
  it('opens one idempotent session and keeps using it while sends succeed', async () => {
    const { kafka, sessions } = fakeKafka({});
    const p = new IdempotentProducer(kafka, { retry: { retries: 2 } });
    await p.connect();
    await p.send(record('a'));
    await p.send(record('b'));
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.config).toEqual({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry: { retries: 2 } });
    expect(sessions[0]!.sent.map((r) => r.messages[0]!.value)).toEqual(['a', 'b']);
    expect(p.sessionCount).toBe(1);
  });

  it('after a failed send, closes that session and sends the next record on a new one (new producer id)', async () => {
    const { kafka, sessions } = fakeKafka({ failSend: (i) => i === 1 });
    const p = new IdempotentProducer(kafka, {});
    await p.connect();
    await p.send(record('a'));
    await expect(p.send(record('b'))).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER');
    await p.send(record('c'));
    await p.send(record('d'));
    expect(sessions).toHaveLength(2);
    expect(sessions[1]!.config).toEqual(sessions[0]!.config);
    expect(sessions[1]!.config.retry).toEqual({ retries: 5, initialRetryTime: 300, maxRetryTime: 3000 });
    expect(sessions[0]!.disconnects).toBe(1);
    expect(sessions[0]!.sent.map((r) => r.messages[0]!.value)).toEqual(['a']);
    expect(sessions[1]!.connects).toBe(1);
    expect(sessions[1]!.sent.map((r) => r.messages[0]!.value)).toEqual(['c', 'd']);
  });

  it('a session that cannot connect (broker down) is not reused: each later send tries a new one', async () => {
    const { kafka, sessions } = fakeKafka({ failConnect: (n) => n === 1 || n === 2, failSend: (i) => i === 0 });
    const p = new IdempotentProducer(kafka, {});
    await p.connect();
    await expect(p.send(record('a'))).rejects.toThrow('OUT_OF_ORDER_SEQUENCE_NUMBER');
    await expect(p.send(record('b'))).rejects.toThrow('session 1: connect ECONNREFUSED');
    await expect(p.send(record('c'))).rejects.toThrow('session 2: connect ECONNREFUSED');
    await p.send(record('d'));
    expect(sessions).toHaveLength(4);
    expect(sessions[3]!.sent.map((r) => r.messages[0]!.value)).toEqual(['d']);
  });

  it('concurrent sends share one session while it opens', async () => {
    const { kafka, sessions } = fakeKafka({});
    const p = new IdempotentProducer(kafka, {});
    await Promise.all([p.send(record('a')), p.send(record('b'))]);
    expect(sessions).toHaveLength(1);
    await p.disconnect();
    expect(sessions[0]!.disconnects).toBe(1);
  });
});
