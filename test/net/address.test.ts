import { describe, expect, it } from 'vitest';
import { formatIpv4, formatMac, inPrefix, parseCidr, parseIpv4, parseMac, prefixMask, SubnetAllocator } from '../../src/net/address';

describe('addresses', () => {
  it('round-trips IPv4 and MAC', () => {
    expect(formatIpv4(parseIpv4('10.128.3.254'))).toBe('10.128.3.254');
    expect(parseIpv4('255.255.255.255')).toBe(0xffffffff);
    expect(formatMac(parseMac('02:00:00:00:01:0a'))).toBe('02:00:00:00:01:0a');
  });
  it('handles prefixes', () => {
    expect(prefixMask(9)).toBe(0xff800000);
    expect(prefixMask(0)).toBe(0);
    expect(inPrefix(parseIpv4('10.1.2.3'), parseIpv4('10.0.0.0'), 9)).toBe(true);
    expect(inPrefix(parseIpv4('10.200.2.3'), parseIpv4('10.0.0.0'), 9)).toBe(false);
    expect(parseCidr('10.0.0.77/24')).toEqual({ network: parseIpv4('10.0.0.0'), len: 24 });
  });
  it('allocates subnets like ns-3 Ipv4AddressHelper', () => {
    const a = new SubnetAllocator('10.128.0.0', 30);
    expect(formatIpv4(a.host())).toBe('10.128.0.1');
    expect(formatIpv4(a.host())).toBe('10.128.0.2');
    expect(() => a.host()).toThrow(/no free host addresses/);
    a.newNetwork();
    expect(formatIpv4(a.host())).toBe('10.128.0.5');
  });
  it('rejects bad input with what would be valid', () => {
    expect(() => parseIpv4('10.0.0.256')).toThrow(/four numbers 0-255/);
    expect(() => parseMac('zz')).toThrow(/six hex pairs/);
    expect(() => parseCidr('10.0.0.0')).toThrow(/prefix like 10.0.0.0\/24/);
    expect(() => prefixMask(33)).toThrow(/0-32/);
  });
});

describe('Packet.cloneAs', () => {
  it('copies every header field but the id, time and ledger state', async () => {
    const { Packet } = await import('../../src/net/packet');
    const p = new Packet(1, 5);
    let v = 7;
    for (const k of Object.keys(p) as (keyof typeof p)[]) {
      const cur = p[k];
      if (typeof cur === 'number' && k !== 'id' && k !== 'createdAt') (p as unknown as Record<string, number>)[k] = v++;
      if (typeof cur === 'boolean') (p as unknown as Record<string, boolean>)[k] = true;
    }
    p.appData = { x: 1 };
    const c = p.cloneAs(99, 1000);
    expect(c.id).toBe(99);
    expect(c.createdAt).toBe(1000);
    expect(c.settled).toBe(false);
    for (const k of Object.keys(p) as (keyof typeof p)[]) {
      if (k === 'id' || k === 'createdAt' || k === 'settled' || k === 'queuedAt') continue; // queuedAt: set by the queue that holds it
      expect(c[k], String(k)).toBe(p[k]);
    }
  });
});
