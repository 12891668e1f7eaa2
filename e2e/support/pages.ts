import type { AccountKey } from './accounts';

/**
 * The pages every layout check (banners, skip link, navigation, axe) runs on.
 * Add a page here when it is added to Cordon; journeys through it go in
 * tests/<feature>.spec.ts.
 */
export interface AppPage {
  /** A short name for test titles. */
  name: string;
  path: string;
  /** Visit the page signed in as this demo account (see support/accounts.ts); signed out when absent. */
  as?: AccountKey;
  /** The page's <h1>. */
  heading: string | RegExp;
  /** The label of the "Main" navigation link marked aria-current="page", if any. */
  navCurrent?: string;
  /** The protective marking both banners must show (a pattern: the same in both). */
  marking: string | RegExp;
}

/** Any protective marking Cordon shows. */
export const ANY_MARKING = /^(OFFICIAL|OFFICIAL-SENSITIVE|SECRET)$/;

export const PAGES: AppPage[] = [
  {
    name: 'home',
    path: '/',
    heading: 'Counter-terrorism protective security planning',
    navCurrent: 'Home',
    marking: 'OFFICIAL',
  },
  {
    name: 'home, signed in',
    path: '/',
    as: 'gold',
    heading: /^Your work/,
    navCurrent: 'Home',
    marking: ANY_MARKING,
  },
  {
    name: 'home of a partner',
    path: '/',
    as: 'staff',
    heading: /^Your work/,
    navCurrent: 'Home',
    marking: ANY_MARKING,
  },
  {
    name: 'notifications',
    path: '/notifications',
    as: 'gold',
    heading: 'Notifications',
    marking: ANY_MARKING,
  },
  {
    name: 'threat levels',
    path: '/threat-levels',
    heading: 'Threat levels',
    navCurrent: 'Threat levels',
    marking: 'OFFICIAL',
  },
  {
    name: 'sign-in',
    path: '/sign-in',
    heading: 'Sign in',
    marking: 'OFFICIAL',
  },
  {
    name: 'account',
    path: '/account',
    as: 'secco',
    heading: 'Your account',
    navCurrent: 'Account',
    marking: 'OFFICIAL',
  },
  {
    name: 'events',
    path: '/events',
    as: 'secco',
    heading: 'Events and operations',
    navCurrent: 'Events',
    // The highest marking of the events listed; other journeys add events.
    marking: ANY_MARKING,
  },
  {
    name: 'new event',
    path: '/events/new',
    as: 'secco',
    heading: 'Create an event',
    navCurrent: 'Events',
    marking: 'OFFICIAL',
  },
  {
    name: 'advice and reviews',
    path: '/advice',
    as: 'secco',
    heading: 'Security advice and reviews',
    navCurrent: 'Advice',
    marking: ANY_MARKING,
  },
  {
    name: 'SECO dashboard',
    path: '/seco',
    as: 'ctsu',
    heading: 'Security coordinators (SECO)',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'SECO roster',
    path: '/seco/roster',
    as: 'ctsu',
    heading: 'Roster of security coordinators',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'new SECO coordinator',
    path: '/seco/roster/new',
    as: 'ctsu',
    heading: 'Add a coordinator to the roster',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'new SECO request',
    path: '/seco/requests/new',
    as: 'secco',
    heading: 'Ask for a security coordinator (SECO)',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'new SECO vacancy',
    path: '/seco/vacancies/new',
    as: 'ctsu',
    heading: 'Open a vacancy for a SECO',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'SECO settings',
    path: '/seco/settings',
    as: 'ctsu',
    heading: 'SECO settings',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'policy records',
    path: '/policies',
    as: 'ctsu',
    heading: 'Policy records',
    navCurrent: 'SECO',
    marking: 'OFFICIAL',
  },
  {
    name: 'security considerations',
    path: '/advice/considerations',
    as: 'secco',
    heading: 'Security considerations',
    navCurrent: 'Advice',
    marking: 'OFFICIAL',
  },
  {
    name: 'new security advice',
    path: '/advice/new',
    as: 'secco',
    heading: 'Record a request for security advice',
    navCurrent: 'Advice',
    marking: 'OFFICIAL',
  },
  {
    name: "Martyn's Law self-check",
    path: '/martyns-law',
    heading: "Martyn's Law self-check",
    navCurrent: "Martyn's Law",
    marking: 'OFFICIAL',
  },
  {
    name: 'sector guidance',
    path: '/martyns-law/sectors/night_time_economy',
    heading: 'Night-time economy',
    navCurrent: "Martyn's Law",
    marking: 'OFFICIAL',
  },
  {
    name: 'crowded places',
    path: '/places',
    as: 'ctsa',
    heading: 'Crowded places',
    navCurrent: 'Crowded places',
    marking: 'OFFICIAL',
  },
  {
    name: 'import crowded places',
    path: '/places/import',
    as: 'ctsa',
    heading: 'Import crowded places',
    navCurrent: 'Crowded places',
    marking: 'OFFICIAL',
  },
  {
    name: 'advisers',
    path: '/advisers',
    as: 'ctsa',
    heading: 'Advisers',
    navCurrent: 'Crowded places',
    marking: 'OFFICIAL',
  },
  {
    name: 'allocation runs',
    path: '/allocation',
    as: 'staff',
    heading: 'Adviser allocation runs',
    navCurrent: 'Crowded places',
    marking: 'OFFICIAL',
  },
  {
    name: 'police estate',
    path: '/sites',
    as: 'estates',
    heading: 'Police estate',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'new site',
    path: '/sites/new',
    as: 'estates',
    heading: 'Add a site',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'import sites',
    path: '/sites/import',
    as: 'estates',
    heading: 'Import sites',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'acknowledgements across the estate',
    path: '/estate/acknowledgements',
    as: 'estates',
    heading: 'Who has acknowledged across the estate',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'send reminders across the estate',
    path: '/estate/reminders',
    as: 'estates',
    heading: 'Send reminders to everyone across the estate?',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'menu of options',
    path: '/estate/options',
    as: 'estates',
    heading: 'Menu of options',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL-SENSITIVE',
  },
  {
    name: 'resource implications',
    path: '/estate/resource-implications',
    as: 'estates',
    heading: 'Resource implications of EXCEPTIONAL',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL-SENSITIVE',
  },
  {
    name: 'move to critical',
    path: '/estate/critical',
    as: 'estates',
    heading: 'Move to critical',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL-SENSITIVE',
  },
  {
    name: 'change the move-to-critical plan',
    path: '/estate/critical/change',
    as: 'estates',
    heading: 'The move-to-critical plan',
    navCurrent: 'Police estate',
    marking: 'OFFICIAL-SENSITIVE',
  },
  {
    name: 'estate policy',
    path: '/policies/estate-security-levels',
    as: 'estates',
    heading: 'Security levels for the police estate',
    marking: 'OFFICIAL',
  },
  {
    name: 'administration',
    path: '/admin',
    as: 'admin',
    heading: 'Administration',
    navCurrent: 'Administration',
    marking: 'OFFICIAL',
  },
];

/** The five UK threat levels, lowest first. */
export const THREAT_LEVELS = ['LOW', 'MODERATE', 'SUBSTANTIAL', 'SEVERE', 'CRITICAL'] as const;
export const THREAT_LEVEL_RE = new RegExp(`^(${THREAT_LEVELS.join('|')})$`);
