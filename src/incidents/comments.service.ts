import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../audit/audit.service.js';
import { actorOf, Principal } from '../common/principal.js';
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

/**
 * Comments by anyone who sees the incident. A comment is its `commented` timeline event (the
 * body and the comment's id in its data) and its audit entry: it is read back through the
 * timeline, so it has no table of its own.
 */
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
      const commentId = randomUUID();
      const [event] = await this.timeline.add(manager, [
        { incidentId, type: 'commented', actor: author, data: { commentId, body: dto.body } },
      ]);
      await this.audit.append(manager, {
        actor: author,
        action: 'incident.commented',
        targetType: 'incident',
        targetId: incidentId,
        change: { commentId, body: dto.body },
      });
      return {
        id: commentId,
        incidentId,
        author,
        authorState: principal.state,
        body: dto.body,
        createdAt: event.at,
      };
    });
  }
}
