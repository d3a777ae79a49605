import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Lowest port tried when picking below the OS's ephemeral range. */
const FIRST_PORT = 10_000;

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for a server that must be told its port
 * before it starts (DynamoDB Local's Java). Servers that can bind port 0 themselves should.
 *
 * Where the OS tells which range it hands out for port 0 and for outgoing connections (Linux),
 * the port comes from below that range: a port the OS handed out once can be handed out again,
 * to any process, before the server binds it, and then someone else's socket holds it.
 */
export async function freePort(): Promise<number> {
  const ephemeralStart = ephemeralRangeStart();
  if (ephemeralStart !== undefined && ephemeralStart > FIRST_PORT + 1_000) {
    for (let tries = 0; tries < 50; tries++) {
      const port = FIRST_PORT + Math.floor(Math.random() * (ephemeralStart - FIRST_PORT));
      if ((await listenOn(port)) !== undefined) return port;
    }
  }
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free TCP port on 127.0.0.1');
  return port;
}

/** The first port of the OS's ephemeral range, if it says (Linux). */
function ephemeralRangeStart(): number | undefined {
  try {
    const start = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(start) ? start : undefined;
  } catch {
    return undefined;
  }
}

/** Listens on `port` (0: the OS picks) and closes again; the port, or undefined if it was taken. */
function listenOn(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => resolve(bound));
    });
  });
}
