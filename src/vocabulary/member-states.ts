/** ISO 3166-1 alpha-2 codes of the member states; 'CCC' is the coordination center. */
export const MEMBER_STATES = ['AM', 'BY', 'KZ', 'KG', 'RU', 'TJ'] as const;
export type MemberStateCode = (typeof MEMBER_STATES)[number];
export const CCC_PARTY = 'CCC';
