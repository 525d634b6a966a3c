/**
 * A TCB exported mid-transfer from one host and imported on another
 * continues the transfer: every byte and message delivered exactly once.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { IpProtocol } from '../../src/net/packet';
import { TcpLayer } from '../../src/transport/tcp-layer';
import { clientAndTwoHosts, expectConserved } from '../helpers';

describe('TCB export / import', () => {
  it.each([[0.3], [0.6]])('moves a connection after %s of the transfer without losing a byte', (fraction) => {
    const { topo, client, router, a, b } = clientAndTwoHosts(8);
    const ctcp = new TcpLayer(client), atcp = new TcpLayer(a), btcp = new TcpLayer(b);
    const UP = 400_000, CHUNK = 8_000;
    let got = 0;
    let clientGot = 0;
    const msgs: unknown[] = [];
    const onData = (n: number, m: unknown[] | null) => {
      got += n;
      if (m) msgs.push(...m);
    };
    let moved = false;
    atcp.listen(80, (s) => {
      s.onData = (sock, n, m) => {
        onData(n, m);
        if (!moved && got >= UP * fraction) {
          moved = true;
          // Mid-transfer: take the TCB out of A, crash A, re-route A's address to B.
          const rec = atcp.exportConnection(sock);
          expect(rec.state).toBe('ESTABLISHED');
          a.setUp(false);
          router.routes.add({ network: a.address, len: 32, gateway: b.interfaces[0].ip, iface: 2, metric: 0 });
          b.setRxIntercept((p) => {
            if (p.protocol !== IpProtocol.TCP || p.dstIp !== a.address) return false;
            btcp.receive(p);
            return true;
          });
          const s2 = btcp.importConnection(rec);
          expect(s2.tcb.localIp).toBe(a.address); // B answers as A
          s2.onData = (s3, n2, m2) => {
            onData(n2, m2);
            if (got === UP) {
              s3.send(50_000, 'done');
              s3.close();
            }
          };
        }
      };
    });
    const c = ctcp.connect(a.address, 80);
    c.onConnected = () => {
      for (let i = 0; i < UP / CHUNK; i++) c.send(CHUNK, i);
    };
    c.onData = (_s, n) => (clientGot += n);
    c.onPeerClose = () => c.close();
    let closed = false;
    c.onClosed = () => (closed = true);
    topo.net.sim.run({ until: 60_000 * MS });
    expect(moved).toBe(true);
    expect(got).toBe(UP);
    expect(msgs).toEqual(Array.from({ length: UP / CHUNK }, (_, i) => i));
    expect(clientGot).toBe(50_000);
    expect(closed).toBe(true);
    expect(btcp.size).toBe(0);
    expectConserved(topo.net);
  });
});
