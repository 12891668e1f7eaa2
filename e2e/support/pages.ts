/**
 * The pages every layout check (banners, skip link, navigation, axe) runs on.
 * Add a page here when it is added to Cordon; journeys through it go in
 * tests/<feature>.spec.ts.
 */
export interface AppPage {
  /** A short name for test titles. */
  name: string;
  path: string;
  /** The page's <h1>. */
  heading: string | RegExp;
  /** The label of the "Main" navigation link marked aria-current="page", if any. */
  navCurrent?: string;
  /** The protective marking both banners must show. */
  marking: string;
}

export const PAGES: AppPage[] = [
  {
    name: 'home',
    path: '/',
    heading: 'Counter-terrorism protective security planning',
    navCurrent: 'Home',
    marking: 'OFFICIAL',
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
];

/** The five UK threat levels, lowest first. */
export const THREAT_LEVELS = ['LOW', 'MODERATE', 'SUBSTANTIAL', 'SEVERE', 'CRITICAL'] as const;
export const THREAT_LEVEL_RE = new RegExp(`^(${THREAT_LEVELS.join('|')})$`);
