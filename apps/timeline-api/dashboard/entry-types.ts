import { hasMessage, t, uiLocale } from './i18n.js';

/** Colour and icon of each entry type (colours pass WCAG AA as text on white). */
export interface TypeStyle {
  readonly label: string;
  readonly colour: string;
  readonly icon: string;
  readonly group: 'military' | 'diplomacy' | 'statements' | 'measures';
}

export const TYPE_STYLES: Readonly<Record<string, TypeStyle>> = {
  'readiness.raised': { label: 'Readiness raised', colour: '#b91c1c', icon: 'alert', group: 'military' },
  'deployment.announced': { label: 'Deployment announced', colour: '#c2410c', icon: 'flag', group: 'military' },
  'deployment.considered': { label: 'Deployment considered', colour: '#b45309', icon: 'flag-outline', group: 'military' },
  'troops.moved': { label: 'Troops moved', colour: '#9a3412', icon: 'move', group: 'military' },
  'military.action': { label: 'Military action', colour: '#7f1d1d', icon: 'target', group: 'military' },
  'talks.held': { label: 'Talks held', colour: '#1d4ed8', icon: 'talks', group: 'diplomacy' },
  'negotiations.updated': { label: 'Negotiations updated', colour: '#1e40af', icon: 'document', group: 'diplomacy' },
  'recognition.declared': { label: 'Recognition declared', colour: '#6d28d9', icon: 'seal', group: 'diplomacy' },
  'diplomat.expelled': { label: 'Diplomat expelled', colour: '#7e22ce', icon: 'exit', group: 'diplomacy' },
  'statement.issued': { label: 'Statement issued', colour: '#374151', icon: 'speech', group: 'statements' },
  'concern.expressed': { label: 'Concern expressed', colour: '#a16207', icon: 'warning', group: 'statements' },
  'denial.issued': { label: 'Denial issued', colour: '#4b5563', icon: 'deny', group: 'statements' },
  'sanctions.announced': { label: 'Sanctions announced', colour: '#047857', icon: 'lock', group: 'measures' },
  'emergency.declared': { label: 'Emergency declared', colour: '#be123c', icon: 'siren', group: 'measures' },
  'cyber.incident': { label: 'Cyber incident', colour: '#0e7490', icon: 'cyber', group: 'measures' },
};

const FALLBACK: TypeStyle = { label: 'Event', colour: '#4b5563', icon: 'speech', group: 'statements' };

/**
 * A type's name in the interface language; in English the API's own title when it sent one (a type
 * the dashboard does not know yet still reads right), in Ukrainian the catalogue's.
 */
export function typeLabel(type: string, apiTitle?: string): string {
  const key = `type.${type}`;
  if (uiLocale() === 'en' && apiTitle) return apiTitle;
  return hasMessage(key) ? t(key) : apiTitle || typeStyle(type).label;
}

export function typeStyle(type: string): TypeStyle {
  return TYPE_STYLES[type] ?? { ...FALLBACK, label: type };
}

/** Icon paths (24×24, stroked), hand-drawn so the page needs no icon font or third-party asset. */
export const ICON_PATHS: Readonly<Record<string, string>> = {
  alert: 'M12 3a6 6 0 0 1 6 6v4l2 3H4l2-3V9a6 6 0 0 1 6-6zM10 19a2 2 0 0 0 4 0',
  flag: 'M5 21V4M5 4h11l-2 4 2 4H5',
  'flag-outline': 'M5 21V4M5 4h11l-2 4 2 4H5M9 4v8',
  move: 'M3 12h18M17 8l4 4-4 4M7 8l-4 4 4 4',
  target: 'M12 3v4M12 17v4M3 12h4M17 12h4M12 8a4 4 0 1 1 0 8 4 4 0 0 1 0-8z',
  talks: 'M4 5h10v7H8l-4 3zM10 15h6l4 3v-9h-4',
  document: 'M7 3h7l4 4v14H7zM14 3v4h4M10 12h5M10 16h5',
  seal: 'M12 3l2.5 2 3-.5.5 3 2 2.5-2 2.5-.5 3-3-.5L12 21l-2.5-2-3 .5-.5-3-2-2.5 2-2.5.5-3 3 .5zM9 12l2 2 4-4',
  exit: 'M14 4H6v16h8M11 12h10M17 8l4 4-4 4',
  speech: 'M4 5h16v10H9l-5 4z',
  warning: 'M12 3l9 17H3zM12 10v4M12 17v.5',
  deny: 'M12 3a9 9 0 1 1 0 18 9 9 0 0 1 0-18zM5.6 5.6l12.8 12.8',
  lock: 'M6 11h12v10H6zM8 11V8a4 4 0 0 1 8 0v3',
  siren: 'M6 17a6 6 0 0 1 12 0M4 21h16M12 3v3M4.5 6.5l2 2M19.5 6.5l-2 2',
  cyber: 'M3 5h18v11H3zM8 21h8M12 16v5M7 9l2 2-2 2M11 13h4',
  pin: 'M12 21s-6-5.5-6-11a6 6 0 0 1 12 0c0 5.5-6 11-6 11zM12 8a2 2 0 1 1 0 4 2 2 0 0 1 0-4z',
};
