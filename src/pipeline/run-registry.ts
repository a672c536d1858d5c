/**
 * The runs in flight in this process, so a takeover observed here aborts the model call at once.
 * Runs in other processes notice through their ownership poll. One registry per service instance
 * (created in the composition root), never module state.
 */
export interface RunRegistry {
  begin(conversationId: number): AbortController;
  end(conversationId: number, controller: AbortController): void;
  abort(conversationId: number, reason: string): boolean;
  activeCount(): number;
}

export function createRunRegistry(): RunRegistry {
  const runs = new Map<number, AbortController>();
  return {
    begin(conversationId) {
      const controller = new AbortController();
      runs.set(conversationId, controller);
      return controller;
    },
    end(conversationId, controller) {
      if (runs.get(conversationId) === controller) runs.delete(conversationId);
    },
    abort(conversationId, reason) {
      const controller = runs.get(conversationId);
      if (!controller) return false;
      controller.abort(new Error(reason));
      return true;
    },
    activeCount: () => runs.size,
  };
}
