import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, loadDotEnv } from '../../src/core/config/config';
import { createLogger } from '../../src/core/logger';
import { openRuntime, type Runtime } from '../../src/server';

/**
 * Common shape of the admin scripts: parse flags (--help prints usage), start the same runtime as
 * the server (without HTTP), run, close, and exit non-zero on any failure with a one-line reason.
 */
export async function runScript(
  usage: string,
  options: ParseArgsConfig['options'],
  main: (args: { values: Record<string, unknown>; positionals: string[]; runtime: Runtime }) => Promise<number>,
): Promise<void> {
  let code: number;
  try {
    const { values, positionals } = parseArgs({
      args: process.argv.slice(2),
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    loadDotEnv();
    const config = loadConfig();
    // Scripts print their own results; the log shows only errors unless LOG_LEVEL asks for more.
    const logger = createLogger({
      ...config,
      log: { level: config.log.level === 'info' ? 'error' : config.log.level },
    });
    const runtime = await openRuntime(config, { logger }).catch((err: Error) => {
      throw new Error(`could not start: ${err.message}`);
    });
    try {
      code = await main({ values, positionals, runtime });
    } finally {
      await runtime.close();
    }
  } catch (err) {
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    code = 1;
  }
  process.exit(code);
}
