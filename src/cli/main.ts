// The `cloudtrail-hunter` command: the engine for terminals and CI pipelines. main() takes its
// arguments and streams and returns the exit code, so tests drive it without spawning processes.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { displayWidth, elasticRuleUri, fileResultFromPositions, formatReport, padEnd, pathToUri, type FileResult, type InputError, type ScanReport, terminalSafe, TOOL_NAME } from '../core/report';
import { huntRule } from '../core/rules';
import { prepareRules } from '../core/scan';
import type { Rule, RuleLoadError } from '../core/types';
import { expandPaths } from '../node/files';
import { scanFiles, type PoolOptions } from '../node/pool';
import { findPackageRoot, loadBundledRules, loadRuleFolder } from '../node/ruleFiles';
import { HELP, parseArgs, type RulesArgs, type ScanArgs, UsageError } from './args';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  cwd: string;
  /** Environment variables (NO_COLOR, FORCE_COLOR); process.env when run from the command line. */
  env?: Record<string, string | undefined>;
  /** How files are scanned (default: worker threads, one per core, for inputs over 8 MiB; 1 MiB reads). */
  scanning?: Pick<PoolOptions, 'workers' | 'workerPath' | 'chunkSize' | 'inlineBelow' | 'onOutcome'>;
}

export const EXIT_CLEAN = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

/**
 * The package's version, read from its package.json at run time (importing the JSON would make tsc
 * copy package.json into out/, where it would pass for the package root).
 */
export function packageVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.join(findPackageRoot(), 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}
const PROGRAM = 'cloudtrail-hunter';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const err = (text: string): void => {
    io.stderr.write(`${PROGRAM}: ${text}\n`);
  };
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      err(`error: ${terminalSafe(e.message)}`);
      return EXIT_ERROR;
    }
    throw e;
  }
  switch (args.command) {
    case 'help':
      io.stdout.write(HELP);
      return EXIT_CLEAN;
    case 'version':
      io.stdout.write(`${PROGRAM} ${packageVersion()}\n`);
      return EXIT_CLEAN;
    case 'rules':
      return listRules(args, io, err);
    case 'scan':
      return scan(args, io, err);
  }
}

// ------------------------------------------------------------------------------------------------
// Rules

interface LoadedRules {
  rules: Rule[];
  errors: RuleLoadError[];
}

/** Bundled rules first, then each --rules folder; a later rule with the same id replaces an earlier one. */
function loadRules(args: { ruleFolders: string[]; bundledRules: boolean }, cwd: string): LoadedRules {
  const byId = new Map<string, Rule>();
  const errors: RuleLoadError[] = [];
  if (args.bundledRules) {
    try {
      for (const rule of loadBundledRules()) byId.set(rule.ruleId, rule);
    } catch (e) {
      errors.push({ file: 'bundled rules', line: 0, column: 0, message: (e as Error).message });
    }
  }
  for (const folder of args.ruleFolders) {
    const absolute = path.resolve(cwd, folder);
    if (!fs.existsSync(absolute)) {
      errors.push({ file: folder, line: 0, column: 0, message: 'no such file or folder' });
      continue;
    }
    const loaded = loadRuleFolder(absolute);
    for (const rule of loaded.rules) {
      byId.delete(rule.ruleId); // re-inserted at the end: the folder's version wins
      byId.set(rule.ruleId, rule);
    }
    // Loader errors may be Error objects, whose message is not an own enumerable property: copy by name.
    for (const e of loaded.errors) errors.push({ file: displayPath(e.file, cwd), line: e.line, column: e.column, message: String(e.message) });
  }
  return { rules: [...byId.values()], errors };
}

/** A path relative to the working folder when it lies inside it, so messages stay short and clickable. */
function displayPath(file: string, cwd: string): string {
  if (!path.isAbsolute(file)) return file;
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

function ruleErrorText(e: RuleLoadError): string {
  const where = e.line > 0 ? `${e.file}:${e.line}:${e.column}` : e.file;
  return `error: ${terminalSafe(where)}: ${terminalSafe(e.message)}`;
}

function listRules(args: RulesArgs, io: CliIo, err: (t: string) => void): number {
  const { rules, errors } = loadRules(args, io.cwd);
  for (const e of errors) err(ruleErrorText(e));
  const prepared = prepareRules(rules);
  const reasons = new Map(prepared.notEvaluated.map((n) => [n.rule.ruleId, n.reason]));
  const rows = rules.map((r) => [r.ruleId, r.severity, r.type + (r.language ? `/${r.language}` : ''), reasons.has(r.ruleId) ? 'not evaluated' : 'evaluated', r.name, displayPath(r.source, io.cwd)]);
  const header = ['RULE ID', 'SEVERITY', 'TYPE', 'STATUS', 'NAME', 'SOURCE'];
  const limits = [40, 8, 24, 13, 60, Infinity];
  const cells = rows.map((row) => row.map((v, i) => terminalSafe(v, limits[i])));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => displayWidth(c[i]))));
  const line = (c: string[]): string => c.map((v, i) => (i === c.length - 1 ? v : padEnd(v, widths[i]))).join('  ');
  const out: string[] = [];
  if (rows.length > 0) out.push(line(header), ...cells.map(line));
  const notEvaluated = rules.filter((r) => reasons.has(r.ruleId));
  if (notEvaluated.length > 0) {
    out.push('', 'Not evaluated:');
    for (const r of notEvaluated) out.push(`  ${terminalSafe(r.ruleId, 40)}  ${terminalSafe(reasons.get(r.ruleId)!, 400)}`);
  }
  if (out.length > 0) out.push('');
  out.push(`${rules.length} ${rules.length === 1 ? 'rule' : 'rules'} loaded: ${rules.length - notEvaluated.length} evaluated, ${notEvaluated.length} not evaluated${errors.length > 0 ? `, ${errors.length} ${errors.length === 1 ? 'error' : 'errors'}` : ''}`);
  io.stdout.write(out.join('\n') + '\n');
  return errors.length > 0 ? EXIT_ERROR : EXIT_CLEAN;
}

// ------------------------------------------------------------------------------------------------
// Scan

interface QueryError {
  line: number;
  column: number;
  message: string;
  /** KqlSyntaxError's message without the position (which is printed separately here). */
  shortMessage?: string;
}

function isQueryError(e: unknown): e is Error & QueryError {
  return e instanceof Error && typeof (e as Partial<QueryError>).line === 'number' && typeof (e as Partial<QueryError>).column === 'number';
}

/** Code units of a long query line shown on each side of the error (a 1 MB query is not printed whole). */
const QUERY_CONTEXT = 60;

const isLowSurrogate = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/** The query line that is wrong, with a caret under the column (both escaped the same way). */
export function queryErrorText(query: string, e: QueryError, label = '--query'): string {
  // Lines as KqlSyntaxError counts them: only \n ends a line (\r is whitespace in KQL).
  const lines = query.split('\n');
  const lineIndex = Math.min(Math.max(e.line, 1), lines.length) - 1;
  const text = lines[lineIndex] ?? '';
  const at = Math.min(Math.max(0, e.column - 1), text.length);
  let from = Math.max(0, at - QUERY_CONTEXT);
  let to = Math.min(text.length, at + QUERY_CONTEXT);
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from--; // never half a surrogate pair
  if (to < text.length && isLowSurrogate(text.charCodeAt(to))) to++;
  // Columns count UTF-16 code units; the caret goes under what is printed, escapes included.
  const before = (from > 0 ? '…' : '') + terminalSafe(text.slice(from, at));
  const shown = before + terminalSafe(text.slice(at, to)) + (to < text.length ? '…' : '');
  const caretAt = displayWidth(before);
  return `error: ${label}: line ${e.line}, column ${e.column}: ${terminalSafe(e.shortMessage ?? e.message)}\n  ${shown}\n  ${' '.repeat(caretAt)}^`;
}

function huntRules(queries: string[], err: (t: string) => void): Rule[] | undefined {
  const rules: Rule[] = [];
  let ok = true;
  queries.forEach((query, i) => {
    try {
      const rule = huntRule(query);
      if (queries.length > 1) {
        rule.ruleId = `${rule.ruleId}-${i + 1}`;
        rule.name = `${rule.name} ${i + 1}`;
      }
      rules.push(rule);
    } catch (e) {
      if (!isQueryError(e)) throw e;
      ok = false;
      err(queryErrorText(query, e, queries.length > 1 ? `--query #${i + 1}` : '--query'));
    }
  });
  return ok ? rules : undefined;
}

function useColor(args: ScanArgs, io: CliIo): boolean {
  if (args.output !== undefined) return false;
  if (args.color !== undefined) return args.color;
  const env = io.env ?? {};
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return io.stdout.isTTY === true;
}

/** The file for SARIF: relative to the working folder when inside it, else an absolute file: URI. */
function fileUri(file: string, cwd: string): string {
  const absolute = path.resolve(cwd, file);
  const rel = path.relative(cwd, absolute);
  if (rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel)) return pathToUri(rel);
  return pathToFileURL(absolute).href;
}

async function scan(args: ScanArgs, io: CliIo, err: (t: string) => void): Promise<number> {
  let failed = false;

  // A broken --query stops here: scanning without the hunt the user asked for would mislead.
  const hunts = huntRules(args.queries, err);
  if (!hunts) return EXIT_ERROR;

  const loaded = loadRules(args, io.cwd);
  for (const e of loaded.errors) {
    err(ruleErrorText(e));
    failed = true;
  }
  const rules = [...loaded.rules.filter((r) => !hunts.some((h) => h.ruleId === r.ruleId)), ...hunts];
  const ruleSet = prepareRules(rules);
  if (ruleSet.rules.length === 0) {
    err(rules.length === 0 ? 'error: no rules to run (give --rules <folder> or --query, or drop --no-bundled-rules)' : 'error: none of the loaded rules can be evaluated (see `cloudtrail-hunter rules`)');
    failed = true;
  }

  const expanded = await expandPaths(args.paths, io.cwd);
  const errors: InputError[] = expanded.errors.map((e) => ({ file: e.path, message: e.message }));
  for (const e of expanded.errors) err(`error: ${terminalSafe(e.path)}: ${terminalSafe(e.message)}`);
  if (expanded.files.length === 0 && expanded.errors.length === 0) {
    err(`error: no .json, .jsonl, .ndjson or .json.gz files found in ${args.paths.map((p) => terminalSafe(p)).join(', ')}`);
    failed = true;
  }

  // Every file streams through scanFile (on worker threads when there are several); outcomes come
  // back in the order of expanded.files whatever order they finish in.
  const outcomes = await scanFiles(expanded.files, ruleSet, { ...io.scanning, cwd: io.cwd });
  const files: FileResult[] = [];
  for (const outcome of outcomes) {
    if (outcome.error !== undefined) {
      errors.push({ file: outcome.file, message: outcome.error });
      err(`error: ${terminalSafe(outcome.file)}: ${terminalSafe(outcome.error)}`);
      continue;
    }
    const { scan: s } = outcome;
    files.push(fileResultFromPositions(s.file, s.result, s.positions, s.digests, { uri: fileUri(s.file, io.cwd), compressed: s.compressed }));
  }
  if (errors.length > 0) failed = true;

  const report: ScanReport = {
    tool: { name: TOOL_NAME, version: packageVersion() },
    rules,
    notEvaluated: ruleSet.notEvaluated,
    files,
    errors,
  };
  const text = formatReport(args.format, report, {
    color: useColor(args, io),
    quiet: args.quiet,
    cwd: io.cwd,
    // Bundled rules link to Elastic's page; a user's rule links to its own file.
    helpUri: (rule) =>
      rule.source.startsWith('bundled:') ? elasticRuleUri(rule) : rule.source === 'query' ? undefined : pathToFileURL(path.resolve(io.cwd, rule.source)).href,
  });
  if (args.output !== undefined) {
    try {
      await fs.promises.writeFile(path.resolve(io.cwd, args.output), text);
    } catch (e) {
      err(`error: cannot write ${terminalSafe(args.output)}: ${terminalSafe((e as Error).message)}`);
      return EXIT_ERROR;
    }
  } else {
    io.stdout.write(text);
  }

  if (failed) return EXIT_ERROR;
  return files.some((f) => f.result.findings.length > 0) ? EXIT_FINDINGS : EXIT_CLEAN;
}
