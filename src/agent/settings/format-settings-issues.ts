import type { z } from 'zod';

/** One line per bad key, e.g. `businessHours.timeZone: expected an IANA time zone (got "Mars/Base")`. */
export function formatSettingsIssues(issues: readonly z.core.$ZodIssue[]): string[] {
  const problems: string[] = [];
  for (const issue of issues) {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.push(`${path ? `${path}.` : ''}${key}: unknown setting`);
      continue;
    }
    const received = 'input' in issue && issue.input !== undefined ? ` (got ${preview(issue.input)})` : '';
    problems.push(`${path || '(root)'}: ${issue.message}${received}`);
  }
  return problems;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
