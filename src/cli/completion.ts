// `kubesim completion bash|zsh|fish`: shell scripts that ask the hidden `kubesim __complete
// WORDS...` verb for candidates — verbs, resource types from the registry, object names
// from the selected cluster's state, namespaces, contexts.

import type { Command } from 'commander';
import { CliError } from '../api/errors';
import type { CliContext } from './context';
import type { Program } from './root';
import { declarePassThrough } from './flags/pflag';
import { kubectlHelp } from './kubectl-help';

const SCRIPTS: Record<string, string> = {
  bash: `# bash completion for kubesim; load with: source <(kubesim completion bash)
_kubesim_complete() {
    local cur="\${COMP_WORDS[COMP_CWORD]}"
    local IFS=$'\\n'
    COMPREPLY=( $(compgen -W "$(kubesim __complete -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)" -- "$cur") )
}
complete -o default -F _kubesim_complete kubesim
`,
  zsh: `#compdef kubesim
# zsh completion for kubesim; load with: source <(kubesim completion zsh)
_kubesim() {
    local -a candidates
    candidates=("\${(@f)$(kubesim __complete -- "\${(@)words[2,$CURRENT]}" 2>/dev/null)}")
    compadd -- \${candidates:#}
}
if [ "$funcstack[1]" = "_kubesim" ]; then
    _kubesim "$@"
else
    compdef _kubesim kubesim
fi
`,
  fish: `# fish completion for kubesim; load with: kubesim completion fish | source
function __kubesim_complete
    set -l tokens (commandline -opc) (commandline -ct)
    kubesim __complete -- $tokens[2..-1] 2>/dev/null
end
complete -c kubesim -f -a '(__kubesim_complete)'
`,
  powershell: `# powershell completion for kubesim; load with: kubesim completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -CommandName 'kubesim' -Native -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Select-Object -Skip 1 | ForEach-Object { $_.ToString() })
    if ($wordToComplete -eq '') { $words += '' }
    kubesim __complete -- @words 2>$null | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`,
};

/** The contexts of the kubeconfig (what --context and config use-context take). */
async function contextNames(ctx: CliContext): Promise<string[]> {
  try {
    const { configAccess, startingConfig } = await import('../kubeconfig/loader');
    return [...startingConfig(configAccess(process.env, ctx.flags.kubeconfig)).contexts.keys()].sort();
  } catch {
    return [];
  }
}

/** Verbs whose first argument is a resource type and second an object name. */
const TYPE_VERBS = new Set(['get', 'describe', 'delete', 'edit', 'label', 'annotate', 'patch', 'scale', 'explain', 'wait', 'logs', 'exec', 'rollout', 'set', 'autoscale', 'expose', 'cordon', 'uncordon', 'drain', 'taint', 'top']);
/** Verbs that take object names of one fixed type. */
const NAME_VERBS: Record<string, string> = { logs: 'pods', exec: 'pods', 'port-forward': 'pods', attach: 'pods', cordon: 'nodes', uncordon: 'nodes', drain: 'nodes' };
const VALUE_FLAGS = new Set(['-n', '--namespace', '-o', '--output', '--context', '-f', '--filename', '-l', '--selector', '-c', '--container']);
const OUTPUTS = ['json', 'yaml', 'name', 'wide', 'jsonpath=', 'custom-columns=', 'go-template='];

const COMPLETION_LONG = `Output shell completion code for the specified shell (bash, zsh, fish, or powershell). The shell code must be evaluated to provide interactive completion of kubectl commands.  This can be done by sourcing it from the .bash_profile.

 Detailed instructions on how to do this are available here:

        for macOS:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-macos/#enable-shell-autocompletion
        
        for linux:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/#enable-shell-autocompletion
        
        for windows:
        https://kubernetes.io/docs/tasks/tools/install-kubectl-windows/#enable-shell-autocompletion
        
 Note for zsh users: [1] zsh completions are only supported in versions of zsh >= 5.2.`;

const COMPLETION_EXAMPLE = `  # Installing bash completion on macOS using homebrew
  ## If running Bash 3.2 included with macOS
  brew install bash-completion
  ## or, if running Bash 4.1+
  brew install bash-completion@2
  ## If kubectl is installed via homebrew, this should start working immediately
  ## If you've installed via other means, you may need add the completion to your completion directory
  kubectl completion bash > $(brew --prefix)/etc/bash_completion.d/kubectl
  
  
  # Installing bash completion on Linux
  ## If bash-completion is not installed on Linux, install the 'bash-completion' package
  ## via your distribution's package manager.
  ## Load the kubectl completion code for bash into the current shell
  source <(kubectl completion bash)
  ## Write bash completion code to a file and source it from .bash_profile
  kubectl completion bash > ~/.kube/completion.bash.inc
  printf "
  # kubectl shell completion
  source '$HOME/.kube/completion.bash.inc'
  " >> $HOME/.bash_profile
  source $HOME/.bash_profile
  
  # Load the kubectl completion code for zsh[1] into the current shell
  source <(kubectl completion zsh)
  # Set the kubectl completion code for zsh[1] to autoload on startup
  kubectl completion zsh > "\${fpath[1]}/_kubectl"
  
  
  # Load the kubectl completion code for fish[2] into the current shell
  kubectl completion fish | source
  # To load completions for each session, execute once:
  kubectl completion fish > ~/.config/fish/completions/kubectl.fish
  
  # Load the kubectl completion code for powershell into the current shell
  kubectl completion powershell | Out-String | Invoke-Expression
  # Set kubectl completion code for powershell to run on startup
  ## Save completion code to a script and execute in the profile
  kubectl completion powershell > $HOME\\.kube\\completion.ps1
  Add-Content $PROFILE "$HOME\\.kube\\completion.ps1"
  ## Execute completion code in the profile
  Add-Content $PROFILE "if (Get-Command kubectl -ErrorAction SilentlyContinue) {
  kubectl completion powershell | Out-String | Invoke-Expression
  }"
  ## Add completion code directly to the $PROFILE script
  kubectl completion powershell >> $PROFILE`;

export function register(program: Command, p: Program): void {
  kubectlHelp(
    program
      .command('completion')
      .description('Output shell completion code for the specified shell (bash, zsh, fish, or powershell)')
      .argument('[args...]'),
    p.name,
    { long: COMPLETION_LONG, example: COMPLETION_EXAMPLE, use: 'completion SHELL' },
  ).action(
    p.action((ctx, args: string[]) => {
      const usage = `\nSee '${p.name} completion -h' for help and examples`;
      if (args.length === 0) throw new CliError(`Shell not specified.${usage}`);
      if (args.length > 1) throw new CliError(`Too many arguments. Expected only the shell type.${usage}`);
      const script = SCRIPTS[args[0]];
      if (!script) throw new CliError(`Unsupported shell type "${args[0]}".${usage}`);
      ctx.out(script);
    }),
  );

  const complete = program
    .command('__complete', { hidden: true })
    .argument('[words...]')
    .allowUnknownOption(true)
    .helpOption(false)
    .action(p.action(async (ctx, words: string[]) => {
      const verbs = program.commands.map((c) => c.name()).filter((n) => !n.startsWith('__')).sort();
      ctx.out(
        (await candidates(ctx, verbs, words, (name) => program.commands.find((c) => c.name() === name)?.commands.map((c) => c.name()) ?? []))
          .map((c) => c + '\n')
          .join(''),
      );
    }));
  declarePassThrough(complete);
}

/**
 * Candidates for the last word of `words` (the word being typed, possibly empty), given
 * the words before it. Prefix filtering is left to the shell.
 */
export async function candidates(ctx: CliContext, verbs: string[], words: string[], subcommands: (verb: string) => string[]): Promise<string[]> {
  const before = words.slice(0, -1);
  const current = words[words.length - 1] ?? '';
  const prev = before[before.length - 1];
  const positional: string[] = [];
  for (let i = 0; i < before.length; i++) {
    const w = before[i];
    if (w.startsWith('-')) {
      if (VALUE_FLAGS.has(w)) i++;
      continue;
    }
    positional.push(w);
  }
  if (prev === '-n' || prev === '--namespace') return names(ctx, 'namespaces');
  if (prev === '-o' || prev === '--output') return OUTPUTS;
  if (prev === '--context') return contextNames(ctx);
  if (prev && VALUE_FLAGS.has(prev)) return [];
  if (positional.length === 0) return verbs;
  const verb = positional[0];
  const args = positional.slice(1);
  const subs = subcommands(verb);
  if (verb === 'completion') return args.length === 0 ? ['bash', 'fish', 'powershell', 'zsh'] : [];
  if (verb === 'config' && ['use-context', 'use', 'delete-context', 'rename-context', 'get-contexts'].includes(args[0]) && args.length === 1) return contextNames(ctx);
  if (subs.length && args.length === 0) return subs.sort();
  const rest = subs.length ? args.slice(1) : args;
  if (NAME_VERBS[verb]) return rest.length === 0 ? names(ctx, NAME_VERBS[verb]) : [];
  if (!TYPE_VERBS.has(verb)) return [];
  if (rest.length === 0) {
    const slash = current.indexOf('/');
    if (slash > 0) return (await names(ctx, current.slice(0, slash))).map((n) => `${current.slice(0, slash)}/${n}`);
    return types(ctx);
  }
  if (rest.length >= 1 && !rest[0].includes('/') && verb !== 'explain') return names(ctx, rest[0].split(',')[0]);
  return [];
}

async function types(ctx: CliContext): Promise<string[]> {
  const { ResourceRegistry } = await import('../api/resources');
  const registry = ctx.clusterExists() ? (await ctx.api({ startDaemon: false })).registry : new ResourceRegistry();
  return [...new Set(registry.all().map((t) => (t.group && registry.resolve(t.plural) !== t ? `${t.plural}.${t.group}` : t.plural)))].sort();
}

async function names(ctx: CliContext, typeArg: string): Promise<string[]> {
  if (!ctx.clusterExists()) return [];
  try {
    const api = await ctx.api({ startDaemon: false });
    const type = api.registry.resolve(typeArg);
    return (await api
      .list(type, { namespace: type.namespaced ? ctx.namespace : undefined }))
      .items.map((o) => o.metadata.name!)
      .sort();
  } catch {
    return [];
  }
}
