/**
 * The request/response protocol of netsim's TCP workloads: what a request
 * and a response carry as TCP messages (attached to the last byte of their
 * write, see transport/tcb.ts), and the sizes written.
 *
 * A request may name the size of the response it asks for (`responseBytes`,
 * as a replayed trace does); otherwise the server draws one.
 */

/** The service port of the TCP workloads (HTTP's). */
export const TCP_REQUEST_PORT = 80;

/** The message a request carries. */
export interface TcpRequest {
  reqId: number;
  /** Node id of the client host. */
  clientId: number;
  /** When the request was issued, ns. */
  sentAt: number;
  /** Size of the response asked for, bytes (undefined: the server draws it). */
  responseBytes?: number;
}

/** The message a response carries: the request echoed, its size and who served it. */
export interface TcpResponse extends TcpRequest {
  bytes: number;
  /** Node id of the host whose application served it. */
  servedBy: number;
}

export function isRequest(m: unknown): m is TcpRequest {
  return typeof m === 'object' && m !== null && typeof (m as TcpRequest).reqId === 'number';
}

/** A drawn size as bytes written: rounded, at least 1. */
export function messageSize(x: number): number {
  return x >= 1 ? Math.round(x) : 1;
}
