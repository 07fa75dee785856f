import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
import { sql } from '../common/sql.js';
import { TimelineService } from '../timeline/timeline.service.js';
import { CreateCommentDto } from './dto/create-comment.dto.js';
import { IncidentsRepository } from './incidents.repository.js';

export interface CommentView {
  id: string;
  incidentId: string;
  author: string;
  /** The author's member state; null for the coordination center. */
  authorState: string | null;
  body: string;
  createdAt: Date;
}

/** Comments by anyone who sees the incident; they are read back through the timeline. */
@Injectable()
export class CommentsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly incidents: IncidentsRepository,
    private readonly timeline: TimelineService,
    private readonly audit: AuditService,
  ) {}

  async add(principal: Principal, incidentId: string, dto: CreateCommentDto): Promise<CommentView> {
    const author = actorOf(principal);
    return this.dataSource.transaction(async (manager) => {
      await this.incidents.findVisibleOrThrow(principal, incidentId, manager);
      const [row] = await sql<{ id: string; created_at: Date }>(
        manager,
        `INSERT INTO comments (incident_id, author, author_state, body)
         VALUES ($1, $2, $3, $4) RETURNING id, created_at`,
        [incidentId, author, principal.state, dto.body],
      );
      await this.timeline.add(manager, [
        {
          incidentId,
          type: 'commented',
          actor: author,
          data: { commentId: row.id, body: dto.body },
        },
      ]);
      await this.audit.append(manager, {
        actor: author,
        action: 'incident.commented',
        targetType: 'incident',
        targetId: incidentId,
        change: { commentId: row.id, body: dto.body },
      });
      return {
        id: row.id,
        incidentId,
        author,
        authorState: principal.state,
        body: dto.body,
        createdAt: row.created_at,
      };
    });
  }
}
