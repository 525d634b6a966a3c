/**
 * TraceSource: a named hook that models fire and observers subscribe to, as
 * ns-3's TracedCallback. Firing costs one property read when nobody listens:
 * callers write `if (src.active) src.fire(...)`, so a hot path pays no call,
 * no argument array and no closure while tracing is off. A source nobody has
 * connected to holds no listener array (a client node has about twenty
 * sources, and a 100 k-client run had two million empty arrays).
 */
export class TraceSource<A extends unknown[]> {
  private listeners: ((...args: A) => void)[] | null = null;
  /** True while at least one listener is connected. */
  active = false;

  constructor(readonly name: string) {}

  connect(fn: (...args: A) => void): () => void {
    this.listeners = this.listeners === null ? [fn] : [...this.listeners, fn];
    this.active = true;
    return () => this.disconnect(fn);
  }

  disconnect(fn: (...args: A) => void): void {
    if (this.listeners === null) return;
    const left = this.listeners.filter((l) => l !== fn);
    this.listeners = left.length > 0 ? left : null;
    this.active = left.length > 0;
  }

  fire(...args: A): void {
    const ls = this.listeners;
    if (ls === null) return;
    for (let i = 0; i < ls.length; i++) ls[i](...args);
  }
}
