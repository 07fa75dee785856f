import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { hashApiKey } from '../sessions/auth.guard.js';
import { keyset, Page } from '../common/pagination.js';
import { actorOf, Principal, Role, SYSTEM_ACTOR } from '../common/principal.js';
import { Problem } from '../common/problem.js';
import { sql, SqlParams } from '../common/sql.js';
import { APP_CONFIG, AppConfig } from '../config/config.js';
import { CreateApiKeyDto } from './dto/create-api-key.dto.js';

export interface ApiKeyView {
  id: string;
  name: string;
  role: Role;
  state: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  state: string | null;
  created_at: Date;
  revoked_at: Date | null;
}

const toView = (r: ApiKeyRow): ApiKeyView => ({
  id: r.id,
  name: r.name,
  role: r.role,
  state: r.state,
  createdAt: r.created_at.toISOString(),
  revokedAt: r.revoked_at?.toISOString() ?? null,
});

/** Oldest first. */
const OLDEST_FIRST = keyset({
  name: 'api-keys',
  direction: 'asc',
  columns: [
    { sql: 'created_at', type: 'timestamp' },
    { sql: 'id', type: 'uuid' },
  ],
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
        `INSERT INTO api_keys (name, role, state, key_hash)
         VALUES ('bootstrap-admin', 'admin', NULL, $1)
         ON CONFLICT (key_hash) DO NOTHING RETURNING id`,
        [hashApiKey(secret)],
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
        `INSERT INTO api_keys (name, role, state, key_hash) VALUES ($1, $2, $3, $4)
         RETURNING id, name, role, state, created_at, revoked_at`,
        [dto.name, dto.role, state, hashApiKey(key)],
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
    const params = new SqlParams();
    const rows = await sql<ApiKeyRow>(
      this.dataSource,
      `SELECT id, name, role, state, created_at, revoked_at, ${OLDEST_FIRST.select}
         FROM api_keys WHERE ${OLDEST_FIRST.after(cursor, params)}
        ORDER BY ${OLDEST_FIRST.orderBy} LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    return OLDEST_FIRST.toPage(rows, limit, cursor, toView);
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
