import { connect, createServer, type Server, type Socket } from 'node:net';

/** A TCP relay to PostgreSQL that a test can cut or silence, as a network or a server going away. */
export interface TcpProxy {
  /** The database URL, pointed at the proxy. */
  readonly url: string;
  /** Closes every relayed connection and stops listening, so new connections are refused. */
  cut(): Promise<void>;
  /**
   * Keeps accepting connections but forwards nothing either way, like a network that silently drops
   * packets: no error, no answer.
   */
  blackHole(): void;
  /**
   * Forwards again. Connections that lost bytes in the black hole are closed, as TCP would give up on
   * them; after a cut the proxy listens on the same port again.
   */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1 to the host and port of `targetUrl`. */
export async function startTcpProxy(targetUrl: string): Promise<TcpProxy> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  let mode: 'forward' | 'black-hole' | 'cut' = 'forward';
  const sockets = new Set<Socket>();

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  };
  const destroyAll = () => {
    for (const socket of sockets) socket.destroy();
  };

  const relay = (client: Socket) => {
    track(client);
    if (mode !== 'forward') {
      // Read and drop: the peer's writes succeed and nothing ever comes back.
      client.resume();
      return;
    }
    const upstream = connect(targetPort, target.hostname);
    track(upstream);
    client.on('data', (chunk) => {
      if (mode === 'forward') upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      if (mode === 'forward') client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  };

  const listen = (server: Server, port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
  const stop = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      destroyAll();
    });

  let server = createServer(relay);
  await listen(server, 0);
  const port = (server.address() as { port: number }).port;
  const url = new URL(targetUrl);
  url.host = `127.0.0.1:${port}`;

  return {
    url: url.toString(),
    async cut() {
      mode = 'cut';
      await stop(server);
    },
    blackHole() {
      mode = 'black-hole';
    },
    async restore() {
      if (mode === 'cut') {
        server = createServer(relay);
        await listen(server, port);
      } else {
        destroyAll();
      }
      mode = 'forward';
    },
    async close() {
      mode = 'cut';
      if (server.listening) await stop(server);
      destroyAll();
    },
  };
}
