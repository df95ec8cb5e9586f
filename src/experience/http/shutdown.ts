/**
 * Graceful shutdown of the HTTP edge. Once draining starts, the listener stops accepting connections, requests
 * already running finish, requests arriving on open keep-alive connections get 503 GALLEY_SHUTTING_DOWN, and
 * every response carries `Connection: close` so sockets free themselves. After the grace period any connection
 * still open is cut, then the data plane closes (draining jobs with whatever grace is left).
 */
import type { FastifyInstance } from 'fastify';
import type { DataPlane } from '../../data/dataPlane.ts';
import { GalleyError } from '../errors/errors.ts';

/** Seconds a client refused during shutdown is asked to wait (another replica will answer). */
const SHUTDOWN_RETRY_AFTER_SECONDS = 1;

/** Installs the draining hooks on the root instance; buildApp calls it before registering routes. */
export function installDraining(app: FastifyInstance): void {
  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  app.addHook('onRequest', async (_request, reply) => {
    if (!draining) return;
    reply.header('connection', 'close');
    throw new GalleyError('GALLEY_SHUTTING_DOWN', 'The server is shutting down; retry', {
      retryAfterSeconds: SHUTDOWN_RETRY_AFTER_SECONDS,
    });
  });
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
}

/**
 * Stops the HTTP edge and then the data plane within `graceMs` in total: in-flight requests may use the whole
 * budget; connections still open when it runs out are closed; the plane gets the remainder to drain jobs.
 */
export async function drainAndClose(app: FastifyInstance, plane: DataPlane, graceMs: number): Promise<void> {
  const started = Date.now();
  const cut = setTimeout(() => {
    app.log.warn({ graceMs }, 'shutdown grace period over; closing open connections');
    app.server.closeAllConnections();
  }, graceMs);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
    await plane.close(Math.max(0, graceMs - (Date.now() - started)));
  }
}
