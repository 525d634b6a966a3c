/**
 * Expansion of a `site` (the cluster template) into the explicit graph it
 * stands for, in the description's own form (strings with units), so that
 * `netsim expand` prints a graph that loads again to the same network:
 *
 *   client (group) --clientLink-- internet --siteLink-- router --first LAN-- servers (+ balancer)
 *                                                        servers --second LAN (back end)
 *                                                        servers --third LAN (state exchange)
 *
 * The first LAN is a hub with the router on it, an L2 switch behind the
 * router, or an L3 switch linked straight to the Internet. A balancer node
 * joins the first LAN only for the designs that have one. Address plan:
 * client links 100.64.0.0/10 in /30s (client .1, cloud .2), the site link
 * 198.51.100.0/30, the LANs 10.0.0.0/16, 10.1.0.0/16 and 10.2.0.0/16, the
 * edge first, then the servers, then the balancer. The LANs' nodes are
 * named first-lan, second-lan and third-lan whatever their kind (an L3
 * switch first LAN is also the site's edge).
 *
 * Cost: O(1) entries (groups stand for their members).
 */
import { BALANCER_DESIGNS } from '../cluster/install';
import type { GraphInput, Site, SiteInput } from './schema';
import { formatDuration, formatRate } from './units';


interface LinkLike { rate: number; delay: number; queuePackets: number }

function link(a: string, b: string, l: LinkLike, subnet?: string): NonNullable<GraphInput['links']>[number] {
  return { a, b, rate: formatRate(l.rate), delay: formatDuration(l.delay), queuePackets: l.queuePackets, ...(subnet !== undefined ? { subnet } : {}) };
}

/**
 * The graph of a site. `raw` is the site as written (its cluster, server and
 * Internet options are copied as they are, so their defaults stay the
 * schema's); `site` is the same site parsed (for counts and link options).
 */
export function expandSite(raw: SiteInput, site: Site): GraphInput {
  const nodes: GraphInput['nodes'] = [];
  const links: NonNullable<GraphInput['links']> = [];
  const hasBalancer = BALANCER_DESIGNS.includes(site.design);
  const firstKind = site.firstLan.kind;
  const first = 'first-lan';
  const edge = firstKind === 'l3-switch' ? first : 'router';

  nodes.push({ id: 'client', kind: 'client', count: site.clients });
  nodes.push({ id: 'internet', kind: 'internet', ...(raw.internet ?? { delay: '10ms', jitter: '1ms', jitterKind: 'uniform' }) });
  if (edge === 'router') nodes.push({ id: 'router', kind: 'router' });
  const lan1 = site.firstLan;
  if (firstKind === 'hub') nodes.push({ id: first, kind: 'hub', rate: formatRate(lan1.rate), delay: formatDuration(lan1.delay), lan: 'first', subnet: '10.0.0.0/16' });
  else nodes.push({ id: first, kind: firstKind, lan: 'first', subnet: '10.0.0.0/16' });
  nodes.push({ id: 'server', kind: 'server', count: site.servers, ...(raw.server ?? {}) });
  if (hasBalancer) nodes.push({ id: 'balancer', kind: 'balancer' });
  const back = site.secondLan, state = site.thirdLan;
  const segment = (id: string, role: 'second' | 'third', l: typeof back, subnet: string): void => {
    if (l.kind === 'hub') nodes.push({ id, kind: 'hub', rate: formatRate(l.rate), delay: formatDuration(l.delay), lan: role, subnet });
    else nodes.push({ id, kind: 'l2-switch', lan: role, subnet });
  };
  segment('second-lan', 'second', back, '10.1.0.0/16');
  segment('third-lan', 'third', state, '10.2.0.0/16');

  links.push(link('client', 'internet', site.clientLink, '100.64.0.0/10'));
  links.push(link('internet', edge, site.siteLink, '198.51.100.0/30'));
  // On a hub the links take the hub's rate and delay; the queue is the LAN's.
  const lanLink = (a: string, seg: string, kind: string, l: LinkLike) => (kind === 'hub'
    ? { a, b: seg, queuePackets: l.queuePackets }
    : link(a, seg, l));
  if (edge === 'router') links.push(lanLink('router', first, firstKind, lan1));
  links.push(lanLink('server', first, firstKind, lan1));
  if (hasBalancer) links.push(lanLink('balancer', first, firstKind, lan1));
  links.push(lanLink('server', 'second-lan', back.kind, back));
  links.push(lanLink('server', 'third-lan', state.kind, state));

  const { design, nic, balancer, reports, standby, warmArp } = raw;
  const cluster = Object.fromEntries(Object.entries({ design: design ?? 'nic-forward', nic, balancer, reports, standby, warmArp })
    .filter(([, v]) => v !== undefined));
  return { nodes, links, cluster };
}
