/**
 * Start a built server on host:port and stop it gracefully: readiness off, no new connections, what is in
 * flight finished (idle keep-alive connections closed at once), stragglers cut after a grace period.
 */
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import type { BuiltServer } from './app.js';

/** A listening server and the URL it answers on. */
export interface RunningServer {
  url: string;
  /** Graceful stop; resolves when every connection is closed. */
  close(): Promise<void>;
}

/**
 * Listen on host:port (port 0 = any free port) and report the actual URL.
 * @param graceMs how long {@link RunningServer.close} lets in-flight requests and downloads finish.
 * @throws UserError naming --port or --host when the address cannot be bound.
 */
export async function listen(built: BuiltServer, host: string, port: number, graceMs: number): Promise<RunningServer> {
  const { app } = built;
  try {
    await app.listen({ host, port });
  } catch (err) {
    await app.close().catch(() => undefined);
    throw listenError(err as NodeJS.ErrnoException, host, port);
  }
  const addr = app.server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${shown}:${addr.port}/`,
    close: () => {
      closing ??= (async () => {
        built.setReady(false);
        built.closeBy(Date.now() + graceMs);
        const cut = setTimeout(() => app.server.closeAllConnections(), graceMs);
        try {
          await app.close();
        } finally {
          clearTimeout(cut);
        }
      })();
      return closing;
    },
  };
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UserError(
        `--port ${port}: address ${host}:${port} is already in use; stop the other server or choose another port (--port 0 picks a free one)`,
      );
    case 'EACCES':
      return new UserError(`--port ${port}: permission denied binding ${host}:${port}; use a port above 1023`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new UserError(`--host ${host}: not an address of this machine; use 127.0.0.1, localhost or 0.0.0.0`);
    default:
      return err;
  }
}
