/**
 * A TCB exported mid-transfer from one host and imported on another
 * continues the transfer: every byte and message delivered exactly once.
 */
import { describe, expect, it } from 'vitest';
import { MS } from '../../src/engine';
import { IpProtocol } from '../../src/net/packet';
import { cloneTcb } from '../../src/transport/tcb';
import { TcpLayer } from '../../src/transport/tcp-layer';
import { clientAndTwoHosts, expectConserved } from '../helpers';

describe('TCB export / import', () => {
  it('copies a TCB as structuredClone does, sharing what the original shares, and nothing with the original', () => {
    const { topo, client, a } = clientAndTwoHosts(8);
    const ctcp = new TcpLayer(client), atcp = new TcpLayer(a);
    atcp.listen(80, () => {});
    const c = ctcp.connect(a.address, 80);
    c.onConnected = () => c.send(200_000, { request: 1, parts: [1, 2] });
    // Mid-transfer: items in flight on the scoreboard, a mark with application data.
    topo.net.sim.run({ until: 30 * MS });
    const t = c.tcb;
    expect(t.tx.items.length).toBeGreaterThan(1);
    t.tx.highestSack = t.tx.items[1]; // as after a SACK: one of the items, by reference
    const copy = cloneTcb(t);
    expect(copy).toEqual(structuredClone(t));
    // No object of the original is reachable from the copy (a part added to
    // the TCB and not copied by cloneTcb would be).
    const mine = new Set<object>();
    const walk = (v: unknown, into: (o: object) => void): void => {
      if (typeof v !== 'object' || v === null) return;
      into(v);
      for (const x of Object.values(v)) walk(x, into);
    };
    walk(t, (o) => mine.add(o));
    walk(copy, (o) => expect(mine.has(o)).toBe(false));
    expect(copy.tx.highestSack).toBe(copy.tx.items[1]);
    expect(copy.tx.items[1]).not.toBe(t.tx.items[1]);
    expect(copy.sendMarks).not.toBe(t.sendMarks);
    copy.tx.items[0].len += 1;
    copy.rx.sackList.push([1, 2]);
    expect(t.tx.items[0].len).toBe(copy.tx.items[0].len - 1);
    expect(t.rx.sackList).not.toContainEqual([1, 2]);
  });

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
