export interface ExistingChunk {
  readonly id: number;
  readonly chunkIndex: number;
  readonly contentHash: string;
}

export interface IncomingChunk {
  readonly chunkIndex: number;
  readonly contentHash: string;
}

export interface ChunkChanges<T extends IncomingChunk> {
  /** Rows whose text is unchanged; only their position may have moved. */
  readonly keep: readonly { readonly id: number; readonly chunkIndex: number }[];
  readonly insert: readonly T[];
  readonly remove: readonly number[];
}

/**
 * Matches a document's new chunks to its stored ones by content hash, so an edit to one paragraph
 * rewrites one row and keeps every other row (and its embeddings) in place.
 */
export function planChunkChanges<T extends IncomingChunk>(
  existing: readonly ExistingChunk[],
  incoming: readonly T[],
): ChunkChanges<T> {
  const available = new Map<string, ExistingChunk[]>();
  for (const chunk of [...existing].sort((a, b) => a.chunkIndex - b.chunkIndex)) {
    const list = available.get(chunk.contentHash) ?? [];
    list.push(chunk);
    available.set(chunk.contentHash, list);
  }
  const keep: { id: number; chunkIndex: number }[] = [];
  const insert: T[] = [];
  for (const chunk of incoming) {
    const match = available.get(chunk.contentHash)?.shift();
    if (match) keep.push({ id: match.id, chunkIndex: chunk.chunkIndex });
    else insert.push(chunk);
  }
  const remove = [...available.values()].flat().map((chunk) => chunk.id);
  return { keep, insert, remove };
}
