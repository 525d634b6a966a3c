/**
 * The scenario format, as one zod schema: what a scenario file may say, its
 * defaults, and the internal values it parses to (ns, bits/s, bytes). The
 * JSON Schema in scenarios/schema.json is generated from it (`netsim
 * schema`), so editors complete and check scenario files.
 *
 * A scenario is a `network` (a `site`, the cluster template, or an explicit
 * graph of `nodes` and `links` with an optional `cluster`), a `workload`,
 * `faults`, a `stop` rule, the `seed`, the number of `runs` and what to
 * `measure`. Objects are strict: an unknown key is an error (with a "did you
 * mean"), never silently ignored.
 *
 * Invariants: every quantity is a string with its unit (units.ts); counts
 * are integers with bounds that keep a run inside one process; nothing here
 * does I/O (the browser uses it too).
 */
import { z } from 'zod';
import type { Dist } from '../apps/dist';
import { DESIGNS } from '../cluster/install';
import { POLICY_NAMES } from '../cluster/placement';
import { METRIC_NAMES } from '../metrics/catalog';
import { duration, probability, rate, size } from './units';

// ------------------------------------------------------------ vocabulary

export { DESIGNS, type Design } from '../cluster/install';
export const LAN_ROLES = ['first', 'second', 'third'] as const;
export type LanRole = (typeof LAN_ROLES)[number];
export const NODE_KINDS = ['client', 'host', 'server', 'router', 'balancer', 'internet', 'hub', 'l2-switch', 'l3-switch'] as const;
export type GraphNodeKind = (typeof NODE_KINDS)[number];
/** Kinds that stand for an L2 segment: links to them are cables of that segment. */
export const SEGMENT_KINDS: readonly GraphNodeKind[] = ['hub', 'l2-switch', 'l3-switch'];
/** Kinds a node group (`count`) may have. */
export const GROUP_KINDS: readonly GraphNodeKind[] = ['client', 'host', 'server'];

const int = (min: number, max: number) => z.number().int().min(min).max(max);
const id = z.string().regex(/^[A-Za-z][A-Za-z0-9_.-]*$/, 'an id starts with a letter and holds letters, digits, "_", "-" or "."');
const cidr = z.string().regex(/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/, 'expected an IPv4 prefix like "10.0.0.0/16"');

// ------------------------------------------------------------ distributions

function distribution(q: (d?: string, positive?: boolean) => z.ZodType<number, string>, what: string) {
  const v = q();
  const pos = q(undefined, true);
  const obj = z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('constant'), value: v }),
    z.strictObject({ kind: z.literal('exponential'), mean: pos }),
    z.strictObject({ kind: z.literal('uniform'), min: v, max: v }),
    z.strictObject({ kind: z.literal('lognormal'), median: pos, sigma: z.number().min(0) }),
    z.strictObject({ kind: z.literal('pareto'), alpha: z.number().positive(), scale: pos, bound: pos.optional() }),
    z.strictObject({ kind: z.literal('discrete'), values: z.array(v).min(1), weights: z.array(z.number().min(0)).min(1) }),
    z.strictObject({ kind: z.literal('empirical'), points: z.array(z.tuple([v, z.number().min(0).max(1)])).min(1) }),
  ]);
  return z.union([q(`a constant ${what}`), obj], {
    error: `expected a ${what} ("300B", "2ms") or a distribution such as { "kind": "exponential", "mean": ... }`,
  }).superRefine((d, ctx) => {
    if (typeof d !== 'object') return;
    if (d.kind === 'uniform' && d.min > d.max) ctx.addIssue({ code: 'custom', path: ['max'], message: 'uniform max must be >= min' });
    if (d.kind === 'pareto' && d.bound !== undefined && d.bound <= d.scale) ctx.addIssue({ code: 'custom', path: ['bound'], message: 'pareto bound must be greater than scale' });
    if (d.kind === 'discrete') {
      if (d.values.length !== d.weights.length) ctx.addIssue({ code: 'custom', path: ['weights'], message: `discrete needs one weight per value (${d.values.length} values, ${d.weights.length} weights)` });
      else if (!d.weights.some((w) => w > 0)) ctx.addIssue({ code: 'custom', path: ['weights'], message: 'discrete needs at least one weight > 0' });
    }
    if (d.kind === 'empirical') {
      const p = d.points;
      for (let i = 1; i < p.length; i++) {
        if (!(p[i][0] >= p[i - 1][0] && p[i][1] >= p[i - 1][1])) {
          ctx.addIssue({ code: 'custom', path: ['points', i], message: 'empirical points must not decrease in value or cumulative probability' });
          break;
        }
      }
      if (p[p.length - 1][1] !== 1) ctx.addIssue({ code: 'custom', path: ['points', p.length - 1, 1], message: 'the last empirical point must have cumulative probability 1' });
    }
  }).transform((d): Dist => {
    if (typeof d === 'number') return { kind: 'constant', value: d };
    switch (d.kind) {
      case 'lognormal': return { kind: 'lognormal', mu: Math.log(d.median), sigma: d.sigma };
      case 'pareto': return { kind: 'pareto', alpha: d.alpha, scale: d.scale, bound: d.bound ?? Infinity };
      default: return d;
    }
  });
}

/** A time distribution (values in ns). */
export const timeDist = () => distribution(duration, 'duration');
/** A size distribution (values in bytes). */
export const sizeDist = () => distribution(size, 'size');

// ------------------------------------------------------------ links and LANs

const queuePackets = int(1, 1_000_000).describe('device queue, packets (ns-3 default 100)');
const linkOptions = (rateDefault: string, delayDefault: string, queueDefault = 100) => z.strictObject({
  rate: rate('line rate').prefault(rateDefault),
  delay: duration('propagation delay').prefault(delayDefault),
  queuePackets: queuePackets.default(queueDefault),
});

const internet = z.strictObject({
  delay: duration('base one-way delay added to every packet').prefault('10ms'),
  jitter: duration('jitter scale: half-width (uniform), standard deviation (normal), mean (exponential)').prefault('0s'),
  jitterKind: z.enum(['none', 'uniform', 'normal', 'exponential']).default('none'),
  loss: probability('probability that a packet is lost').default(0),
  duplicate: probability('probability that a packet is delivered twice').default(0),
  rate: rate('throughput limit of the cloud (absent: none)').optional(),
  keepOrder: z.boolean().default(true).describe('packets never overtake each other: jitter varies the delay as a queue on the path would (false: each packet draws its own delay and may overtake, which a TCP reads as loss when it is over three segments)'),
});

// ------------------------------------------------------------ the cluster's parts

const nic = z.strictObject({
  policy: z.enum(POLICY_NAMES as [string, ...string[]]).default('least-loaded').describe('placement policy of the smart NIC'),
  threshold: int(0, 1_000_000).default(4).describe('local-unless-overloaded: keep connections local while own load (jobs + connections) is below this'),
  processing: duration('NIC processor time per received client packet').prefault('2us'),
  bufferPackets: int(1, 1_000_000).default(1000).describe('packets that can wait for the NIC processor'),
  decideAt: z.enum(['request', 'syn']).default('request').describe('choose the owner on the request (the claims) or on the SYN (Maglev/Katran/Beamer style)'),
  migrationSize: size('payload of a migration packet (the serialised connection end point)').prefault('256B'),
  migrationTimeout: duration('wait this long for a migration\'s acknowledgement before sending it again (doubling each time)', true).prefault('2ms'),
  migrationRetries: int(0, 20).default(4).describe('retransmissions of a migration before the first device serves the connection itself'),
  localHandoff: duration('handing a TCB to the NIC\'s own host').prefault('1us'),
});

const balancer = z.strictObject({
  processing: duration('balancer processor time per packet').prefault('2us'),
  bufferPackets: int(1, 1_000_000).default(1000).describe('packets that can wait for the balancer processor'),
  buckets: int(1, 1_000_000).default(256).describe('buckets of the Beamer table'),
});

const detector = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('timeout') }).describe('a server silent for deadAfter is gone'),
  z.strictObject({
    kind: z.literal('probe'),
    probes: int(1, 20).default(3).describe('direct probes over the back-end LAN before a suspected server is forgotten'),
    probeTimeout: duration('wait this long for each probe\'s answer', true).prefault('1ms'),
  }).describe('a server silent for deadAfter is suspected (no new connections) and probed directly; only unanswered probes make it gone'),
  z.strictObject({
    kind: z.literal('phi'),
    threshold: z.number().positive().default(8).describe('suspicion level phi at which a server is gone (8: a 1e-8 chance a live one is this late)'),
    minStd: duration('smallest standard deviation of report gaps the detector assumes', true).prefault('500us'),
    window: int(2, 10_000).default(100).describe('report gaps remembered per server'),
    acceptablePause: duration('grace beyond the mean report gap before suspicion grows').prefault('10ms'),
  }).describe('phi-accrual: the silence is judged against each server\'s own report gaps'),
]);

const exchange = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('all-to-all') }).describe('each period every server broadcasts its report to every peer: n(n-1) deliveries a period'),
  z.strictObject({
    kind: z.literal('scaled-period'),
    referenceServers: int(1, 1_000_000).default(24).describe('cluster size at which the period is `period`; beyond it the period grows as servers / referenceServers'),
  }).describe('every server broadcasts to every peer, with a period that grows with the cluster so the third LAN carries what it did at the reference size'),
  z.strictObject({
    kind: z.literal('sampled'),
    fanout: int(1, 1_000_000).default(2).describe('peers each report goes to (unicast), the next ones of a round through all peers that the sender shuffles afresh each round'),
    freshPeriods: z.number().positive().default(3).describe('a peer is a candidate for new connections only while its last report is younger than this many periods'),
  }).describe('gossip: each period a report goes to a few peers in a shuffled round, and a device places connections among the peers it heard from lately (power-of-d-choices)'),
]);

const reports = z.strictObject({
  period: duration('how often each server reports its load over the third LAN', true).prefault('10ms'),
  size: size('payload of a load report').prefault('64B'),
  deadAfter: duration('silence after which a server is suspected (probe), gone (timeout), or the phi bound before its gaps are known', true).prefault('35ms'),
  detector: detector.prefault({ kind: 'probe' }).describe('how a first device decides that a server is gone'),
  exchange: exchange.prefault({ kind: 'all-to-all' }).describe('who each report goes to; the detector\'s silence bounds stretch with the gap between two reports of one server at one peer'),
});

const clusterFields = {
  design: z.enum(DESIGNS).default('nic-forward').describe('which architecture runs on the site'),
  nic: nic.prefault({}),
  balancer: balancer.prefault({}),
  reports: reports.prefault({}),
  standby: z.array(id).default([]).describe('servers that start down and join later (with a join fault)'),
  warmArp: z.boolean().default(true).describe('start with first-LAN ARP caches filled between servers, edge and balancer'),
};

const serverOptions = {
  cores: int(1, 1024).default(1).describe('CPU cores of each server'),
  serviceTime: timeDist().prefault('1ms').describe('CPU time per request'),
};

// ------------------------------------------------------------ network: site

const segmentKind = z.enum(['hub', 'l2-switch']);
export const siteSchema = z.strictObject({
  ...clusterFields,
  servers: int(1, 65_000).default(8),
  clients: int(1, 1_000_000).default(40),
  firstLan: z.strictObject({
    kind: z.enum(['hub', 'l2-switch', 'l3-switch']).default('l2-switch').describe('a hub with a router, an L2 switch behind a router, or an L3 switch'),
    ...linkOptions('1Gbps', '500ns', 1000).shape,
  }).prefault({}),
  secondLan: z.strictObject({ kind: segmentKind.default('l2-switch'), ...linkOptions('1Gbps', '500ns', 1000).shape }).prefault({}),
  thirdLan: z.strictObject({ kind: segmentKind.default('l2-switch'), ...linkOptions('100Mbps', '500ns').shape }).prefault({}),
  clientLink: linkOptions('100Mbps', '1ms').prefault({}),
  siteLink: linkOptions('10Gbps', '100us', 1000).prefault({}),
  internet: internet.prefault({ delay: '10ms', jitter: '1ms', jitterKind: 'uniform' }),
  server: z.strictObject(serverOptions).prefault({}),
});
export type SiteInput = z.input<typeof siteSchema>;
export type Site = z.output<typeof siteSchema>;

// ------------------------------------------------------------ network: graph

const group = { count: int(1, 1_000_000).optional().describe('this node stands for `count` nodes named <id>0 ... <id>(count-1)') };
const segment = {
  lan: z.enum(LAN_ROLES).optional().describe('which of the cluster\'s LANs this segment is'),
  subnet: cidr.optional().describe('the segment\'s subnet (absent: one is chosen)'),
};
const nodeSchema = z.discriminatedUnion('kind', [
  z.strictObject({ id, kind: z.literal('client'), ...group }),
  z.strictObject({ id, kind: z.literal('host'), ...group }),
  z.strictObject({ id, kind: z.literal('server'), ...group, ...serverOptions }),
  z.strictObject({ id, kind: z.literal('router') }),
  z.strictObject({ id, kind: z.literal('balancer') }),
  z.strictObject({ id, kind: z.literal('internet'), ...internet.shape }),
  z.strictObject({ id, kind: z.literal('hub'), rate: rate('the shared medium\'s rate'), delay: duration('the shared medium\'s delay'), ...segment }),
  z.strictObject({ id, kind: z.literal('l2-switch'), ...segment }),
  z.strictObject({ id, kind: z.literal('l3-switch'), ...segment }),
]);
export type GraphNode = z.output<typeof nodeSchema>;

const linkSchema = z.strictObject({
  a: id.describe('node id (or group id) at one end'),
  b: id.describe('node id at the other end'),
  rate: rate('line rate (links to a hub take the hub\'s)').optional(),
  delay: duration('propagation delay (links to a hub take the hub\'s)').optional(),
  queuePackets: queuePackets.default(100),
  loss: probability('point-to-point links: probability that a frame is lost on arrival, at either end (ns-3\'s RateErrorModel on both devices)').default(0),
  subnet: cidr.optional().describe('a point-to-point link\'s subnet; a group\'s links take consecutive /30s from it'),
});
export type GraphLink = z.output<typeof linkSchema>;

export const clusterSchema = z.strictObject(clusterFields);
export type ClusterSpec = z.output<typeof clusterSchema>;

export const graphSchema = z.strictObject({
  nodes: z.array(nodeSchema).min(1),
  links: z.array(linkSchema).default([]),
  cluster: clusterSchema.optional().describe('the cluster running on this network (absent: a plain network)'),
});
export type GraphInput = z.input<typeof graphSchema>;
export type Graph = z.output<typeof graphSchema>;

const networkSchema = z.strictObject({
  site: siteSchema.optional().describe('the cluster template: expands to clients, the Internet, an edge, three LANs and servers'),
  nodes: z.array(nodeSchema).min(1).optional(),
  links: z.array(linkSchema).optional(),
  cluster: clusterSchema.optional(),
}).superRefine((n, ctx) => {
  if (n.site === undefined && n.nodes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'a network is either a "site" or a graph of "nodes" and "links"; it has neither' });
  }
  if (n.site !== undefined) {
    for (const k of ['nodes', 'links', 'cluster'] as const) {
      if (n[k] !== undefined) ctx.addIssue({ code: 'custom', path: [k], message: `a network with a "site" cannot also have "${k}" (the site expands to its own graph)` });
    }
  }
});

// ------------------------------------------------------------ traffic control

const quota = int(1, 65535).optional().describe('packets one run of the disc may hand to the device (QueueDisc::Quota, 64)');
const codelFields = {
  target: duration('CoDel target sojourn time (CoDelQueueDisc::Target)', true).prefault('5ms'),
  interval: duration('CoDel interval (CoDelQueueDisc::Interval)', true).prefault('100ms'),
  minBytes: int(0, 1 << 30).default(1500).describe('bytes that must stay queued for CoDel to drop (MinBytes)'),
};
/**
 * The root queue disc on every IP device with a flow-controlled queue (not
 * bridge ports), with ns-3 3.37's defaults: FqCoDel, as
 * Ipv4AddressHelper::Assign installs it; "none" sends packets straight to the
 * device queue (ns-3's TrafficControlHelper::Uninstall, the anchors' --qdisc=none).
 */
export const trafficControlSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('fq-codel'),
    flows: int(1, 65536).default(1024).describe('flow queues (FqCoDelQueueDisc::Flows)'),
    quantumBytes: int(0, 1 << 20).default(0).describe('DRR quantum, bytes (0: the device MTU)'),
    dropBatchSize: int(1, 65536).default(64).describe('most packets dropped from the fattest flow at once (DropBatchSize)'),
    limitPackets: int(1, 10_000_000).default(10240).describe('packets held before the fattest flow loses some (MaxSize)'),
    ...codelFields,
    perturbation: int(0, 2 ** 32 - 1).default(0).describe('salt of the flow hash (Perturbation)'),
    setAssociativeHash: z.boolean().default(false).describe('set-associative hashing (EnableSetAssociativeHash)'),
    setWays: int(1, 1024).default(8).describe('queues per set when set-associative (SetWays)'),
    quota,
  }),
  z.strictObject({
    kind: z.literal('codel'), ...codelFields,
    limitBytes: int(1, 1 << 30).optional().describe('limit in bytes (1,500,000 when no limitPackets)'),
    limitPackets: int(1, 10_000_000).optional().describe('limit in packets instead of bytes'),
    quota,
  }),
  z.strictObject({ kind: z.literal('pfifo-fast'), limitPackets: int(1, 10_000_000).default(1000).describe('packets in all three bands'), quota }),
  z.strictObject({ kind: z.literal('none') }),
]);
export type TrafficControlSpec = z.output<typeof trafficControlSchema>;

// ------------------------------------------------------------ TCP

export const cubicSchema = z.strictObject({
  beta: z.number().gt(0).lt(1).default(0.7).describe('multiplicative decrease factor (TcpCubic::Beta)'),
  c: z.number().positive().default(0.4).describe('cubic scaling constant (TcpCubic::C)'),
  fastConvergence: z.boolean().default(true).describe('release bandwidth faster after repeated losses (TcpCubic::FastConvergence)'),
  hystart: z.boolean().default(true).describe('hybrid slow start (TcpCubic::HyStart)'),
  hystartLowWindow: int(2, 65535).default(16).describe('window, in segments, from which HyStart looks for the exit (TcpCubic::HyStartLowWindow)'),
  hystartDetect: z.enum(['train', 'delay', 'both']).default('both').describe('HyStart detection: ACK train, delay increase or both (TcpCubic::HyStartDetect)'),
  hystartMinSamples: int(1, 255).default(8).describe('RTT samples per round before the delay test (TcpCubic::HyStartMinSamples)'),
  hystartAckDelta: duration('spacing of ACKs that form a train', true).prefault('2ms'),
  hystartDelayMin: duration('lower clamp of the delay threshold', true).prefault('4ms'),
  hystartDelayMax: duration('upper clamp of the delay threshold', true).prefault('1000ms'),
  cubicDelta: duration('RTT samples ignored this long after a window reduction', true).prefault('10ms'),
  cntClamp: int(1, 255).default(20).describe('ACKs per segment of growth before the first loss (TcpCubic::CntClamp)'),
});

/** TCP of every host, with ns-3 3.37's defaults (attribute names in the descriptions). */
export const tcpSchema = z.strictObject({
  congestionControl: z.enum(['cubic', 'newreno']).default('cubic').describe('congestion control (ns-3 TcpL4Protocol::SocketType: TcpCubic, TcpNewReno)'),
  recovery: z.enum(['prr', 'classic']).default('prr').describe('fast-recovery window (TcpL4Protocol::RecoveryType: TcpPrrRecovery, TcpClassicRecovery)'),
  cubic: cubicSchema.prefault({}),
  segmentSize: size('payload bytes per segment (TcpSocket::SegmentSize)').prefault('536B'),
  initialCwnd: int(1, 65535).default(10).describe('initial window in segments (TcpSocket::InitialCwnd)'),
  initialSsThresh: size('initial slow-start threshold (TcpSocket::InitialSlowStartThreshold; default unbounded)').optional(),
  sendBuffer: size('send buffer (TcpSocket::SndBufSize)').prefault('131072B'),
  receiveBuffer: size('receive buffer, which sets the advertised window (TcpSocket::RcvBufSize)').prefault('131072B'),
  sack: z.boolean().default(true).describe('selective acknowledgements, RFC 2018/6675 (TcpSocketBase::Sack)'),
  windowScaling: z.boolean().default(true).describe('window scale option, RFC 7323 (TcpSocketBase::WindowScaling)'),
  timestamps: z.boolean().default(true).describe('timestamps option, RFC 7323 (TcpSocketBase::Timestamp)'),
  limitedTransmit: z.boolean().default(true).describe('limited transmit, RFC 3042 (TcpSocketBase::LimitedTransmit)'),
  noDelay: z.boolean().default(true).describe('disable Nagle\'s algorithm (TcpSocket::TcpNoDelay)'),
  initialRtt: duration('RTT estimate before the first sample (RttEstimator::InitialEstimation)', true).prefault('1s'),
  minRto: duration('lower bound of the retransmission timeout (TcpSocketBase::MinRto)', true).prefault('1s'),
  clockGranularity: duration('clock granularity in the RTO (TcpSocketBase::ClockGranularity)', true).prefault('1ms'),
  connTimeout: duration('first SYN retransmission timeout, doubling (TcpSocket::ConnTimeout)', true).prefault('3s'),
  synRetries: int(1, 100).default(6).describe('SYN transmissions before giving up (TcpSocket::ConnCount)'),
  dataRetries: int(0, 100).default(6).describe('retransmission timeouts of data before the connection is abandoned (TcpSocket::DataRetries)'),
  delayedAckCount: int(1, 1000).default(2).describe('acknowledge every n-th in-order segment (TcpSocket::DelAckCount; 1: every segment)'),
  delayedAckTimeout: duration('delayed-ACK timeout (TcpSocket::DelAckTimeout)', true).prefault('200ms'),
  persistTimeout: duration('first zero-window probe (TcpSocket::PersistTimeout)', true).prefault('6s'),
  timeWait: duration('time spent in TIME_WAIT (ns-3: 2 MSL = 240s)', true).prefault('1s'),
});
export type TcpSpec = z.output<typeof tcpSchema>;

// ------------------------------------------------------------ workload

const arrival = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('poisson'), meanInterval: duration('mean gap between one client\'s requests', true).prefault('100ms') }),
  z.strictObject({ kind: z.literal('closed-loop'), think: timeDist().prefault('0s').describe('pause before each request') }),
  z.strictObject({
    kind: z.literal('trace'),
    csv: z.string().min(1).optional().describe('CSV file (relative to the scenario): time_s,client,request_bytes,response_bytes'),
    pcap: z.string().min(1).optional().describe('pcap file (relative to the scenario) whose client SYNs start the requests'),
  }),
]);

export const workloadSchema = z.strictObject({
  transport: z.enum(['tcp', 'udp']).default('tcp'),
  clients: z.array(id).optional().describe('nodes (or groups) that issue requests (absent: every client)'),
  servers: z.array(id).optional().describe('nodes the clients send to (absent: the cluster\'s service address, or every server)'),
  port: int(1, 65535).optional().describe('service port (absent: 80 for TCP, 9 for UDP)'),
  requestsPerClient: int(0, 100_000_000).default(10),
  arrival: arrival.prefault({ kind: 'poisson' }),
  requestSize: sizeDist().prefault('300B'),
  responseSize: sizeDist().prefault('20kB'),
  requestsPerConnection: int(1, 1_000_000).default(1).describe('TCP: requests one connection carries, one after another'),
  serverClose: z.enum(['after-client', 'after-response']).default('after-client').describe('TCP: a server closes once the client has closed (keep-alive), or right after its response (HTTP/1.0, ns-3\'s tcp_bench)'),
  deadline: duration('TCP: a request still unanswered this long after it was issued fails and its connection is reset (absent: wait for ever)', true).optional(),
  start: duration('when the clients start').prefault('0s'),
});
export type Workload = z.output<typeof workloadSchema>;

// ------------------------------------------------------------ faults, stop, measure

const at = duration('when it happens');
const faultSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('crash'), at, node: id }),
  z.strictObject({ kind: z.literal('join'), at, node: id }),
  z.strictObject({ kind: z.literal('link-down'), at, node: id, lan: z.enum(LAN_ROLES).optional(), peer: id.optional() }),
  z.strictObject({ kind: z.literal('link-up'), at, node: id, lan: z.enum(LAN_ROLES).optional(), peer: id.optional() }),
  z.strictObject({
    kind: z.literal('cpu-load'), at, node: id,
    jobs: int(1, 1_000_000).describe('jobs put on the node\'s CPU at once'),
    jobTime: duration('CPU time of each job', true),
  }),
]);
export type FaultSpec = z.output<typeof faultSchema>;

const stopSchema = z.strictObject({
  at: duration('stop at this simulated time at the latest', true).optional(),
  requests: int(1, 1_000_000_000).optional().describe('stop as soon as this many requests have ended (the rest are reported unfinished)'),
  drain: duration('once every request is issued, wait at most this long for them to end and their connections to close').prefault('30s'),
  maxEvents: int(1, Number.MAX_SAFE_INTEGER).optional().describe('event budget: stop after this many events'),
});

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().optional(),
  description: z.string().optional().describe('what this scenario shows'),
  seed: int(0, 2 ** 31 - 1).default(1),
  runs: int(1, 10_000).default(1).describe('independent replications (run numbers 1..runs)'),
  network: networkSchema,
  trafficControl: trafficControlSchema.prefault({ kind: 'fq-codel' }).describe('the root queue disc of every IP device (ns-3 3.37: FqCoDel)'),
  tcp: tcpSchema.prefault({}),
  workload: workloadSchema.prefault({}),
  faults: z.array(faultSchema).default([]),
  stop: stopSchema.prefault({}),
  measure: z.array(z.enum(METRIC_NAMES)).optional().describe('metrics in the summary (absent: the standard set)'),
});
export type ScenarioInput = z.input<typeof scenarioSchema>;
export type ScenarioSpec = z.output<typeof scenarioSchema>;

/** The JSON Schema of the scenario format (what `netsim schema` prints). */
export function scenarioJsonSchema(): Record<string, unknown> {
  const s = z.toJSONSchema(scenarioSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...s, $id: 'https://netsim.dev/scenario.schema.json', title: 'netsim scenario' };
}
