// Command-line parsing, by hand: a few options, no dependency, and errors that say what was wrong.

import { isReportFormat, type ReportFormat } from '../core/report';

export interface ScanArgs {
  command: 'scan';
  paths: string[];
  ruleFolders: string[];
  queries: string[];
  bundledRules: boolean;
  format: ReportFormat;
  output?: string;
  quiet: boolean;
  color?: boolean; // undefined: decide from the terminal
}

export interface RulesArgs {
  command: 'rules';
  ruleFolders: string[];
  bundledRules: boolean;
}

export type ParsedArgs = ScanArgs | RulesArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {}

export const HELP = `cloudtrail-hunter: find Elastic Security detections in AWS CloudTrail logs

Usage:
  cloudtrail-hunter scan <file or folder>... [options]
  cloudtrail-hunter rules [--rules <folder>]... [--no-bundled-rules]
  cloudtrail-hunter --help | --version

Scan options:
  --rules <folder>      also load the detection-rules TOML files under <folder> (repeatable)
  --query <KQL>         also hunt with an ad-hoc KQL query (repeatable)
  --no-bundled-rules    do not load the rules shipped with CloudTrail Hunter
  --format <format>     text (default), json, sarif or csv
  --output, -o <file>   write the report to <file> instead of standard output
  --quiet, -q           text format: print only the findings (no header, problems or summary)
  --color, --no-color   force colour on or off (default: on for a terminal, off when NO_COLOR is set)

Inputs:
  A file named on the command line is scanned whatever its name. Folders are searched recursively
  for .json, .jsonl, .ndjson and their .gz forms (hidden entries are skipped). Gzip is recognised
  from the content. S3 deliveries, JSON arrays, JSON Lines, 'aws cloudtrail lookup-events' output
  and Elasticsearch exports are all recognised from the content.

Exit status:
  0  no findings
  1  findings
  2  an error: a path that cannot be read, an invalid rule file, an invalid --query, bad usage.
     Whatever could be read is still scanned and reported.
  Broken records inside an input file (truncated JSON, stray bytes) are reported as problems with
  file:line:column but do not change the exit status: every readable record is still scanned.
`;

/** Splits `--name=value` and takes the value of an option from the next argument otherwise. */
export function parseArgs(argv: readonly string[]): ParsedArgs {
  if (argv.length === 0) throw new UsageError('no command given (try --help)');
  const rest = [...argv];
  const first = rest[0];
  if (first === '--help' || first === '-h' || first === 'help') return { command: 'help' };
  if (first === '--version' || first === '-V' || first === 'version') return { command: 'version' };
  if (first !== 'scan' && first !== 'rules') {
    throw new UsageError(first.startsWith('-') ? `unknown option ${JSON.stringify(first)} before a command (try --help)` : `unknown command ${JSON.stringify(first)} (try --help)`);
  }
  rest.shift();

  const paths: string[] = [];
  const ruleFolders: string[] = [];
  const queries: string[] = [];
  let bundledRules = true;
  let format: ReportFormat = 'text';
  let output: string | undefined;
  let quiet = false;
  let color: boolean | undefined;
  let onlyPaths = false;

  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (onlyPaths || !arg.startsWith('-') || arg === '-') {
      paths.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPaths = true;
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      if (eq > 0) return arg.slice(eq + 1);
      if (i + 1 >= rest.length) throw new UsageError(`${name} needs a value`);
      return rest[++i];
    };
    const flag = (): void => {
      if (eq > 0) throw new UsageError(`${name} takes no value`);
    };
    switch (name) {
      case '--help':
      case '-h':
        return { command: 'help' };
      case '--version':
      case '-V':
        return { command: 'version' };
      case '--rules':
        ruleFolders.push(value());
        break;
      case '--no-bundled-rules':
        flag();
        bundledRules = false;
        break;
      case '--query':
        queries.push(value());
        break;
      case '--format':
      case '-f': {
        const f = value();
        if (!isReportFormat(f)) throw new UsageError(`--format must be text, json, sarif or csv, not ${JSON.stringify(f)}`);
        format = f;
        break;
      }
      case '--output':
      case '-o':
        output = value();
        if (output === '') throw new UsageError(`${name} needs a file name`);
        break;
      case '--quiet':
      case '-q':
        flag();
        quiet = true;
        break;
      case '--color':
      case '--colour':
        flag();
        color = true;
        break;
      case '--no-color':
      case '--no-colour':
        flag();
        color = false;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(name)} (try --help)`);
    }
  }

  if (first === 'rules') {
    if (paths.length > 0) throw new UsageError(`'rules' takes no files (got ${JSON.stringify(paths[0])})`);
    if (queries.length > 0 || output !== undefined || format !== 'text') {
      throw new UsageError(`'rules' accepts only --rules and --no-bundled-rules`);
    }
    return { command: 'rules', ruleFolders, bundledRules };
  }
  if (paths.length === 0) throw new UsageError('scan needs at least one file or folder');
  return { command: 'scan', paths, ruleFolders, queries, bundledRules, format, output, quiet, color };
}
