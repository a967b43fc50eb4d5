import type { INestApplicationContext } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { AppConfig } from '../../config/app-config';
import { redisOptions } from '../redis/redis-options';
import { allowedOrigins } from './handshake';

/**
 * socket.io over the Redis adapter: an emit to a socket.io room reaches the
 * sockets of that room on every API node. The pub/sub channels are keyed by
 * REDIS_KEY_PREFIX, so deployments (and test files) sharing a Redis stay apart.
 * The Redis clients are created with the first socket.io server only: a
 * `worker`-role process, which has no gateway, opens none.
 */
export class RedisIoAdapter extends IoAdapter {
  protected override readonly logger = new Logger(RedisIoAdapter.name);
  private clients: { pub: Redis; sub: Redis } | undefined;

  constructor(
    app: INestApplicationContext,
    private readonly config: AppConfig,
  ) {
    super(app);
  }

  // `any`: @nestjs/platform-socket.io types against its own copy of socket.io.
  override createIOServer(port: number, options?: any): any {
    const { pub, sub } = this.redisClients();
    return super.createIOServer(port, {
      ...options,
      // Signalling messages are a few KB (RTP parameters); a larger one closes the socket.
      maxHttpBufferSize: 64 * 1024,
      // Same origin in production; CORS_ORIGINS lets other front ends use polling.
      cors: { origin: [...allowedOrigins(this.config)], credentials: true },
      adapter: createAdapter(pub, sub, { key: `${this.config.REDIS_KEY_PREFIX}socket.io` }),
    });
  }

  override async dispose(): Promise<void> {
    const clients = this.clients;
    this.clients = undefined;
    if (!clients) return;
    await Promise.all(
      [clients.pub.quit(), clients.sub.quit()].map((p) => p.catch(() => undefined)),
    );
  }

  private redisClients(): { pub: Redis; sub: Redis } {
    if (!this.clients) {
      const make = (role: string) => {
        const client = new Redis(redisOptions(this.config.REDIS_URL));
        // ioredis reconnects by itself; readiness reports a lost Redis.
        client.on('error', (e: Error) =>
          this.logger.warn(`socket.io ${role} client: ${e.message}`),
        );
        return client;
      };
      this.clients = { pub: make('pub'), sub: make('sub') };
    }
    return this.clients;
  }
}
