/**
 * Faults injected at given times: a server crashes or joins, a link goes
 * down or comes back. A crash takes the whole node down (its devices drop
 * what they hold); peers notice through the missing load reports.
 */
export type Fault =
  | { at: number; kind: 'crash'; server: number }
  | { at: number; kind: 'join'; server: number }
  | { at: number; kind: 'link-down' | 'link-up'; server: number; lan: 'first' | 'second' | 'third' };
