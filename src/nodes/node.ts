/**
 * Node: a container of devices and applications (ns-3's Node). Behaviour
 * lives in what a node holds: an IPv4 stack (IpNode), a bridge (switches),
 * applications. A node can be taken down and brought back (fault scenarios):
 * while down it drops what reaches it and its applications are stopped.
 */
import type { Network } from '../net/network';
import type { NetDevice } from '../net/net-device';
import { DropReason } from '../net/drop-reason';
import type { Application } from './application';

export type NodeKind = 'host' | 'router' | 'l2-switch' | 'l3-switch' | 'internet' | 'server' | 'client' | 'balancer';

export class Node {
  private static ids = new WeakMap<Network, number>();
  readonly id: number;
  readonly devices: NetDevice[] = [];
  readonly applications: Application[] = [];
  up = true;

  constructor(readonly net: Network, readonly name: string, public kind: NodeKind) {
    const id = Node.ids.get(net) ?? 0;
    Node.ids.set(net, id + 1);
    this.id = id;
  }

  addDevice<D extends NetDevice>(dev: D): D {
    dev.ifIndex = this.devices.length;
    dev.nodeId = this.id;
    this.devices.push(dev);
    return dev;
  }

  addApplication<A extends Application>(app: A, startAt = 0, stopAt = Infinity): A {
    this.applications.push(app);
    app.schedule(startAt, stopAt);
    return app;
  }

  /** Take the node down (crash) or bring it back. */
  setUp(up: boolean): void {
    if (this.up === up) return;
    this.up = up;
    for (const d of this.devices) d.setUp(up, DropReason.NODE_DOWN);
    for (const a of this.applications) if (!up) a.stop();
  }
}
