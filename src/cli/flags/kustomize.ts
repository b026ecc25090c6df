// kubectl's `-k, --kustomize DIR` flag, declared next to `-f` by every verb that reads objects
// from files (apply, create, delete, diff, get, replace); src/cli/manifest-input.ts reads it.
export const KUSTOMIZE_FLAG: [string, string] = ['-k, --kustomize <dir>', "Process the kustomization directory. This flag can't be used together with -f or -R."];
