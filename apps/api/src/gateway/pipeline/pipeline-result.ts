import type { ChunkBatch } from '@llmp/routing';

/**
 * What the pipeline hands back to a surface controller to write. Headers always include x-request-id. A stream yields
 * the chunks of each upstream arrival together (never an empty batch).
 */
export type PipelineResult =
  | { kind: 'json'; status: number; headers: Record<string, string>; body: Record<string, unknown> }
  | { kind: 'raw'; status: number; headers: Record<string, string>; body: Buffer; contentType: string }
  | { kind: 'stream'; headers: Record<string, string>; chunks: AsyncIterable<ChunkBatch> };
