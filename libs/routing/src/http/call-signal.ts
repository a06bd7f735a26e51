/**
 * What an upstream call needs to know about the client going away. A DOM AbortSignal satisfies it, and so does
 * DisconnectSignal; undici accepts either (it only calls add/removeEventListener and reads `aborted` and `reason`).
 */
export interface CallSignal {
  readonly aborted: boolean;
  readonly reason: unknown;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * The per-request "client disconnected" signal. Replaces an AbortController per request: creating an AbortSignal (an
 * EventTarget) and adding and removing its listeners cost about 2.5% of the data plane's CPU; this is a flag and a
 * short listener list.
 */
export class DisconnectSignal implements CallSignal {
  aborted = false;
  reason: unknown = undefined;
  private listeners: (() => void)[] | null = null;

  addEventListener(_type: 'abort', listener: () => void): void {
    (this.listeners ??= []).push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners?.indexOf(listener) ?? -1;
    if (i >= 0) this.listeners!.splice(i, 1);
  }

  /** Fires once: later calls do nothing. Listeners run once each, like `{ once: true }` on an AbortSignal. */
  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = null;
    if (listeners) for (const l of listeners) l();
  }
}
