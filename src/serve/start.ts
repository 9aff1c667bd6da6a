import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../errors.js';
import { createStaticServer, type StaticServerOptions } from './static-server.js';

/** A listening server and the URL it answers on. */
export interface RunningServer {
  server: http.Server;
  url: string;
  /** Stop accepting connections, drop open ones, resolve when closed. */
  close(): Promise<void>;
}

/**
 * Start the static server on host:port (port 0 = any free port) and report the actual URL.
 * @throws UserError naming --port or --host when the address cannot be bound.
 */
export async function startServer(o: StaticServerOptions & { host: string; port: number }): Promise<RunningServer> {
  const server = createStaticServer(o);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => reject(listenError(err, o.host, o.port)));
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}/`,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  switch (err.code) {
    case 'EADDRINUSE':
      return new UserError(`--port ${port}: address ${host}:${port} is already in use; stop the other server or choose another port (--port 0 picks a free one)`);
    case 'EACCES':
      return new UserError(`--port ${port}: permission denied binding ${host}:${port}; use a port above 1023`);
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new UserError(`--host ${host}: not an address of this machine; use 127.0.0.1, localhost or 0.0.0.0`);
    default:
      return err;
  }
}
