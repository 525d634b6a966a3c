/**
 * The 48 claims of the seed (`seeds/000_c60efa58d8f932f1.txt`) in short, as
 * data: the conformance suite prints them into docs/CLAIMS.md next to what it
 * measured. Method claims 25-48 mirror system claims 1-24 (25 <-> 1, ...,
 * 48 <-> 24); `parent` is the claim a dependent claim refers to.
 */

export interface ClaimText {
  n: number;
  kind: 'system' | 'method';
  /** The claim this one depends on (null: independent). */
  parent: number | null;
  /** System claim a method claim mirrors, or method claim a system claim is mirrored by. */
  mirror: number;
  short: string;
}

const SYSTEM: readonly [number | null, string][] = [
  [null, 'A first computing device receives, through a first network, a packet originating from a client; identifies the device that stores '
    + 'the data structure of the connection with the client; if it is itself, performs the operation; if it is a second device, outputs the '
    + 'packet through a second network to that device, which performs the operation, the output packet bypassing the first network.'],
  [1, 'The first computing device is a network interface card.'],
  [1, 'The first network includes a local area network.'],
  [3, 'That LAN is coupled through a global computer network to the client.'],
  [1, 'The second network includes a local area network.'],
  [1, 'The first network includes a first LAN and the second network a second LAN.'],
  [1, 'The operation is part of a software application.'],
  [7, 'The software application is a socket application.'],
  [1, 'The client addresses the packet to the first computing device, which receives it through the first network in response to the addressing.'],
  [1, 'The operation includes outputting a response packet to the client; when the second device holds the connection, the packet is output to it '
    + 'through the second network and its response packet bypasses the first computing device.'],
  [null, 'A first computing device receives, through a first LAN, a packet from a global computer network and, through a second LAN, in response '
    + 'to the packet and to a state of the first and/or a second computing device, selectively outputs it to the second device, bypassing the first LAN.'],
  [11, 'The first computing device is a network interface card.'],
  [11, 'The packet originates from a client, and the first LAN is coupled through the global computer network to the client.'],
  [11, 'The selective output is an encapsulated packet: the packet plus a reference to the data structure of the connection with the client.'],
  [14, 'The reference is included within a single header of the encapsulated packet.'],
  [11, 'The packet is selectively output to the second device for performing an operation in response to it.'],
  [16, 'The operation outputs a response packet to the client through the first LAN and the global network; that response bypasses the first computing device.'],
  [16, 'The operation is part of a software application.'],
  [18, 'The software application is a socket application.'],
  [11, 'The client addresses the packet to the first computing device, which receives it through the first LAN in response to the addressing.'],
  [11, 'The first computing device receives at least part of the state from the second computing device through a third LAN.'],
  [11, 'The first LAN includes a hub.'],
  [11, 'The first LAN includes a Layer 2 switch, coupled through a router device to the global computer network.'],
  [11, 'The first LAN includes a Layer 3 switch, coupled to the global computer network.'],
];

/** The two independent method claims, worded as the steps the device performs. */
const METHOD_INDEPENDENT: Record<number, string> = {
  25: 'A method performed by a first computing device: receiving, through a first network, a packet originating from a client; identifying the '
    + 'device that stores the data structure of the connection with the client; performing the operation if it is the first device; otherwise '
    + 'outputting the packet through a second network to the second device, which performs the operation, the output packet bypassing the first network.',
  35: 'A method performed by a first computing device: receiving, through a first LAN, a packet from a global computer network; and, through a '
    + 'second LAN, in response to the packet and to a state of the first and/or a second device, selectively outputting it to the second device, '
    + 'bypassing the first LAN.',
};

function build(): ClaimText[] {
  const out: ClaimText[] = [];
  SYSTEM.forEach(([parent, short], i) => out.push({ n: i + 1, kind: 'system', parent, mirror: i + 25, short }));
  SYSTEM.forEach(([parent, short], i) => out.push({
    n: i + 25, kind: 'method', parent: parent === null ? null : parent + 24, mirror: i + 1,
    short: METHOD_INDEPENDENT[i + 25] ?? `The method of claim ${parent! + 24}, wherein ${short[0].toLowerCase()}${short.slice(1)}`,
  }));
  return out;
}

/** All 48 claims, index n-1. */
export const CLAIMS: readonly ClaimText[] = build();

export function claim(n: number): ClaimText {
  const c = CLAIMS[n - 1];
  if (c === undefined || c.n !== n) throw new RangeError(`claim ${n} does not exist (1-48)`);
  return c;
}
