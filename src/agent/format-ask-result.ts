import type { AskAgentResult } from './ask-agent.ts';

/** Terminal rendering of an `ask` result: what the customer would see, then why. */
export function formatAskResult(
  result: AskAgentResult,
  options: { readonly verbose?: boolean } = {},
): string {
  const { decision, run } = result;
  const lines: string[] = [];
  if (decision.kind === 'reply') {
    for (const message of decision.messages) lines.push(message, '');
  } else if (decision.kind === 'handoff') {
    lines.push(`[handoff: ${decision.reason}]`);
    if (decision.customerMessage) lines.push(`Customer sees: ${decision.customerMessage}`);
    lines.push(`Note for the team: ${decision.summary}`, '');
  } else {
    lines.push(`[silent: ${decision.reason}]`, '');
  }
  if ('actions' in decision && decision.actions && decision.actions.length > 0) {
    lines.push(
      `Actions (not applied): ${decision.actions.map((action) => JSON.stringify(action)).join(', ')}`,
    );
  }
  if (result.sources.length > 0) {
    lines.push('Sources:');
    for (const source of result.sources)
      lines.push(`  - ${source.title}${source.url ? ` <${source.url}>` : ''}`);
  }
  const cost = run.costUsd > 0 ? `, $${run.costUsd.toFixed(5)}` : '';
  lines.push(
    `— ${run.responder}${run.model ? ` (${run.model})` : ''}, ${run.latencyMs} ms, ${run.inputTokens}+${run.outputTokens} tokens${cost}, settings v${run.globalSettingsVersion}/${run.inboxSettingsVersion}, run ${run.id}`,
  );
  if (options.verbose) {
    if (run.passages.length > 0) {
      lines.push('Retrieved:');
      for (const passage of run.passages) {
        const confidence = passage.confidence === undefined ? '' : ` confidence ${passage.confidence}`;
        lines.push(`  - ${passage.title} (score ${passage.score.toFixed(4)}${confidence})`);
      }
    }
    for (const call of run.toolCalls) {
      lines.push(
        `Tool ${call.name}(${JSON.stringify(call.args)}) ${call.ok ? 'ok' : 'failed'} in ${call.durationMs} ms: ${call.resultSummary}`,
      );
    }
    if (run.error) lines.push(`Error: ${run.error}`);
  }
  return `${lines.join('\n')}\n`;
}
