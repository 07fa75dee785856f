import { applyTlpRule } from './tlp-rule.js';

const base = { reportingState: 'BY', affectedStates: ['KZ'], matched: ['RU', 'AM', 'KZ', 'BY'] };

describe('applyTlpRule', () => {
  it.each(['TLP:RED', 'TLP:AMBER+STRICT'])(
    '%s dispatches only affectedStates and lists other matches as suggested',
    (tlp) => {
      expect(applyTlpRule({ ...base, tlp })).toEqual({
        dispatchedTo: ['KZ'],
        suggested: ['AM', 'RU'],
      });
    },
  );

  it.each(['TLP:GREEN', 'TLP:CLEAR', 'TLP:AMBER'])('%s dispatches every concerned state', (tlp) => {
    expect(applyTlpRule({ ...base, tlp })).toEqual({
      dispatchedTo: ['AM', 'KZ', 'RU'],
      suggested: [],
    });
  });

  it('never dispatches or suggests the reporting state, even when named as affected', () => {
    for (const tlp of ['TLP:RED', 'TLP:GREEN']) {
      const d = applyTlpRule({
        reportingState: 'BY',
        affectedStates: ['BY', 'TJ'],
        matched: ['BY'],
        tlp,
      });
      expect(d).toEqual({ dispatchedTo: ['TJ'], suggested: [] });
    }
  });

  it('keeps the lists disjoint and free of duplicates', () => {
    const d = applyTlpRule({
      reportingState: 'AM',
      affectedStates: ['RU', 'RU'],
      matched: new Set(['RU', 'KG']),
      tlp: 'TLP:RED',
    });
    expect(d).toEqual({ dispatchedTo: ['RU'], suggested: ['KG'] });
  });

  it('fails closed on a label it does not know', () => {
    expect(applyTlpRule({ ...base, tlp: 'TLP:WHITE' })).toEqual({
      dispatchedTo: ['KZ'],
      suggested: ['AM', 'RU'],
    });
  });

  it('dispatches nothing when nothing concerns anyone but the reporter', () => {
    expect(
      applyTlpRule({ reportingState: 'KG', affectedStates: [], matched: [], tlp: 'TLP:CLEAR' }),
    ).toEqual({
      dispatchedTo: [],
      suggested: [],
    });
  });
});
