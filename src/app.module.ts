import { DynamicModule, Module, Type } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { ThrottlerModule, ThrottlerStorage } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { AttachmentsModule } from './attachments/attachments.module.js';
import { AuditModule } from './audit/audit.module.js';
import { BackgroundModule } from './background/background.module.js';
import { AuthGuard, RolesGuard } from './sessions/auth.guard.js';
import { ProblemFilter } from './common/problem.filter.js';
import { ApiKeyThrottlerGuard, RedisThrottlerStorage } from './redis/rate-limit.js';
import { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { dataSourceOptions } from './database/data-source.js';
import { EscalationWorkerModule } from './escalation/escalation-worker.module.js';
import { EscalationModule } from './escalation/escalation.module.js';
import { EventsModule } from './events/events.module.js';
import { HealthModule } from './health/health.module.js';
import { IncidentsWorkerModule } from './incidents/incidents-worker.module.js';
import { IncidentsModule } from './incidents/incidents.module.js';
import { ImportsWorkerModule } from './imports/imports-worker.module.js';
import { InterchangeWorkerModule } from './interchange/interchange-worker.module.js';
import { ImportsModule } from './imports/imports.module.js';
import { InterchangeModule } from './interchange/interchange.module.js';
import { MemberStatesModule } from './member-states/member-states.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { NotificationsWorkerModule } from './notifications/notifications-worker.module.js';
import { NotificationsModule } from './notifications/notifications.module.js';
import { OperationsModule } from './operations/operations.module.js';
import { QueuesModule } from './queues/queues.module.js';
import { ReportsWorkerModule } from './reports/reports-worker.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { StatsModule } from './stats/stats.module.js';
import { SecretsModule } from './secrets/secrets.module.js';
import { TaxonomyModule } from './taxonomy/taxonomy.module.js';
import { TimelineModule } from './timeline/timeline.module.js';
import { AuthModule } from './auth/auth.module.js';
import { SessionsModule } from './sessions/sessions.module.js';
import { UsersModule } from './users/users.module.js';

/** Feature modules with HTTP routes and services; used by every role. */
const FEATURES: Type[] = [
  AuditModule,
  TimelineModule,
  ApiKeysModule,
  IncidentsModule,
  NotificationsModule,
  EscalationModule,
  MemberStatesModule,
  ReportsModule,
  StatsModule,
  AttachmentsModule,
  InterchangeModule,
  ImportsModule,
  SessionsModule,
  UsersModule,
  AuthModule,
];

/** Modules that consume queues and run background loops; only in `worker` and `all`. */
const WORKERS: Type[] = [
  NotificationsWorkerModule,
  EscalationWorkerModule,
  ReportsWorkerModule,
  IncidentsWorkerModule,
  ImportsWorkerModule,
  InterchangeWorkerModule,
];

@Module({})
export class AppModule {
  static register(config: AppConfig): DynamicModule {
    const serveHttp = config.role !== 'worker';
    const runWorkers = config.role !== 'api';
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.databaseUrl, config.dbPoolSize)),
        QueuesModule,
        SecretsModule,
        BackgroundModule,
        OperationsModule,
        ...FEATURES,
        ...(runWorkers ? WORKERS : []),
        ...(serveHttp
          ? [
              HealthModule,
              MetricsModule,
              EventsModule,
              TaxonomyModule,
              ThrottlerModule.forRoot({
                throttlers: [{ name: 'default', ttl: 60_000, limit: config.rateLimitPerMinute }],
                skipIf: () => config.rateLimitPerMinute === 0,
              }),
            ]
          : []),
      ],
      providers: serveHttp
        ? [
            { provide: ThrottlerStorage, useClass: RedisThrottlerStorage },
            AuthGuard,
            { provide: APP_GUARD, useExisting: AuthGuard },
            { provide: APP_GUARD, useClass: ApiKeyThrottlerGuard },
            { provide: APP_GUARD, useClass: RolesGuard },
            { provide: APP_FILTER, useClass: ProblemFilter },
          ]
        : [],
    };
  }
}
