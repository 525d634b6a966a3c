import { describe, expect, it } from 'vitest';
import { formatTime, parseRate, parseSize, parseTime, seconds, toSeconds, transmitTime } from '../../src/engine';

describe('time units', () => {
  it('parses times to integer nanoseconds', () => {
    expect(parseTime('5ms')).toBe(5_000_000);
    expect(parseTime('500ns')).toBe(500);
    expect(parseTime('1.5 s')).toBe(1_500_000_000);
    expect(parseTime('200us')).toBe(200_000);
    expect(seconds(10.0636e-3)).toBe(10_063_600);
    expect(toSeconds(2_500_000_000)).toBe(2.5);
  });
  it('parses rates in bits per second and sizes in bytes', () => {
    expect(parseRate('1Gbps')).toBe(1e9);
    expect(parseRate('100Mbps')).toBe(1e8);
    expect(parseRate('10 kbps')).toBe(1e4);
    expect(parseSize('64KiB')).toBe(65536);
    expect(parseSize('1500B')).toBe(1500);
    expect(parseSize('40kB')).toBe(40_000);
  });
  it('rejects bad input with a message that says what is valid', () => {
    expect(() => parseTime('5 parsecs')).toThrow(/time "5 parsecs" is not valid: expected a number followed by one of ns, us/);
    expect(() => parseTime('-5ms')).toThrow(/negative/);
    expect(() => parseRate('0Mbps')).toThrow(/greater than 0/);
    expect(() => parseRate('fast')).toThrow(/rate "fast"/);
    expect(() => parseTime('5')).toThrow(/time "5" has no unit; write it with one of ns, us/);
    expect(() => parseTime(0.01 as unknown as string)).toThrow(/must be a string with a unit, like "5ms"/);
  });
  it('computes transmit time exactly for whole-ns rates', () => {
    expect(transmitTime(100, 1e9)).toBe(800);
    expect(transmitTime(100, 1e8)).toBe(8000);
    expect(transmitTime(1, 3e9)).toBe(3); // 2.67 ns rounds up
    expect(formatTime(10_063_600)).toBe('10.0636ms');
  });
});
