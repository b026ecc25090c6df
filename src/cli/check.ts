// `kubesim check [PATH...|-]`: a simulated deploy for CI. Validates like `kubesim validate`,
// applies everything to a throwaway in-memory cluster shaped as asked, runs the controllers
// on the virtual clock, and reports per workload whether it became Ready and why not, plus
// cross-object lint. Same output formats and exit codes as validate: 0 all valid and every
// workload Ready, 1 any error finding, 2 usage or I/O errors.

import type { Command } from 'commander';
import type { Program } from './root';
import { collect } from './flags/collect';
import { UsageError, checkInputs, noResources, reportOutputs, writeReports } from './validate';

interface CheckFlags {
  output: string[];
  crd: string[];
  clusterConfig?: string;
  nodes?: string;
  nodeCpu?: string;
  nodeMemory?: string;
  timeout: string;
  allowedRegistries: string[];
  assumeExists: string[];
  ignoreMissingSchemas?: boolean;
  allowEmpty?: boolean;
  strict: boolean;
  summary?: boolean;
  verbose?: boolean;
  kubernetesVersion?: string;
}

export function register(program: Command, p: Program): void {
  program
    .command('check')
    .description('Simulate a deploy of manifests on a throwaway cluster and report what would not become Ready, for CI')
    .argument('[paths...]', 'Files, directories (recursive), glob patterns, or - for standard input')
    .option('-o, --output <format[=file]>', 'Output format, repeatable: text, json, junit, tap, sarif, github; FORMAT=FILE writes to a file', collect, [])
    .option('--cluster-config <file>', 'Cluster profile YAML (nodes with cpu, memory, pods, labels, taints; timings; images)')
    .option('--nodes <n>', 'Number of nodes of the throwaway cluster (default 3)')
    .option('--node-cpu <quantity>', 'CPU of each node (default 4)')
    .option('--node-memory <quantity>', 'Memory of each node (default 8Gi)')
    .option('--timeout <duration>', 'Simulated time the cluster may run before workloads count as not ready', '10m')
    .option('--allowed-registries <r1,r2>', 'Image registries pulls may use (repeatable or comma-separated); images elsewhere fail to pull', collect, [])
    .option('--assume-exists <kind/name>', 'An object that already exists in the target cluster (KIND/NAME or KIND/NAMESPACE/NAME, repeatable)', collect, [])
    .option('--crd <path>', 'CustomResourceDefinition file or directory used to validate custom resources (repeatable)', collect, [])
    .option('--ignore-missing-schemas', 'Skip (and report as skipped) kinds with no schema instead of failing')
    .option('--allow-empty', 'Exit 0 when the inputs hold no resources')
    .option('--no-strict', 'Report unknown fields as warnings instead of errors')
    .option('--summary', 'Print only the summary lines (text output)')
    .option('--verbose', 'Also list valid resources and every workload\'s state (text output)')
    .option('--kubernetes-version <version>', 'Kubernetes version to check against, as kubeconform takes it (1.32.0, v1.32): the v1.32 API is simulated; another version is an error')
    .addHelpText('after', `
Examples:
  # Would this application deploy on a 3-node cluster of 2 CPU / 4Gi nodes?
  kubesim check k8s/ --nodes 3 --node-cpu 2 --node-memory 4Gi

  # After helm, with only the company registry reachable, SARIF for GitHub code scanning
  helm template ./chart | kubesim check - --allowed-registries registry.example.com -o text -o sarif=kubesim.sarif

  # Objects the cluster already has
  kubesim check deploy/ --assume-exists secret/db-creds --assume-exists namespace/prod -o junit=report.xml`)
    .action(p.action(async (ctx, paths: string[], flags: CheckFlags) => {
      const outputs = await reportOutputs(flags.output);
      checkInputs(paths, flags, `${p.name} check`);
      if (flags.clusterConfig && (flags.nodes !== undefined || flags.nodeCpu !== undefined || flags.nodeMemory !== undefined)) {
        throw new UsageError('--cluster-config cannot be combined with --nodes, --node-cpu or --node-memory');
      }
      let nodes: number | undefined;
      if (flags.nodes !== undefined) {
        nodes = Number(flags.nodes);
        if (!/^\d+$/.test(flags.nodes)) throw new UsageError(`invalid --nodes "${flags.nodes}": must be a non-negative integer`);
      }
      const { parseDuration } = await import('./flags/duration');
      let timeoutMs: number;
      try {
        timeoutMs = parseDuration(flags.timeout);
      } catch {
        throw new UsageError(`invalid --timeout "${flags.timeout}": use a duration such as 10m, 90s, 1h`);
      }
      if (timeoutMs <= 0) throw new UsageError('--timeout must be greater than zero');
      let clusterConfig: { text: string; file: string } | undefined;
      if (flags.clusterConfig) {
        const { readFile } = await import('node:fs/promises');
        try {
          clusterConfig = { text: await readFile(flags.clusterConfig, 'utf8'), file: flags.clusterConfig };
        } catch (e) {
          throw new UsageError(`cannot read ${flags.clusterConfig}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
        }
      }
      const stdin = paths.includes('-') || flags.crd.includes('-') ? ctx.streams.stdinText() : undefined;
      const { runCheck } = await import('../check/run-check');
      const { formatCheckReport } = await import('../check/format');
      const { countResults } = await import('../validate/report');
      const report = await runCheck(paths, {
        stdin, crds: flags.crd, ignoreMissingSchemas: flags.ignoreMissingSchemas, strict: flags.strict,
        clusterConfig, nodes, nodeCpu: flags.nodeCpu, nodeMemory: flags.nodeMemory, timeoutMs,
        allowedRegistries: flags.allowedRegistries.flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean),
        assumeExists: flags.assumeExists,
      });
      await writeReports(ctx, outputs, (format, color) => formatCheckReport(format, report, { color, verbose: flags.verbose, summaryOnly: flags.summary }));
      const c = countResults(report.results);
      if (c.resources === 0) return noResources(ctx, paths, flags.allowEmpty);
      if (c.invalid || c.errors) return 1;
      if (report.workloads.some((w) => w.state !== 'Ready' && w.state !== 'Complete')) return 1;
      return 0;
    }));
}
