import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { hashApiKey } from '../common/auth.guard.js';
import { decodeCursor, Page, toPage } from '../common/pagination.js';
import { actorOf, Principal, Role, SYSTEM_ACTOR } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  state: string | null;
  keyPrefix: string;
  createdAt: string;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  state: string | null;
  key_prefix: string;
  created_at: Date;
  revoked_at: Date | null;
}

const toView = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  state: r.state,
  keyPrefix: r.key_prefix,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

@Injectable()
export class ApiKeysService implements OnApplicationBootstrap {
  private readonly logger = new Logger(ApiKeysService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Makes CCC_BOOTSTRAP_ADMIN_KEY usable; idempotent across restarts and instances. */
  async onApplicationBootstrap() {
    const secret = this.config.bootstrapAdminKey;
    if (!secret) return;
    await this.dataSource.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO api_keys (name, role, state, key_hash, key_prefix)
         VALUES ('bootstrap-admin', 'admin', NULL, $1, $2)
         ON CONFLICT (key_hash) DO NOTHING RETURNING id`,
        [hashApiKey(secret), secret.slice(0, 8)],
      );
      if (inserted.length > 0) {
        await this.audit.append(manager, {
          actor: SYSTEM_ACTOR,
          action: 'api-key.created',
          targetType: 'api-key',
          targetId: inserted[0].id,
          change: { name: 'bootstrap-admin', role: 'admin' },
        });
        this.logger.log('Bootstrap admin key created');
      }
    });
  }

  async create(dto: CreateApiKeyDto, actor: Principal) {
    const key = `ccc_${randomBytes(32).toString('base64url')}`;
    const state = dto.role === 'analyst' ? dto.state! : null;
    return this.dataSource.transaction(async (manager) => {
      const [row]: ApiKeyRow[] = await manager.query(
        `INSERT INTO api_keys (name, role, state, key_hash, key_prefix) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, name, role, state, key_prefix, created_at, revoked_at`,
        [dto.name, dto.role, state, hashApiKey(key), key.slice(0, 12)],
      );
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'api-key.created',
        targetType: 'api-key',
        targetId: row.id,
        change: { name: dto.name, role: dto.role, state },
      });
      return { ...toView(row), key };
    });
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKeyView>> {
    const after = decodeCursor(cursor, 2);
    const rows: ApiKeyRow[] = await this.dataSource.query(
      `SELECT id, name, role, state, key_prefix, created_at, revoked_at FROM api_keys
       WHERE ($1::timestamptz IS NULL OR (created_at, id) > ($1::timestamptz, $2::uuid))
       ORDER BY created_at, id LIMIT $3`,
      [after?.[0] ?? null, after?.[1] ?? null, limit + 1],
    );
    return toPage(rows, limit, toView, (r) => [r.created_at.toISOString(), r.id]);
  }

  async revoke(id: string, actor: Principal): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const rows = await sql<{ id: string }>(
        manager,
        `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
        [id],
      );
      if (rows.length === 0) {
        const exists = await manager.query('SELECT 1 FROM api_keys WHERE id = $1', [id]);
        if (exists.length === 0) throw Problem.notFound('apiKey');
        return; // already revoked: DELETE is idempotent
      }
      await this.audit.append(manager, {
        actor: actorOf(actor),
        action: 'api-key.revoked',
        targetType: 'api-key',
        targetId: id,
        change: {},
      });
    });
  }
}
