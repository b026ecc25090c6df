// The field docs kube-apiserver's printers put in their column descriptions
// (`apiv1.PodStatus{}.SwaggerDoc()["podIP"]`): the texts of k8s.io/api and apimachinery
// v0.32.9, for the API versions the printers name (some long removed, their texts older than
// the served versions'), extracted by scripts/gen-column-docs.mjs from every doc() call here.
import DOCS from './column-docs.json';

/** `pkg` as "core/v1", "extensions/v1beta1", "meta/v1"; a field the type lacks is "" (as SwaggerDoc()[f] is). */
export function doc(pkg: string, type: string, field: string): string {
  const d = (DOCS as Record<string, string>)[`${pkg}.${type}.${field}`];
  if (d === undefined) throw new Error(`column-docs.json has no ${pkg}.${type}.${field}: run scripts/gen-column-docs.mjs`);
  return d;
}
