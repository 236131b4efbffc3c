/**
 * Stand-in for `@twilio/flex-ui` in the test page only (the harness bundle aliases the module to this file):
 * actions the panels invoke are reported to the page instead of to Flex.
 */
type ActionListener = (name: string, payload: unknown) => void;

const listeners = new Set<ActionListener>();

export const Actions = {
  invokeAction(name: string, payload?: unknown): Promise<void> {
    listeners.forEach((listener) => listener(name, payload));
    return Promise.resolve();
  },
};

/** Subscribes to invoked actions; returns the unsubscribe function. */
export function onAction(listener: ActionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
