import { Init1795745672372 } from './1795745672372-Init.js';
import { IndexesTriggersSeed1795745673372 } from './1795745673372-IndexesTriggersSeed.js';
import { ReportIndexes1795745674372 } from './1795745674372-ReportIndexes.js';
import { AuditIndexes1795745679100 } from './1795745679100-AuditIndexes.js';
import { QueueIndexes1795745680100 } from './1795745680100-QueueIndexes.js';
import { AuditHead1795749660000 } from './1795749660000-AuditHead.js';
import { ConstituencyVersion1795749670000 } from './1795749670000-ConstituencyVersion.js';
import { SearchIndexNoPendingList1795760000000 } from './1795760000000-SearchIndexNoPendingList.js';
import { LiveEvents1795772000000 } from './1795772000000-LiveEvents.js';
import { StablePaging1795771000000 } from './1795771000000-StablePaging.js';
import { Attachments1795915269158 } from './1795915269158-Attachments.js';
import { DropApiKeyPrefix1795770300000 } from './1795770300000-DropApiKeyPrefix.js';
import { UuidDefaults1795770300100 } from './1795770300100-UuidDefaults.js';
import { DispatchEscalatedAt1795770000000 } from './1795770000000-DispatchEscalatedAt.js';
import { DropWriteOnlyData1795916194502 } from './1795916194502-DropWriteOnlyData.js';
import { People1795915954971 } from './1795915954971-People.js';
import { ListFilters1795917000000 } from './1795917000000-ListFilters.js';
import { ContactLocale1795918000000 } from './1795918000000-ContactLocale.js';
import { StixObjects1795929976049 } from './1795929976049-StixObjects.js';
import { Imports1795938715790 } from './1795938715790-Imports.js';
import { ImportsFinished1795948691701 } from './1795948691701-ImportsFinished.js';
import { StixIndexQueue1795949046531 } from './1795949046531-StixIndexQueue.js';

// Every migration, in order. Generate a new one with
// `npm run migration:generate -- src/database/migrations/Name` and add it here.
export const MIGRATIONS = [
  Init1795745672372,
  IndexesTriggersSeed1795745673372,
  ReportIndexes1795745674372,
  AuditIndexes1795745679100,
  QueueIndexes1795745680100,
  AuditHead1795749660000,
  ConstituencyVersion1795749670000,
  SearchIndexNoPendingList1795760000000,
  LiveEvents1795772000000,
  StablePaging1795771000000,
  Attachments1795915269158,
  DropApiKeyPrefix1795770300000,
  UuidDefaults1795770300100,
  DispatchEscalatedAt1795770000000,
  DropWriteOnlyData1795916194502,
  People1795915954971,
  ListFilters1795917000000,
  ContactLocale1795918000000,
  StixObjects1795929976049,
  Imports1795938715790,
  ImportsFinished1795948691701,
  StixIndexQueue1795949046531,
];
