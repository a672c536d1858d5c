/**
 * A Chatwoot error response the simulator answers with: the status and the exact JSON body
 * Chatwoot renders (`{"error": "..."}`). Thrown by the services, mapped by the API server.
 */
export class ChatwootApiFailure extends Error {
  readonly status: number;
  readonly body: Record<string, unknown>;

  constructor(status: number, error: string) {
    super(error);
    this.name = 'ChatwootApiFailure';
    this.status = status;
    this.body = { error };
  }
}

export const NOT_FOUND_MESSAGE = 'Resource could not be found';

export function notFound(): ChatwootApiFailure {
  return new ChatwootApiFailure(404, NOT_FOUND_MESSAGE);
}
