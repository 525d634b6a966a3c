/**
 * TraceSource: a named hook that models fire and observers subscribe to, as
 * ns-3's TracedCallback. Firing costs one property read when nobody listens:
 * callers write `if (src.active) src.fire(...)`, so a hot path pays no call,
 * no argument array and no closure while tracing is off.
 */
export class TraceSource<A extends unknown[]> {
  private listeners: ((...args: A) => void)[] = [];
  /** True while at least one listener is connected. */
  active = false;

  constructor(readonly name: string) {}

  connect(fn: (...args: A) => void): () => void {
    this.listeners = [...this.listeners, fn];
    this.active = true;
    return () => this.disconnect(fn);
  }

  disconnect(fn: (...args: A) => void): void {
    this.listeners = this.listeners.filter((l) => l !== fn);
    this.active = this.listeners.length > 0;
  }

  fire(...args: A): void {
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i](...args);
  }
}
