import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;

/**
 * A "foreign producer" for tests (issue 11): Apache Kafka's own Java client, run as a one-file
 * program with the broker's classpath (`java -cp "<kafka libs>/*" ForeignProducer.java …`).
 *
 * <pre>
 *   fixtures PAYLOAD OUTDIR      compress PAYLOAD with Kafka's codec classes: OUTDIR/&lt;codec&gt;.bin (the
 *                                compressed stream) and OUTDIR/&lt;codec&gt;-batch.bin (a whole v2 record batch)
 *   run BROKERS PLAN             run the producer steps of PLAN (one per line, tab-separated, see below)
 *   consume BROKERS TOPIC N MS   read_committed consumer: prints N records as REC lines (fails after MS),
 *                                then the bytes the topic takes in the broker's log as a SIZE line
 * </pre>
 *
 * Plan steps: {@code producer NAME COMPRESSION [TRANSACTIONAL_ID]}, {@code send NAME TOPIC PARTITION|-
 * KEY VALUE HEADERS TIMESTAMP|-} (key and value base64 or {@code ~} for null; headers {@code ~} or
 * {@code name=base64,…}; timestamp in epoch ms), {@code flush|begin|commit|abort|close NAME}. Output lines the tests read
 * start with {@code REC}, {@code SIZE} or {@code DONE}; anything else (client logs) is ignored.
 */
public class ForeignProducer {
  private static final String[] CODECS = {"gzip", "snappy", "lz4", "zstd"};

  public static void main(String[] args) throws Exception {
    switch (args.length > 0 ? args[0] : "") {
      case "fixtures" -> fixtures(Path.of(args[1]), Path.of(args[2]));
      case "run" -> run(args[1], Files.readAllLines(Path.of(args[2]), StandardCharsets.UTF_8));
      case "consume" -> consume(args[1], args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
      default -> {
        System.err.println("usage: fixtures PAYLOAD OUTDIR | run BROKERS PLAN | consume BROKERS TOPIC N MS");
        System.exit(2);
      }
    }
  }

  /** The bytes Kafka's own codec classes write: what a Java producer puts inside a record batch. */
  static void fixtures(Path payloadFile, Path outDir) throws Exception {
    byte[] payload = Files.readAllBytes(payloadFile);
    List<byte[]> lines = new ArrayList<>();
    for (String l : new String(payload, StandardCharsets.UTF_8).split("\n")) lines.add(l.getBytes(StandardCharsets.UTF_8));
    Files.createDirectories(outDir);
    for (String codec : CODECS) {
      Compression compression = Compression.of(codec).build();
      ByteBufferOutputStream buffer = new ByteBufferOutputStream(1024);
      try (OutputStream out = compression.wrapForOutput(buffer, (byte) 2)) {
        out.write(payload);
      }
      ByteBuffer compressed = buffer.buffer().flip();
      byte[] bytes = new byte[compressed.remaining()];
      compressed.get(bytes);
      Files.write(outDir.resolve(codec + ".bin"), bytes);

      // A whole v2 record batch as a Java producer sends it: the first three lines of the payload as
      // values, one record with a key and a header, one without either, one with a foreign header.
      MemoryRecordsBuilder builder = MemoryRecords.builder(ByteBuffer.allocate(64 * 1024), compression, TimestampType.CREATE_TIME, 0L);
      builder.append(1_700_000_000_000L, bytes("story-1"), lines.get(0), new Header[] {new RecordHeader("type", bytes("readiness.raised"))});
      builder.append(1_700_000_000_001L, null, lines.get(1), new Header[0]);
      builder.append(1_700_000_000_002L, bytes("story-2"), lines.get(2), new Header[] {new RecordHeader("x-origin", bytes("wire"))});
      ByteBuffer batch = builder.build().buffer();
      byte[] batchBytes = new byte[batch.remaining()];
      batch.get(batchBytes);
      Files.write(outDir.resolve(codec + "-batch.bin"), batchBytes);
      System.out.println("DONE\t" + codec + "\t" + bytes.length + "\t" + batchBytes.length);
    }
  }

  static void run(String brokers, List<String> plan) throws Exception {
    Map<String, KafkaProducer<byte[], byte[]>> producers = new HashMap<>();
    try {
      for (String line : plan) {
        if (line.isBlank()) continue;
        String[] f = line.split("\t", -1);
        switch (f[0]) {
          case "producer" -> {
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
            p.put(ProducerConfig.CLIENT_ID_CONFIG, "foreign-" + f[1]);
            p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, f[2]);
            p.put(ProducerConfig.ACKS_CONFIG, "all");
            // Several records per batch, so a compressed batch really holds more than one record.
            p.put(ProducerConfig.LINGER_MS_CONFIG, "50");
            p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
            if (f.length > 3 && !f[3].isEmpty()) p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, f[3]);
            KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p);
            if (f.length > 3 && !f[3].isEmpty()) producer.initTransactions();
            producers.put(f[1], producer);
          }
          case "send" -> {
            Integer partition = f[3].equals("-") ? null : Integer.valueOf(f[3]);
            List<Header> headers = new ArrayList<>();
            if (!f[6].equals("~")) {
              for (String h : f[6].split(",")) {
                String[] kv = h.split("=", 2);
                headers.add(new RecordHeader(kv[0], Base64.getDecoder().decode(kv[1])));
              }
            }
            // No timestamp: the producer stamps CreateTime itself (a LogAppendTime topic overwrites either).
            Long timestamp = f.length > 7 && !f[7].equals("-") ? Long.valueOf(f[7]) : null;
            producers.get(f[1]).send(new ProducerRecord<>(f[2], partition, timestamp, b64(f[4]), b64(f[5]), headers));
          }
          case "flush" -> producers.get(f[1]).flush();
          case "begin" -> producers.get(f[1]).beginTransaction();
          case "commit" -> producers.get(f[1]).commitTransaction();
          case "abort" -> {
            // Flushed first, so the aborted records really are in the log (followed by an ABORT marker).
            producers.get(f[1]).flush();
            producers.get(f[1]).abortTransaction();
          }
          case "close" -> producers.remove(f[1]).close(Duration.ofSeconds(10));
          default -> throw new IllegalArgumentException("unknown plan step: " + f[0]);
        }
        System.out.println("DONE\t" + f[0] + "\t" + f[1]);
      }
    } finally {
      for (KafkaProducer<byte[], byte[]> p : producers.values()) p.close(Duration.ofSeconds(10));
    }
  }

  static void consume(String brokers, String topic, int expected, long timeoutMs) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    PrintStream out = System.out;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
          .map(i -> new TopicPartition(topic, i.partition()))
          .collect(Collectors.toList());
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      int seen = 0;
      long deadline = System.currentTimeMillis() + timeoutMs;
      while (seen < expected) {
        if (System.currentTimeMillis() > deadline) throw new IllegalStateException("only " + seen + " of " + expected + " records");
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          out.println("REC\t" + r.partition() + "\t" + r.offset() + "\t" + r.timestampType() + "\t" + r.timestamp() + "\t"
              + enc(r.key()) + "\t" + enc(r.value()));
          seen++;
        }
      }
    }
    // What the records take in the broker's log: tells a compressed batch from an uncompressed one.
    Properties a = new Properties();
    a.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    try (Admin admin = Admin.create(a)) {
      List<Integer> ids = admin.describeCluster().nodes().get().stream().map(n -> n.id()).collect(Collectors.toList());
      long size = 0;
      for (Map<String, LogDirDescription> dirs : admin.describeLogDirs(ids).allDescriptions().get().values()) {
        for (LogDirDescription dir : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> e : dir.replicaInfos().entrySet()) {
            if (e.getKey().topic().equals(topic)) size += e.getValue().size();
          }
        }
      }
      out.println("SIZE\t" + size);
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] b64(String s) {
    return s.equals("~") ? null : Base64.getDecoder().decode(s);
  }

  private static String enc(byte[] b) {
    return b == null ? "~" : Base64.getEncoder().encodeToString(b);
  }
}
