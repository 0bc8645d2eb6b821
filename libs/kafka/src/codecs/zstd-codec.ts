import { createRequire } from 'node:module';
import { asBuffer, type KafkaCodec } from './kafka-codec.js';

const require = createRequire(import.meta.url);
/** `fzstd`: pure JavaScript zstd decoder (streaming frames without a content size, as zstd-jni writes). */
const fzstd = require('fzstd') as { decompress(input: Uint8Array): Uint8Array };
/** `@bokuweb/zstd-wasm`: the reference zstd compiled to WebAssembly, shipped inside the npm package. */
const zstdWasm = require('@bokuweb/zstd-wasm') as { init(): Promise<void>; compress(input: Uint8Array, level?: number): Uint8Array };

/** Kafka's default zstd level (compression.zstd.level). */
const LEVEL = 3;
let wasmReady: Promise<void> | undefined;

/**
 * Kafka's zstd: standard zstd frames. Decoded by fzstd — not by zstd-wasm, whose one-shot decoder
 * caps a frame without a content size (what Java's zstd-jni stream writes) at 1 MB. Encoded by
 * zstd-wasm (its WebAssembly module is loaded on the first compression only).
 */
export const zstdCodec: KafkaCodec = {
  async compress(encoder) {
    wasmReady ??= zstdWasm.init().catch((err: unknown) => {
      wasmReady = undefined; // the next batch tries again
      throw err;
    });
    await wasmReady;
    return asBuffer(zstdWasm.compress(encoder.buffer, LEVEL));
  },

  async decompress(buffer) {
    return asBuffer(fzstd.decompress(buffer));
  },
};
