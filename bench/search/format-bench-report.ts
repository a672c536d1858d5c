export interface LatencyReport {
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly maxMs: number;
  /** Share of queries with a passage of the query's own cluster in the top 5 (a sanity check of relevance). */
  readonly sameClusterInTop5: number;
  readonly slowest: readonly { readonly ms: number; readonly query: string }[];
}

export interface BackendReport {
  readonly label: string;
  readonly passages: number;
  readonly documents: number;
  readonly ingest: {
    readonly seconds: number;
    readonly passagesPerSecond: number;
    readonly documentsPerSecond: number;
    readonly lexemeStatisticsSeconds: number;
  };
  readonly vectors: { readonly seconds: number; readonly perSecond: number; readonly dimensions: number };
  readonly hnswBuildSeconds: number;
  readonly recall: readonly { readonly efSearch: number; readonly recall: number; readonly p50Ms: number }[];
  readonly chosenEfSearch: number;
  readonly latency: {
    readonly hybrid: LatencyReport;
    readonly hybridWithInboxFilter: LatencyReport;
    readonly fullTextOnly: LatencyReport;
  };
  readonly sizes: Record<string, string>;
  readonly peakRssMiB: number;
}

export function formatReport(report: BackendReport): string {
  const latency = (name: string, value: LatencyReport) =>
    `  ${name.padEnd(26)} p50 ${value.p50Ms.toFixed(1).padStart(6)} ms  p95 ${value.p95Ms.toFixed(1).padStart(6)} ms  max ${value.maxMs
      .toFixed(1)
      .padStart(6)} ms  same-cluster@5 ${(value.sameClusterInTop5 * 100).toFixed(0)}%`;
  return [
    `== ${report.label}: ${report.passages} passages in ${report.documents} documents`,
    `  ingest (chunk + tsvector + upsert) ${report.ingest.seconds.toFixed(1)} s → ${report.ingest.passagesPerSecond.toFixed(0)} passages/s (lexeme statistics ${report.ingest.lexemeStatisticsSeconds.toFixed(1)} s of it)`,
    `  vectors (${report.vectors.dimensions}-d) written in ${report.vectors.seconds.toFixed(1)} s → ${report.vectors.perSecond.toFixed(0)}/s`,
    `  HNSW build ${report.hnswBuildSeconds.toFixed(1)} s`,
    `  recall@10 by ef_search: ${report.recall.map((step) => `${step.efSearch}: ${step.recall.toFixed(3)} (${step.p50Ms.toFixed(1)} ms)`).join(', ')}`,
    `  chosen ef_search ${report.chosenEfSearch}`,
    latency('hybrid', report.latency.hybrid),
    latency('hybrid + inbox filter', report.latency.hybridWithInboxFilter),
    latency('full text only', report.latency.fullTextOnly),
    `  sizes ${Object.entries(report.sizes)
      .map(([name, size]) => `${name} ${size}`)
      .join(', ')}`,
    `  peak RSS of this process ${report.peakRssMiB.toFixed(0)} MiB`,
  ].join('\n');
}
