import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { drawPortsFromSlice, freePorts, freeStackPorts } from '../../../local/free-ports.ts';

/** The first port of the range outgoing connections take theirs from (Linux), or null. */
function ephemeralLow(): number | null {
  try {
    return Number(
      readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
    );
  } catch {
    return null;
  }
}

describe('free ports for a local stack', () => {
  it('given many requests, then the ports of one request are always all different', async () => {
    for (let round = 0; round < 50; round++) {
      const ports = await freePorts(7);
      expect(new Set(ports).size).toBe(7);
      for (const port of ports) expect(port).toBeGreaterThan(0);
    }
  });

  it('given Linux, then the ports lie below the range outgoing connections take theirs from', async () => {
    const low = ephemeralLow();
    if (low === null) return; // not Linux: any free port
    for (const port of await freePorts(20)) {
      expect(port).toBeGreaterThanOrEqual(10_000);
      expect(port).toBeLessThan(low);
    }
  });

  it('given two slices of the range, then each process draws its ports from its own', async () => {
    const low = ephemeralLow();
    if (low === null) return; // not Linux: any free port
    const size = Math.floor((low - 10_000) / 4);
    // This file's own slice (test/support/port-slice.ts), given back at the end.
    const own = drawPortsFromSlice(0, 4);
    try {
      for (const port of await freePorts(20)) expect(port - 10_000).toBeLessThan(size);
      drawPortsFromSlice(1, 4);
      for (const port of await freePorts(20)) {
        expect(port - 10_000).toBeGreaterThanOrEqual(size);
        expect(port - 10_000).toBeLessThan(2 * size);
      }
      expect(() => drawPortsFromSlice(4, 4)).toThrow('No port slice 4 of 4');
    } finally {
      drawPortsFromSlice(own.index, own.count);
    }
    // The file draws from its own slice again.
    expect(drawPortsFromSlice(own.index, own.count)).toEqual(own);
  });

  it('given a console, then the stack gets nine different ports, else eight', async () => {
    const withConsole = await freeStackPorts({ console: true });
    expect(new Set(Object.values(withConsole)).size).toBe(9);
    const without = await freeStackPorts();
    expect(without.console).toBeUndefined();
    expect(new Set(Object.values(without)).size).toBe(8);
  });
});
