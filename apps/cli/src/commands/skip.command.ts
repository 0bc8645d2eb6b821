import os from 'node:os';
import { parseArgs } from 'node:util';
import { loadConfig } from '@timeline/config';
import { DeadLetterPublisher, createKafka, timelineTopics } from '@timeline/kafka';
import { SkipRefusedError, createDataSource, skipPartitionRange } from '@timeline/store';
import { UsageError, type CliCommand } from '../command.js';

/** The dead-letter reason code of a range an operator skipped (docs/operations.md). */
export const PARTITION_SKIPPED = 'PARTITION.SKIPPED';

/**
 * Moves a parked partition past a record batch that cannot be decoded (issue 11). Nothing is skipped
 * silently: the range goes to `skipped_ranges` (a rebuild from Kafka skips the same) and a dead letter
 * `PARTITION.SKIPPED` names the range, who and why — published inside the offset transaction, so a
 * failed publish moves nothing.
 */
export const skipCommand: CliCommand = {
  name: 'skip',
  summary: 'move a parked partition past offsets that cannot be decoded (recorded in skipped_ranges and the DLQ)',
  usage: 'skip --partition <p> --to-offset <offset> --reason "<why>" [--topic <events topic>] [--by <name>]',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        topic: { type: 'string' },
        partition: { type: 'string' },
        'to-offset': { type: 'string' },
        reason: { type: 'string' },
        by: { type: 'string' },
      },
    });
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const partition = Number(values.partition);
    if (values.partition === undefined || !Number.isInteger(partition) || partition < 0) {
      throw new UsageError('--partition is required: the parked partition /health names');
    }
    const toOffset = values['to-offset'];
    if (toOffset === undefined || !/^\d{1,19}$/.test(toOffset)) {
      throw new UsageError('--to-offset is required: the first offset to project again (the one after the bad batch, as /health says)');
    }
    if (!values.reason?.trim())
      throw new UsageError('--reason is required: say why these offsets may be skipped (it is kept with the range)');

    const config = loadConfig();
    const topic = values.topic ?? config.kafka.eventsTopic;
    const by = values.by ?? `${os.userInfo().username}@${os.hostname()}`;
    const kafka = createKafka(config.kafka);
    const dlq = new DeadLetterPublisher(kafka, { topic: timelineTopics(config.kafka).dlq.topic, consumerGroup: config.projector.groupId });
    const ds = createDataSource(config.database, { applicationName: 'timeline-cli skip', poolSize: 2 });
    await ds.initialize();
    await dlq.connect();
    try {
      const r = await skipPartitionRange(ds, { topic, partition, toOffset, reason: values.reason, by }, async (range) => {
        await dlq.publish([
          {
            topic,
            partition,
            offset: range.fromOffset,
            key: null,
            value: JSON.stringify({
              skipped: { topic, partition, fromOffset: range.fromOffset, toOffset: range.toOffset },
              reason: range.reason,
              by,
              at: range.skippedAt,
            }),
            reasonCode: PARTITION_SKIPPED,
            reason: `offsets ${range.fromOffset}..${BigInt(range.toOffset) - 1n} of ${topic}/${partition} skipped by ${by}: ${range.reason}`,
          },
        ]);
      });
      console.log(
        `skipped ${topic}/${partition} offsets ${r.fromOffset}..${BigInt(r.toOffset) - 1n} for projection ${r.projection}; ` +
          `recorded in skipped_ranges and the dead-letter topic (${PARTITION_SKIPPED}). The parked projector resumes at ${r.toOffset}.`,
      );
      return 0;
    } catch (err) {
      if (!(err instanceof SkipRefusedError)) throw err;
      console.error(`skip refused: ${err.message}`);
      return 1;
    } finally {
      await dlq.disconnect();
      await ds.destroy();
    }
  },
};
