import type { Principal } from '../common/principal.js';
import type { IncidentView } from './incident-view.js';
import { incidentViewFor, SqlParams, visibleTo } from './visibility.js';

const analyst = (state: string): Principal => ({ keyId: 'k', name: 'n', role: 'analyst', state });
const coordinator: Principal = { keyId: 'k', name: 'n', role: 'coordinator', state: null };

const view = {
  id: 'i',
  reference: 'CCC-2026-000001',
  reportingState: 'BY',
  routing: { dispatchedTo: ['KZ'], suggested: ['RU'] },
} as IncidentView;

describe('visibleTo', () => {
  it('adds no condition for coordinators and admins', () => {
    const params = new SqlParams();
    expect(visibleTo(coordinator, 'i', params)).toBe('TRUE');
    expect(visibleTo({ ...coordinator, role: 'admin' }, 'i', params)).toBe('TRUE');
    expect(params.values).toEqual([]);
  });

  it('binds the analyst state after earlier parameters', () => {
    const params = new SqlParams();
    params.add('some-id');
    const predicate = visibleTo(analyst('KZ'), 'x', params);
    expect(params.values).toEqual(['some-id', 'KZ', ['TLP:GREEN', 'TLP:CLEAR']]);
    expect(predicate).toContain('x.reporting_state = $2');
    expect(predicate).toContain('x.tlp = ANY($3::text[])');
    expect(predicate).toContain('vis_d.state = $2');
  });
});

describe('incidentViewFor', () => {
  it('keeps suggested states for the coordination center and the reporting state', () => {
    expect(incidentViewFor(coordinator, view).routing.suggested).toEqual(['RU']);
    expect(incidentViewFor('CCC', view).routing.suggested).toEqual(['RU']);
    expect(incidentViewFor(analyst('BY'), view).routing.suggested).toEqual(['RU']);
  });

  it('withholds them from every other state, in answers and payloads alike', () => {
    for (const viewer of [analyst('KZ'), analyst('RU'), 'KZ', 'RU']) {
      const trimmed = incidentViewFor(viewer, view);
      expect(trimmed.routing).toEqual({ dispatchedTo: ['KZ'], suggested: [] });
    }
    expect(view.routing.suggested).toEqual(['RU']);
  });
});
