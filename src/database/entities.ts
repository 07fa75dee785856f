import { ApiKey } from '../api-keys/api-key.entity.js';
import { AuditEntry } from '../audit/audit-entry.entity.js';
import { AuditHead } from '../audit/audit-head.entity.js';
import {
  Comment,
  IdempotencyKey,
  Incident,
  IncidentObservable,
  ReferenceCounter,
  TimelineEvent,
} from '../incidents/incident.entity.js';
import {
  ConstituencyAsn,
  ConstituencyCidr,
  ConstituencyDomain,
  Contact,
  MemberState,
} from '../member-states/member-state.entity.js';
import { Delivery, DeliveryAttempt, OutboxEvent } from '../notifications/outbox.entity.js';
import { Report } from '../reports/report.entity.js';
import { ConstituencyVersion } from '../routing/constituency-version.entity.js';
import { Dispatch } from '../routing/dispatch.entity.js';
import { Session } from '../sessions/session.entity.js';
import { RecoveryCode, User } from '../users/user.entity.js';

export const ENTITIES = [
  ApiKey,
  AuditEntry,
  AuditHead,
  Comment,
  ConstituencyAsn,
  ConstituencyCidr,
  ConstituencyDomain,
  ConstituencyVersion,
  Contact,
  Delivery,
  DeliveryAttempt,
  Dispatch,
  IdempotencyKey,
  Incident,
  IncidentObservable,
  MemberState,
  OutboxEvent,
  ReferenceCounter,
  Report,
  TimelineEvent,
  // People and sign-in (issue 11)
  User,
  RecoveryCode,
  Session,
];
