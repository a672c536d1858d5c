import { getTableColumns, type InferSelectModel, type Table } from 'drizzle-orm';

/**
 * A row as PostgreSQL's `to_jsonb(row)` writes it (column names, JSON values) turned into the
 * table's select model, value by value as drizzle maps what the driver returns: timestamps become
 * Dates, bigint numbers stay numbers, jsonb stays parsed. For statements that return rows inside
 * a JSON document (a server-side function that returns several row sets in one round trip).
 */
export function rowFromJson<T extends Table>(
  table: T,
  json: Readonly<Record<string, unknown>>,
): InferSelectModel<T> {
  const row: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    const value = json[column.name];
    row[key] = value === null || value === undefined ? null : column.mapFromDriverValue(value);
  }
  return row as InferSelectModel<T>;
}
