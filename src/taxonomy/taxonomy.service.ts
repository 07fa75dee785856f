import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import {
  DISPATCH_STATUS_LABELS,
  MEMBER_STATE_LABELS,
  RSIT_CLASS_TEXT,
  RSIT_TYPE_RU,
  SECTOR_LABELS,
  SEVERITY_LABELS,
  STATUS_LABELS,
  type Text,
  TLP_TEXT,
} from '../vocabulary/labels.js';
import { MEMBER_STATES } from '../vocabulary/member-states.js';
import { RSIT_CLASSES, RSIT_VERSION } from '../vocabulary/rsit.js';
import {
  DISPATCH_STATUSES,
  SECTORS,
  SEVERITIES,
  STATUSES,
  TLPS,
} from '../vocabulary/vocabulary.js';

interface Term {
  value: string;
  label: Text;
}

export interface Taxonomy {
  rsit: {
    version: number;
    classes: (Term & {
      description: Text;
      categories: (Term & { type: string; description: Text })[];
    })[];
  };
  tlp: (Term & { description: Text; color: string })[];
  severities: (Term & { ackDeadlineSeconds: number })[];
  sectors: Term[];
  memberStates: Term[];
  statuses: Term[];
  dispatchStatuses: Term[];
  escalation: { maxLevel: number };
}

/**
 * `GET /api/v1/taxonomy`: every word a client shows, in English and Russian, in the orders
 * the API uses (RSIT as ENISA orders it, severities most severe first, TLP most restrictive
 * first). Built once: it changes only with the code and the configuration.
 */
@Injectable()
export class TaxonomyService {
  readonly taxonomy: Taxonomy;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    const terms = <T extends string>(values: readonly T[], labels: Record<T, Text>): Term[] =>
      values.map((value) => ({ value, label: labels[value] }));
    this.taxonomy = {
      rsit: {
        version: RSIT_VERSION,
        classes: RSIT_CLASSES.map((c) => ({
          value: c.value,
          label: RSIT_CLASS_TEXT[c.value].label,
          description: RSIT_CLASS_TEXT[c.value].description,
          categories: c.types.map((t) => ({
            value: t.category,
            type: t.type,
            label: { en: t.name, ru: RSIT_TYPE_RU[t.category].label },
            description: { en: t.description, ru: RSIT_TYPE_RU[t.category].description },
          })),
        })),
      },
      tlp: TLPS.map((value) => ({
        value,
        label: { en: value, ru: value },
        description: TLP_TEXT[value].description,
        color: TLP_TEXT[value].color,
      })),
      severities: SEVERITIES.map((value) => ({
        value,
        label: SEVERITY_LABELS[value],
        ackDeadlineSeconds: config.slaAckSeconds[value],
      })),
      sectors: terms(SECTORS, SECTOR_LABELS),
      memberStates: terms(MEMBER_STATES, MEMBER_STATE_LABELS),
      statuses: terms(STATUSES, STATUS_LABELS),
      dispatchStatuses: terms(DISPATCH_STATUSES, DISPATCH_STATUS_LABELS),
      escalation: { maxLevel: config.escalationMaxLevel },
    };
  }
}
