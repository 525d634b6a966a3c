/**
 * The model's own constructors refuse what cannot work, with the same kind
 * of message the scenario loader gives, instead of building a broken network
 * (or throwing a TypeError, or looping forever): each input an audit found
 * accepted silently.
 */
import { describe, expect, it } from 'vitest';
import { Cpu } from '../../src/apps/cpu';
import { RequestStats } from '../../src/apps/request-stats';
import { TcpServerApp } from '../../src/apps/tcp-server-app';
import { installCluster, startStandby, type ClusterConfig, type ServerHost } from '../../src/cluster/install';
import { exchangePlan } from '../../src/cluster/load-reporter';
import { SubnetAllocator } from '../../src/net/address';
import { Topology } from '../../src/nodes/topology';
import { TcpLayer } from '../../src/transport/tcp-layer';
import { simulationOf } from '../helpers';

const link = { rate: '1Gbps', delay: '1us' };

describe('topology', () => {
  it('refuses two point-to-point links on the same /30', () => {
    const t = new Topology();
    const [a, b, c] = [t.host('a'), t.router('b'), t.host('c')];
    t.pointToPoint(a, b, link, '10.0.0.0/30');
    expect(() => t.pointToPoint(c, b, link, '10.0.0.0/30')).toThrow(/10\.0\.0\.1 is already the address of a/);
  });

  it('refuses a hub and a link handing out one address twice', () => {
    const t = new Topology();
    const [a, b, c] = [t.host('a'), t.host('b'), t.router('c')];
    t.hub('lan', [a, b], link, '10.1.0.0/24');
    expect(() => t.pointToPoint(c, a, link, '10.1.0.0/30')).toThrow(/10\.1\.0\.1 is already the address of a/);
  });

  it('refuses a /31 or /32 that would hand out addresses outside it, and a network or broadcast address', () => {
    expect(() => new SubnetAllocator('10.0.0.1', 32)).toThrow(/prefix must be \/1 to \/30/);
    expect(() => new SubnetAllocator('10.0.0.0', 31)).toThrow(/prefix must be \/1 to \/30/);
    const t = new Topology();
    expect(() => t.pointToPoint(t.host('a'), t.host('b'), link, { a: 0x0a000000, b: 0x0a000001, len: 30 })).toThrow(/network or broadcast address/);
  });

  it('refuses a link to itself and to a node of another topology', () => {
    const t = new Topology(), u = new Topology();
    const a = t.host('a');
    expect(() => t.pointToPoint(a, a, link)).toThrow(/both ends are a/);
    expect(() => t.pointToPoint(a, u.host('b'), link)).toThrow(/node b belongs to another topology/);
  });
});

describe('cluster', () => {
  /** A built two-server site, to install wrong configurations on. */
  function site() {
    const sim = simulationOf({ network: { site: { servers: 2, clients: 1, design: 'no-forward' } } });
    const c = sim.cluster!;
    const hosts: ServerHost[] = c.members.map((m) => ({ node: m.node, tcp: m.tcp, app: m.app, load: m.load }));
    const cfg: ClusterConfig = {
      design: 'nic-forward', servicePort: 80, nic: {}, balancer: {}, reports: { periodNs: 2e6, bytes: 64, exchange: { kind: "all-to-all" } }, tcp: {},
      detector: { kind: 'timeout', deadAfterNs: 7e6 }, warmArp: false,
    };
    return { sim, c, hosts, cfg };
  }

  it('refuses an unknown design instead of building a cluster with no NICs', () => {
    const { c, hosts, cfg } = site();
    expect(() => installCluster({ ...c, servers: hosts, balancerNode: null }, { ...cfg, design: 'bogus' as never })).toThrow(/design "bogus" is not one of nic-forward/);
  });

  it('refuses an unknown placement policy and a negative processing time (not a TypeError later)', () => {
    const { c, hosts, cfg } = site();
    const fresh = site();
    expect(() => installCluster({ ...c, servers: hosts, balancerNode: null }, { ...cfg, nic: { policy: 'bogus' as never } })).toThrow(/policy "bogus" is not one of local-unless-overloaded/);
    expect(() => installCluster({ ...fresh.c, servers: fresh.hosts, balancerNode: null }, { ...fresh.cfg, nic: { processingNs: -1 } })).toThrow(/processingNs must be a finite number >= 0, got -1/);
  });

  it('refuses a standby server that does not exist', () => {
    const r = simulationOf({ network: { site: { servers: 2, clients: 1 } } });
    expect(() => startStandby(r.cluster!, [5])).toThrow(/standby server 5 does not exist; servers are 0-1/);
  });

  it('refuses a report period of 0 (which would loop forever at t = 0)', () => {
    const { c } = site();
    expect(() => exchangePlan({ periodNs: 0, bytes: 64, exchange: { kind: 'all-to-all' } }, c.members.length, 'cluster/reports')).toThrow(/report period must be > 0 ns, got 0/);
  });

  it('refuses an exchange it cannot run', () => {
    const { c } = site();
    const make = (exchange: unknown) => exchangePlan({ periodNs: 1e6, bytes: 64, exchange: exchange as never }, c.members.length, 'cluster/reports');
    expect(() => make({ kind: 'gossip' })).toThrow(/exchange kind "gossip" is not one of all-to-all, scaled-period, sampled/);
    expect(() => make({ kind: 'sampled', fanout: 0, freshPeriods: 3 })).toThrow(/sampled needs fanout, an integer >= 1, and freshPeriods > 0, got 0 and 3/);
    expect(() => make({ kind: 'scaled-period', referenceServers: 0.5 })).toThrow(/referenceServers, an integer >= 1, got 0.5/);
  });

  it('refuses a server port out of range', () => {
    const t = new Topology();
    const h = t.host('h');
    const tcp = new TcpLayer(h);
    expect(() => new TcpServerApp(h, tcp, { port: 70_000, serviceTime: { kind: 'constant', value: 0 }, responseSize: { kind: 'constant', value: 1 }, cpu: new Cpu(t.net.sim, 1) }, new RequestStats()))
      .toThrow(/port must be an integer in 1-65535, got 70000/);
  });
});
