// The "CloudTrail Hunter" output channel. A LogOutputChannel, so users pick the level and VS Code
// adds timestamps; nothing is ever written into the user's log files.

import * as vscode from 'vscode';

export type Log = vscode.LogOutputChannel;

export function createLog(): Log {
  return vscode.window.createOutputChannel('CloudTrail Hunter', { log: true });
}

/** The error's message, or its stack at debug level. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
