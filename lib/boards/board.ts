/**
 * Boards (DESIGN.md, Wave 2, Boards): named groups of jobs with their own settings. A board
 * exists once it has had a job or a setting; its settings default to running freely.
 */
import * as z from 'zod/mini';
import { LIMITS } from '../config.js';
import type { CountByState } from '../states.js';

/** A board's name: 1–64 of `A-Z a-z 0-9 _ . -` (the HTTP contract's schema of it). */
export const boardName = z.string().check(z.regex(LIMITS.boardPattern, 'must be 1–64 of A-Z a-z 0-9 _ . -'));

/** The board a job belongs to when its post names none. */
export const DEFAULT_BOARD = 'default';

/** The board of a job (jobs written before boards belong to the default board). */
export function boardOf(job: { board?: string }): string {
  return job.board ?? DEFAULT_BOARD;
}

/** A board's settings, as stored and as the API shows them (without counts). */
export interface BoardSettings {
  name: string;
  /** No job of the board starts while set; posts are still accepted. */
  paused: boolean;
  /** At most this many of its jobs claimed under live leases at once; null: no limit. */
  maxRunning: number | null;
}

/** A change of settings: absent fields keep their value; `maxRunning: null` lifts the limit. */
export interface BoardPatch {
  paused?: boolean;
  maxRunning?: number | null;
}

export interface Board extends BoardSettings {
  counts: CountByState;
}

/** Settings of a board nobody has configured. */
export function defaultSettings(name: string): BoardSettings {
  return { name, paused: false, maxRunning: null };
}

/** Where board settings and names are kept. */
export interface BoardDirectory {
  /** Records that a board exists (idempotent; cheap after the first call per board and process). */
  register(name: string): Promise<void>;
  /** Every board that has had a job or a setting, sorted; always includes the default board. */
  names(): Promise<string[]>;
  /** The board's settings (defaults when it has none). */
  settings(name: string): Promise<BoardSettings>;
  /** Changes the board's settings; returns them as they now stand. */
  update(name: string, patch: BoardPatch): Promise<BoardSettings>;
}
